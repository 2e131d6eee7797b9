package dev.metering.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of Polar meters as the meter provider.
 *
 * @param accessToken Organization access token, required with metering.provider=polar;
 * never logged.
 * @param baseUrl Base URL of Polar's API (the sandbox is https://sandbox-api.polar.sh).
 * @param connectTimeout How long to wait for a connection to Polar.
 * @param readTimeout How long to wait for Polar's answer.
 * @param webhook Polar's webhooks: subscription and customer state changes.
 * @since 0.1.0
 */
@ConfigurationProperties(PolarMeteringProperties.PREFIX)
public record PolarMeteringProperties(@Nullable String accessToken,
		@DefaultValue("https://api.polar.sh") String baseUrl, @DefaultValue("10s") Duration connectTimeout,
		@DefaultValue("30s") Duration readTimeout,
		@DefaultValue @NestedConfigurationProperty MeteringProperties.Webhook webhook) {

	static final String PREFIX = "metering.polar";

	public PolarMeteringProperties {
		webhook = webhook.withDefaultPath("/metering/polar/webhook");
	}

	@Override
	public String toString() {
		return "PolarMeteringProperties[accessToken=" + SecretMask.of(this.accessToken) + ", baseUrl=" + this.baseUrl
				+ ", connectTimeout=" + this.connectTimeout + ", readTimeout=" + this.readTimeout + ", webhook="
				+ this.webhook + "]";
	}

}

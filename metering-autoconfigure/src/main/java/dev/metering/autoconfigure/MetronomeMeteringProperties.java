package dev.metering.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of Metronome as the meter provider.
 *
 * @param apiToken API token, required with metering.provider=metronome; never logged.
 * @param baseUrl Base URL of Metronome's API.
 * @param connectTimeout How long to wait for a connection to Metronome.
 * @param readTimeout How long to wait for Metronome's answer.
 * @param webhook Metronome's webhooks: alerts, and changes of contracts, commits and
 * credits.
 * @since 0.1.0
 */
@ConfigurationProperties(MetronomeMeteringProperties.PREFIX)
public record MetronomeMeteringProperties(@Nullable String apiToken,
		@DefaultValue("https://api.metronome.com") String baseUrl, @DefaultValue("10s") Duration connectTimeout,
		@DefaultValue("30s") Duration readTimeout,
		@DefaultValue @NestedConfigurationProperty MeteringProperties.Webhook webhook) {

	static final String PREFIX = "metering.metronome";

	public MetronomeMeteringProperties {
		webhook = webhook.withDefaultPath("/metering/metronome/webhook");
	}

	@Override
	public String toString() {
		return "MetronomeMeteringProperties[apiToken=" + SecretMask.of(this.apiToken) + ", baseUrl=" + this.baseUrl
				+ ", connectTimeout=" + this.connectTimeout + ", readTimeout=" + this.readTimeout + ", webhook="
				+ this.webhook + "]";
	}

}

package dev.metering.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of Stripe Billing Meters as the meter provider.
 *
 * @param api How meter events are sent: v1 (one request an event, per customer in order)
 * or v2-stream (batches of up to 100 through a meter event session, for high throughput).
 * @param apiKey Secret or restricted API key, required with metering.provider=stripe;
 * never logged.
 * @param apiBase Base URL of the Stripe API.
 * @param meterEventsBase Base URL of the v2 meter event stream.
 * @param customerMetadataKey The customer metadata key that holds the organization or
 * user ID, for finding the customer of a subject that has no configured account.
 * @param connectTimeout How long to wait for a connection to Stripe.
 * @param readTimeout How long to wait for Stripe's answer.
 * @param webhook Stripe's webhooks: subscription changes and meter error reports.
 * @since 0.1.0
 */
@ConfigurationProperties(StripeMeteringProperties.PREFIX)
public record StripeMeteringProperties(@Nullable String apiKey, @DefaultValue("https://api.stripe.com") String apiBase,
		@DefaultValue("https://meter-events.stripe.com") String meterEventsBase, @DefaultValue("v1") StripeApi api,
		@DefaultValue("organization_id") String customerMetadataKey, @DefaultValue("10s") Duration connectTimeout,
		@DefaultValue("30s") Duration readTimeout,
		@DefaultValue @NestedConfigurationProperty MeteringProperties.Webhook webhook) {

	static final String PREFIX = "metering.stripe";

	public StripeMeteringProperties {
		webhook = webhook.withDefaultPath("/metering/stripe/webhook");
	}

	@Override
	public String toString() {
		return "StripeMeteringProperties[apiKey=" + SecretMask.of(this.apiKey) + ", apiBase=" + this.apiBase
				+ ", meterEventsBase=" + this.meterEventsBase + ", customerMetadataKey=" + this.customerMetadataKey
				+ ", webhook=" + this.webhook + "]";
	}

	/** How meter events are sent to Stripe. */
	public enum StripeApi {

		/** {@code POST /v1/billing/meter_events}, one event a request. */
		V1,
		/**
		 * {@code /v2/billing/meter_event_stream}, batches through a meter event session.
		 */
		V2_STREAM

	}

}

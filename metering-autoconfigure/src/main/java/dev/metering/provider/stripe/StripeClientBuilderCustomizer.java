package dev.metering.provider.stripe;

import com.stripe.StripeClient;

/**
 * Callback to customize the {@link StripeClient.StripeClientBuilder} of the
 * auto-configured {@link StripeClient}: a proxy, timeouts, another API base. Customizers
 * run after the {@code metering.stripe.*} properties are applied and before the settings
 * metering's delivery depends on, which always win: the SDK's own retries stay off and
 * the HTTP client stays the one that reads Stripe's retry advice.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface StripeClientBuilderCustomizer {

	/**
	 * Customize the builder.
	 * @param builder the builder of the client metering uses
	 */
	void customize(StripeClient.StripeClientBuilder builder);

}

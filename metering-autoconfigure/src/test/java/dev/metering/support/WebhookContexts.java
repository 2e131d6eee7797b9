package dev.metering.support;

import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/**
 * A Spring MVC application with the starter's auto-configurations and the credentials of
 * Stripe and Polar, for the tests of when webhooks are received and where their state is
 * kept; the signing secrets are set by each test, with the provider.
 */
public final class WebhookContexts {

	public static final String STRIPE_SECRET = "whsec_StripeSigningSecretForTheTests";

	public static final String POLAR_SECRET = "polar_whs_PolarSigningSecretForTheTests";

	private WebhookContexts() {
	}

	public static WebApplicationContextRunner runner() {
		return new WebApplicationContextRunner().withConfiguration(MeteringAutoConfigurations.with())
			.withPropertyValues("metering.stripe.api-key=sk_test_webhooks",
					"metering.polar.access-token=polar_oat_hooks");
	}

}

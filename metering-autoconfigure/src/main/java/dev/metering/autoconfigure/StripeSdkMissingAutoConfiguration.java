package dev.metering.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;

/**
 * Fails start-up with a message that says what to add when
 * {@code metering.provider=stripe} but stripe-java is not on the class path, instead of
 * leaving the application without a meter provider for reasons only the condition report
 * tells.
 *
 * @since 0.1.0
 */
@AutoConfiguration(before = MeteringAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnProperty(name = MeteringProperties.PREFIX + ".provider", havingValue = "stripe")
@ConditionalOnMissingClass("com.stripe.StripeClient")
public final class StripeSdkMissingAutoConfiguration {

	StripeSdkMissingAutoConfiguration() {
		throw new IllegalStateException("metering.provider=stripe needs com.stripe:stripe-java on the class path: "
				+ "add that dependency (the metering starter brings it), or choose another metering.provider");
	}

}

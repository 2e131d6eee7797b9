package dev.metering.autoconfigure;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import com.stripe.StripeClient;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import dev.metering.provider.MeterProvider;
import dev.metering.provider.ProviderCaches;
import dev.metering.provider.stripe.StripeClientBuilderCustomizer;
import dev.metering.provider.stripe.StripeMetering;

/**
 * Auto-configuration of Stripe Billing Meters as the meter provider, through the official
 * SDK, when {@code metering.provider=stripe}. The client and the provider back off when
 * the application defines its own.
 *
 * @since 0.1.0
 */
@AutoConfiguration(before = MeteringAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnProperty(name = MeteringProperties.PREFIX + ".provider", havingValue = "stripe")
@ConditionalOnClass(StripeClient.class)
@EnableConfigurationProperties({ MeteringProperties.class, StripeMeteringProperties.class })
@Import(ProviderCachesConfiguration.class)
public final class StripeMeteringAutoConfiguration {

	@Bean
	StripeMetering meteringStripe() {
		return new StripeMetering();
	}

	/**
	 * A client from the properties and the application's customizers, whose own retries
	 * are off whatever a customizer set: the dispatcher retries, with the same
	 * identifier, as Stripe's retry advice says.
	 */
	@Bean
	@ConditionalOnMissingBean
	StripeClient meteringStripeClient(StripeMeteringProperties stripe, StripeMetering stripeMetering,
			ObjectProvider<StripeClientBuilderCustomizer> customizers) {
		String prefix = StripeMeteringProperties.PREFIX;
		StripeClient.StripeClientBuilder builder = StripeClient.builder()
			.setApiKey(PropertyChecks.credential(prefix + ".api-key", stripe.apiKey(), "stripe", "STRIPE_SECRET_KEY"))
			.setApiBase(stripe.apiBase())
			.setMeterEventsBase(stripe.meterEventsBase())
			.setConnectTimeout((int) PropertyChecks.positiveMillis(prefix + ".connect-timeout", stripe.connectTimeout())
				.toMillis())
			.setReadTimeout(
					(int) PropertyChecks.positiveMillis(prefix + ".read-timeout", stripe.readTimeout()).toMillis());
		customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
		return stripeMetering.client(builder);
	}

	@Bean
	@ConditionalOnMissingBean
	MeterProvider stripeMeterProvider(MeteringProperties properties, StripeMeteringProperties stripe,
			StripeClient client, StripeMetering stripeMetering, ProviderCaches caches, ObjectProvider<Clock> clock) {
		Map<String, @Nullable BigDecimal> unitAmounts = new LinkedHashMap<>();
		Map<String, @Nullable String> currencies = new LinkedHashMap<>();
		Map<String, @Nullable String> priceIds = new LinkedHashMap<>();
		properties.meters().forEach((key, meter) -> {
			unitAmounts.put(key, meter.stripe().unitAmountDecimal());
			currencies.put(key, meter.stripe().currency());
			priceIds.put(key, meter.stripe().priceId());
		});
		return stripeMetering.meterProvider(client, stripe.customerMetadataKey(), unitAmounts, currencies, priceIds,
				caches, stripe.api() == StripeMeteringProperties.StripeApi.V2_STREAM,
				clock.getIfUnique(Clock::systemUTC));
	}

}

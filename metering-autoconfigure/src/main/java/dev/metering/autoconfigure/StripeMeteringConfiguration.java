package dev.metering.autoconfigure;

import java.time.Clock;

import com.stripe.StripeClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.cache.CacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SimpleAsyncTaskExecutor;

import dev.metering.cache.MeteringCaches;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.stripe.StripeCaches;
import dev.metering.provider.stripe.StripeMeterProvider;
import dev.metering.provider.stripe.StripeRetryHints;

/**
 * Stripe Billing Meters as the provider, through the official SDK, when
 * {@code metering.provider=stripe}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = MeteringProperties.PREFIX + ".provider", havingValue = "stripe")
@ConditionalOnClass(StripeClient.class)
class StripeMeteringConfiguration {

	@Bean
	@ConditionalOnMissingBean
	StripeRetryHints meteringStripeRetryHints() {
		return new StripeRetryHints();
	}

	/** A client whose own retries are off: the dispatcher retries, with the same identifier. */
	@Bean
	@ConditionalOnMissingBean
	StripeClient meteringStripeClient(MeteringProperties properties, StripeRetryHints retryHints) {
		MeteringProperties.Stripe stripe = properties.stripe();
		return StripeClient.builder()
			.setApiKey(stripe.apiKey())
			.setApiBase(stripe.apiBase())
			.setMeterEventsBase(stripe.meterEventsBase())
			.setConnectTimeout((int) stripe.connectTimeout().toMillis())
			.setReadTimeout((int) stripe.readTimeout().toMillis())
			.setMaxNetworkRetries(0)
			.setHttpClient(retryHints)
			.build();
	}

	@Bean
	@ConditionalOnMissingBean
	MeterProvider stripeMeterProvider(MeteringProperties properties, StripeClient client, StripeRetryHints retryHints,
			ObjectProvider<CacheManager> cacheManager) {
		MeteringProperties.StripeCache ttl = properties.stripe().cache();
		MeteringCaches caches = new MeteringCaches(cacheManager.getIfUnique(), Clock.systemUTC());
		return new StripeMeterProvider(client, retryHints, properties.stripe().customerMetadataKey(),
				new StripeCaches(caches.cache(StripeCaches.USAGE, ttl.usageTtl()),
						caches.cache(StripeCaches.CUSTOMERS, ttl.customerTtl()),
						caches.cache(StripeCaches.SUBSCRIPTIONS, ttl.subscriptionTtl())),
				properties.stripe().api() == MeteringProperties.StripeApi.V2_STREAM,
				new SimpleAsyncTaskExecutor("metering-stripe-refresh-"), Clock.systemUTC());
	}

}

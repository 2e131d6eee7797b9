package dev.metering.autoconfigure;

import java.time.Clock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.client.RestClient;

import dev.metering.provider.MeterProvider;
import dev.metering.provider.ProviderCaches;
import dev.metering.provider.polar.PolarClient;
import dev.metering.provider.polar.PolarMetering;

/**
 * Auto-configuration of Polar meters as the meter provider, over Spring's
 * {@link RestClient}, when {@code metering.provider=polar}. The client and the provider
 * back off when the application defines its own.
 *
 * @since 0.1.0
 */
@AutoConfiguration(before = MeteringAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnProperty(name = MeteringProperties.PREFIX + ".provider", havingValue = "polar")
@ConditionalOnClass({ RestClient.class, ClientHttpRequestFactoryBuilder.class })
@EnableConfigurationProperties({ MeteringProperties.class, PolarMeteringProperties.class })
@Import(ProviderCachesConfiguration.class)
public final class PolarMeteringAutoConfiguration {

	/**
	 * A client of Polar's API from the properties, built from the application's
	 * {@link RestClient.Builder} when it has one (its customizers and HTTP client
	 * observations apply), on an HTTP client that does not retry: the dispatcher retries,
	 * with the same event IDs.
	 */
	@Bean
	@ConditionalOnMissingBean
	PolarClient meteringPolarClient(PolarMeteringProperties polar, ObjectProvider<RestClient.Builder> builders) {
		String prefix = PolarMeteringProperties.PREFIX;
		return PolarClient.create(builders.getIfAvailable(RestClient::builder), polar.baseUrl(),
				PropertyChecks.credential(prefix + ".access-token", polar.accessToken(), "polar", "POLAR_ACCESS_TOKEN"),
				PropertyChecks.positiveMillis(prefix + ".connect-timeout", polar.connectTimeout()),
				PropertyChecks.positiveMillis(prefix + ".read-timeout", polar.readTimeout()));
	}

	@Bean
	@ConditionalOnMissingBean
	MeterProvider polarMeterProvider(MeteringProperties properties, PolarClient client, ProviderCaches caches,
			ObjectProvider<Clock> clock) {
		return PolarMetering.meterProvider(client, MeterDefinitions.forPolar(properties), caches,
				clock.getIfUnique(Clock::systemUTC));
	}

}

package dev.metering.autoconfigure;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

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

import dev.metering.provider.MeterDefinition;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.ProviderCaches;
import dev.metering.provider.metronome.MetronomeClient;
import dev.metering.provider.metronome.MetronomeMetering;

/**
 * Auto-configuration of Metronome as the meter provider, over Spring's
 * {@link RestClient}, when {@code metering.provider=metronome}. The client and the
 * provider back off when the application defines its own.
 *
 * @since 0.1.0
 */
@AutoConfiguration(before = MeteringAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnProperty(name = MeteringProperties.PREFIX + ".provider", havingValue = "metronome")
@ConditionalOnClass({ RestClient.class, ClientHttpRequestFactoryBuilder.class })
@EnableConfigurationProperties({ MeteringProperties.class, MetronomeMeteringProperties.class })
@Import(ProviderCachesConfiguration.class)
public final class MetronomeMeteringAutoConfiguration {

	/**
	 * A client of Metronome's API from the properties, built from the application's
	 * {@link RestClient.Builder} when it has one (its customizers and HTTP client
	 * observations apply), on an HTTP client that does not retry: the dispatcher retries,
	 * with the same transaction IDs.
	 */
	@Bean
	@ConditionalOnMissingBean
	MetronomeClient meteringMetronomeClient(MetronomeMeteringProperties metronome,
			ObjectProvider<RestClient.Builder> builders) {
		String prefix = MetronomeMeteringProperties.PREFIX;
		return MetronomeClient.create(builders.getIfAvailable(RestClient::builder), metronome.baseUrl(),
				PropertyChecks.credential(prefix + ".api-token", metronome.apiToken(), "metronome",
						"METRONOME_API_TOKEN"),
				PropertyChecks.positiveMillis(prefix + ".connect-timeout", metronome.connectTimeout()),
				PropertyChecks.positiveMillis(prefix + ".read-timeout", metronome.readTimeout()));
	}

	@Bean
	@ConditionalOnMissingBean
	MeterProvider metronomeMeterProvider(MeteringProperties properties, MetronomeClient client, ProviderCaches caches,
			ObjectProvider<Clock> clock) {
		List<MeterDefinition> definitions = MeterDefinitions.forMetronome(properties);
		Map<String, String> valueKeys = new LinkedHashMap<>();
		Map<String, @Nullable String> creditTypeIds = new LinkedHashMap<>();
		properties.meters().forEach((key, meter) -> {
			valueKeys.put(key, meter.metronome().valueKey());
			creditTypeIds.put(key, meter.metronome().creditTypeId());
		});
		return MetronomeMetering.meterProvider(client, definitions, valueKeys, creditTypeIds, caches,
				clock.getIfUnique(Clock::systemUTC));
	}

}

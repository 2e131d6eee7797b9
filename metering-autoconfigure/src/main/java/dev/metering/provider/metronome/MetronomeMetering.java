package dev.metering.provider.metronome;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import dev.metering.provider.MeterDefinition;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.ProviderCaches;
import dev.metering.provider.ProviderWebhooks;

/**
 * Makes metering's Metronome meter provider and the reader of Metronome's webhooks.
 *
 * @since 0.1.0
 */
public final class MetronomeMetering {

	private MetronomeMetering() {
	}

	/**
	 * The meter provider of the meters on a client of Metronome's API.
	 * @param valueKeys per meter key, the event property that holds the value, if any
	 * @param creditTypeIds per meter key, the credit type whose balance it draws on, if
	 * any
	 */
	public static MeterProvider meterProvider(MetronomeClient client, List<MeterDefinition> meters,
			Map<String, String> valueKeys, Map<String, @Nullable String> creditTypeIds, ProviderCaches caches,
			Clock clock) {
		Map<String, MetronomeMeter> settings = new LinkedHashMap<>();
		// every meter has its value key
		meters.forEach((meter) -> settings.put(meter.key(), new MetronomeMeter(
				Objects.requireNonNull(valueKeys.get(meter.key())), creditTypeIds.get(meter.key()))));
		return new MetronomeMeterProvider(client, meters, settings, caches, clock);
	}

	/**
	 * Metronome's webhook notifications.
	 * @param client reads the ingest aliases of the customer a notification names
	 * @param secrets the secret of each Metronome webhook that posts to this application
	 * @param tolerance how far a delivery's date may be from now, either way; an older
	 * one is refused as a replay
	 * @param clock tells now
	 */
	public static ProviderWebhooks webhooks(MetronomeClient client, List<String> secrets, Duration tolerance,
			Clock clock) {
		return new MetronomeWebhooks(client, secrets, tolerance, clock);
	}

}

package dev.metering.provider.polar;

import java.time.Clock;
import java.util.List;

import dev.metering.provider.MeterDefinition;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.ProviderCaches;

/**
 * Makes metering's Polar meter provider.
 *
 * @since 0.1.0
 */
public final class PolarMetering {

	private PolarMetering() {
	}

	/** The meter provider of the meters on a client of Polar's API. */
	public static MeterProvider meterProvider(PolarClient client, List<MeterDefinition> meters, ProviderCaches caches,
			Clock clock) {
		return new PolarMeterProvider(client, meters, caches, clock);
	}

}

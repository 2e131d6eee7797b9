package dev.metering.autoconfigure;

import java.util.List;
import java.util.Map;

import dev.metering.provider.MeterCatalog;
import dev.metering.provider.MeterDefinition;

/**
 * The configured meters, as the library's other parts see them, each checked as it is
 * mapped.
 */
final class MeterDefinitions {

	/** Polar's longest metadata key. */
	private static final int MAX_POLAR_VALUE_KEY_LENGTH = 40;

	private MeterDefinitions() {
	}

	/** The meters under {@code metering.meters}, each with an event name. */
	static List<MeterDefinition> of(MeteringProperties properties) {
		return properties.meters().entrySet().stream().map(MeterDefinitions::definition).toList();
	}

	/** The meters, of which the default meter must be one. */
	static MeterCatalog catalog(MeteringProperties properties) {
		List<MeterDefinition> meters = of(properties);
		if (!properties.meters().containsKey(properties.defaultMeter())) {
			throw new InvalidMeteringPropertyException("metering.default-meter", properties.defaultMeter(),
					"'" + properties.defaultMeter() + "' is not a meter key under metering.meters "
							+ properties.meters().keySet());
		}
		return new MeterCatalog(meters, properties.defaultMeter());
	}

	/** The meters, whose Polar value keys Polar can store. */
	static List<MeterDefinition> forPolar(MeteringProperties properties) {
		properties.meters().forEach((key, meter) -> {
			String valueKey = meter.polar().valueKey();
			if (valueKey.isBlank() || valueKey.length() > MAX_POLAR_VALUE_KEY_LENGTH) {
				throw new InvalidMeteringPropertyException("metering.meters." + key + ".polar.value-key", valueKey,
						"must be 1 to " + MAX_POLAR_VALUE_KEY_LENGTH
								+ " characters, as Polar's metadata keys are, was '" + valueKey + "'");
			}
		});
		return of(properties);
	}

	/** The meters, each with a Metronome value key. */
	static List<MeterDefinition> forMetronome(MeteringProperties properties) {
		properties.meters().forEach((key, meter) -> {
			if (meter.metronome().valueKey().isBlank()) {
				throw new InvalidMeteringPropertyException("metering.meters." + key + ".metronome.value-key",
						meter.metronome().valueKey(), "must not be blank");
			}
		});
		return of(properties);
	}

	private static MeterDefinition definition(Map.Entry<String, MeteringProperties.Meter> entry) {
		MeteringProperties.Meter meter = entry.getValue();
		if (meter.eventName() == null || meter.eventName().isBlank()) {
			throw new InvalidMeteringPropertyException("metering.meters." + entry.getKey() + ".event-name",
					(meter.eventName() != null) ? meter.eventName() : "", "must not be blank");
		}
		return new MeterDefinition(entry.getKey(), meter.eventName(), meter.meterId(), meter.tokens(), meter.limitKey(),
				meter.aggregation(), meter.polar().valueKey(), meter.unit(), meter.dimensions());
	}

}

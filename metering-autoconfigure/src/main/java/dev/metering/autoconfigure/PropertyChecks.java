package dev.metering.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * The checks of ranges that many metering properties share, made where a value is used: a
 * value out of range fails start-up with an {@link InvalidMeteringPropertyException}
 * naming the property.
 */
final class PropertyChecks {

	private PropertyChecks() {
	}

	static long atLeastOne(String name, long value) {
		if (value < 1) {
			throw new InvalidMeteringPropertyException(name, value, "must be at least 1, was " + value);
		}
		return value;
	}

	static Duration notNegative(String name, Duration duration) {
		if (duration.isNegative()) {
			throw new InvalidMeteringPropertyException(name, duration, "must not be negative, was " + duration);
		}
		return duration;
	}

	static Duration positive(String name, Duration duration) {
		if (duration.isNegative() || duration.isZero()) {
			throw new InvalidMeteringPropertyException(name, duration, "must be positive, was " + duration);
		}
		return duration;
	}

	/**
	 * For durations handed on as {@code int} milliseconds, as the Stripe SDK takes its
	 * timeouts.
	 */
	static Duration positiveMillis(String name, Duration duration) {
		positive(name, duration);
		if (duration.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
			throw new InvalidMeteringPropertyException(name, duration,
					"must be at most " + Duration.ofMillis(Integer.MAX_VALUE) + ", was " + duration);
		}
		return duration;
	}

	/**
	 * A provider's credential, which must be set when that provider is used. Its value is
	 * never part of the failure: when it is blank there is nothing to hide.
	 */
	static String credential(String name, @Nullable String value, String provider, String variable) {
		if (value == null || value.isBlank()) {
			throw new InvalidMeteringPropertyException(name, "",
					"must be set when metering.provider=" + provider + " (e.g. from " + variable + ")");
		}
		return value;
	}

	/** How long the outbox keeps what was delivered. */
	static Duration retention(MeteringOutboxProperties outbox) {
		return positive(MeteringOutboxProperties.PREFIX + ".retention", outbox.retention());
	}

	/** A provider's webhook path, which must be absolute. */
	static String webhookPath(String name, String path) {
		if (!path.startsWith("/")) {
			throw new InvalidMeteringPropertyException(name, path, "must start with '/', was '" + path + "'");
		}
		return path;
	}

}

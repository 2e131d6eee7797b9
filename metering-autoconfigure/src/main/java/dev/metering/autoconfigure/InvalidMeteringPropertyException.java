package dev.metering.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * A metering property whose value cannot be used, found where it is used. Boot's failure
 * analysis reports the property, the value and where it was set; the message alone reads
 * as the property's name followed by what is wrong with it.
 */
final class InvalidMeteringPropertyException extends InvalidConfigurationPropertyValueException {

	/**
	 * A property's value that cannot be used.
	 * @param name the property's full name, e.g. {@code metering.delivery.max-attempts}
	 * @param value the value as bound, never a secret's value
	 * @param reason what is wrong with it, e.g. {@code must be at least 1, was 0}
	 */
	InvalidMeteringPropertyException(String name, @Nullable Object value, String reason) {
		super(name, value, reason);
	}

	@Override
	public String getMessage() {
		return getName() + " " + getReason();
	}

}

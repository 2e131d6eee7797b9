package dev.metering.provider;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A configured meter.
 *
 * @param key the meter key under {@code metering.meters}
 * @param eventName the provider's event name, case-sensitive
 * @param meterId the provider's meter ID, or {@code null} when not configured
 * @param tokens which ChatClient tokens feed this meter
 * @param limitKey the plan limit checked before generation, or {@code null}
 * @param aggregation how the provider's meter aggregates events
 * @param polarValueKey the key of the Polar event metadata that carries the value
 * @param unit what the meter's values count
 * @param dimensions the dimensions its events carry
 * @since 0.1.0
 */
public record MeterDefinition(String key, String eventName, @Nullable String meterId, TokenKind tokens,
		@Nullable String limitKey, MeterAggregation aggregation, String polarValueKey, MeterUnit unit,
		List<MeterDimension> dimensions) {

	public MeterDefinition {
		unit = (unit != null) ? unit : MeterUnit.TOKENS;
		dimensions = (dimensions != null) ? List.copyOf(dimensions) : List.of();
	}

	/** A meter of tokens without dimensions. */
	public MeterDefinition(String key, String eventName, String meterId, TokenKind tokens, String limitKey,
			MeterAggregation aggregation, String polarValueKey) {
		this(key, eventName, meterId, tokens, limitKey, aggregation, polarValueKey, MeterUnit.TOKENS, List.of());
	}

	public boolean inCredits() {
		return this.unit == MeterUnit.CREDITS;
	}

	public boolean hasModelDimension() {
		return this.dimensions.contains(MeterDimension.MODEL);
	}

	public boolean hasTokenTypeDimension() {
		return this.dimensions.contains(MeterDimension.TOKEN_TYPE);
	}

}

package dev.metering.provider;

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
 */
public record MeterDefinition(String key, String eventName, String meterId, TokenKind tokens, String limitKey,
		MeterAggregation aggregation, String polarValueKey) {
}

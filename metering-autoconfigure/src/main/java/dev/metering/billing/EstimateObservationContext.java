package dev.metering.billing;

import io.micrometer.observation.Observation;

/**
 * The context of an {@link BillingObservationDocumentation#ESTIMATE estimate
 * observation}: the model whose round trip was billed by estimate, why, and how many
 * tokens.
 *
 * @since 0.1.0
 */
public final class EstimateObservationContext extends Observation.Context {

	private final String model;

	private final String reason;

	private final long tokens;

	/**
	 * @param model the model that answered, or else the one asked for
	 * @param reason {@code unreported} when the response came whole without usage,
	 * {@code cancelled} or {@code failed} when a stream ended early
	 * @param tokens the tokens billed
	 */
	public EstimateObservationContext(String model, String reason, long tokens) {
		this.model = model;
		this.reason = reason;
		this.tokens = tokens;
	}

	public String getModel() {
		return this.model;
	}

	public String getReason() {
		return this.reason;
	}

	public long getTokens() {
		return this.tokens;
	}

}

package dev.metering.billing;

/**
 * What metering counts about calls: refused for a limit, let through unbilled, billed by
 * estimate, usage that could not be recorded, provider look-ups that failed. The Micrometer
 * implementation is used when the application has a {@code MeterRegistry}; otherwise nothing is
 * counted.
 */
public interface MeteringMetrics {

	/** Counts nothing. */
	MeteringMetrics NONE = new MeteringMetrics() {
	};

	/** A call started at or over the limit {@code limitKey}. */
	default void overLimit(String limitKey) {
	}

	/**
	 * A call refused only for the reservations of calls in flight waited for them to settle.
	 * @param admitted whether it was admitted in the end
	 */
	default void waitedForReservations(String limitKey, boolean admitted) {
	}

	/** A call ran without a billing account to bill. */
	default void unbilled() {
	}

	/**
	 * A model round trip was billed by estimate, for want of usage the model reported.
	 * @param model the model that answered, or else the one asked for
	 * @param reason {@code unreported} when the response came whole without usage,
	 * {@code cancelled} or {@code failed} when a stream ended early
	 */
	default void usageEstimated(String model, String reason) {
	}

	/** Usage the recorder refused, so it was not billed. */
	default void refused() {
	}

	/**
	 * A provider look-up failed with nothing cached, and the call went on without its answer.
	 * @param lookup what was looked up: {@code customer} or {@code subscription}
	 */
	default void lookupFailed(String lookup) {
	}

}

package dev.metering.billing;

/**
 * What metering counts about calls: refused for a limit, let through unbilled, usage that could
 * not be recorded, provider look-ups that failed. The Micrometer implementation is used when the application has a
 * {@code MeterRegistry}; otherwise nothing is counted.
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

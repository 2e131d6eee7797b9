package dev.metering.test;

/**
 * Entry point of the usage assertions: <pre>
 * assertThatUsage(recorder).forCustomer("cus_1").onEvent("ai_tokens").hasTotal(17);
 * </pre>
 */
public final class MeteringAssertions {

	private MeteringAssertions() {
	}

	/**
	 * Assertions on the usage the recorder received, once all usage recorded so far is
	 * delivered to it.
	 */
	public static UsageAssert assertThatUsage(RecordingMeterProvider recorder) {
		return UsageAssert.of(recorder.events(), recorder::customerIdOf);
	}

}

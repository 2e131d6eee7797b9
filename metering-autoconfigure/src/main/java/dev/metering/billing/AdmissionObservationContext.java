package dev.metering.billing;

import java.util.Locale;

import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import dev.metering.BillingSubject;

/**
 * The context of an {@link BillingObservationDocumentation#ADMISSION admission
 * observation}: the meter and the subject admitted, the plan limit admitted against and
 * how admission went. Metering creates it only when the admission is observed, and adds
 * to it what it learns as it goes: admission observed nowhere costs nothing.
 *
 * @since 0.1.0
 */
public final class AdmissionObservationContext extends MeteredWorkObservationContext {

	private @Nullable String meter;

	private @Nullable String referenceId;

	private @Nullable String limit;

	private @Nullable Outcome outcome;

	private boolean overLimit;

	private @Nullable Boolean admittedAfterWaiting;

	AdmissionObservationContext() {
	}

	private static @Nullable AdmissionObservationContext current(ObservationRegistry observations) {
		return current(observations, AdmissionObservationContext.class);
	}

	/** The work observed on this thread admits usage of this meter for this subject. */
	static void admitting(ObservationRegistry observations, String meter, @Nullable BillingSubject subject) {
		AdmissionObservationContext context = current(observations);
		if (context != null) {
			context.meter = meter;
			context.referenceId = (subject != null) ? subject.referenceId() : null;
		}
	}

	/** The work observed on this thread is admitted against this plan limit. */
	static void limit(ObservationRegistry observations, String limit) {
		AdmissionObservationContext context = current(observations);
		if (context != null) {
			context.limit = limit;
		}
	}

	/** The limit was used up when the work observed on this thread started. */
	static void overLimit(ObservationRegistry observations) {
		AdmissionObservationContext context = current(observations);
		if (context != null) {
			context.overLimit = true;
		}
	}

	/**
	 * The work observed on this thread, refused only for the reservations of calls in
	 * flight, waited for them to settle.
	 * @param admitted whether it was admitted in the end
	 */
	static void waitedForReservations(ObservationRegistry observations, boolean admitted) {
		AdmissionObservationContext context = current(observations);
		if (context != null) {
			context.admittedAfterWaiting = admitted;
		}
	}

	/** How the admission observed on this thread ended, when it did not throw. */
	static void admitted(ObservationRegistry observations, Outcome outcome) {
		AdmissionObservationContext context = current(observations);
		if (context != null) {
			context.outcome = outcome;
		}
	}

	/**
	 * The key of the meter admitted, or {@code null} when admission failed before it was
	 * known.
	 */
	public @Nullable String getMeter() {
		return this.meter;
	}

	/**
	 * The organization or user ID admitted, or {@code null} when the work has none: a
	 * high-cardinality value, which the default convention leaves out.
	 */
	public @Nullable String getReferenceId() {
		return this.referenceId;
	}

	/** The plan limit admitted against, or {@code null} when none applies. */
	public @Nullable String getLimit() {
		return this.limit;
	}

	/**
	 * How admission went: {@link Outcome#REFUSED} when it threw, {@code null} while it is
	 * under way.
	 */
	public @Nullable Outcome getOutcome() {
		return (getError() != null) ? Outcome.REFUSED : this.outcome;
	}

	/**
	 * Whether the limit was used up when the work started: it was refused, or, with
	 * {@code metering.enforcement=warn}, let through and logged.
	 */
	public boolean isOverLimit() {
		return this.overLimit;
	}

	/**
	 * Whether the work, refused only for the reservations of calls in flight, was
	 * admitted after waiting for them to settle.
	 * @return {@code null} when it did not wait
	 */
	public @Nullable Boolean getAdmittedAfterWaiting() {
		return this.admittedAfterWaiting;
	}

	/** How an admission went. */
	public enum Outcome {

		/** Admitted, with room reserved under the limit when one applies. */
		ADMITTED,

		/** Admitted with its completion lowered to what the budget pays for. */
		CAPPED,

		/**
		 * Refused: over the limit, without a billing account where one is required, or
		 * while metering cannot keep usage.
		 */
		REFUSED,

		/** Let through without a billing account, so not billed. */
		UNBILLED;

		/** The value of the key {@code outcome}. */
		public String value() {
			return name().toLowerCase(Locale.ROOT);
		}

	}

}

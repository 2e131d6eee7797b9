package dev.metering.billing;

import java.util.Locale;

import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

/**
 * The context of a {@link BillingObservationDocumentation#RECORDING recording
 * observation}: the meter and what became of the usage. Metering creates it only when the
 * recording is observed, and adds to it what happens as it goes: recording observed
 * nowhere costs nothing.
 *
 * @since 0.1.0
 */
public final class RecordingObservationContext extends MeteredWorkObservationContext {

	private @Nullable String meter;

	private int recorded;

	private int collected;

	private int refused;

	private boolean unbilled;

	private boolean finished;

	RecordingObservationContext() {
	}

	private static @Nullable RecordingObservationContext current(ObservationRegistry observations) {
		return current(observations, RecordingObservationContext.class);
	}

	/** The work observed on this thread records usage of this meter. */
	static void recording(ObservationRegistry observations, String meter) {
		RecordingObservationContext context = current(observations);
		if (context != null) {
			context.meter = meter;
		}
	}

	/** An event was written to the outbox. */
	static void recorded(ObservationRegistry observations) {
		RecordingObservationContext context = current(observations);
		if (context != null) {
			context.recorded++;
		}
	}

	/** Usage was added to the enclosing scope's, recorded when the scope closes. */
	static void collected(ObservationRegistry observations) {
		RecordingObservationContext context = current(observations);
		if (context != null) {
			context.collected++;
		}
	}

	/** The recorder refused an event, so it is not billed. */
	static void refused(ObservationRegistry observations) {
		RecordingObservationContext context = current(observations);
		if (context != null) {
			context.refused++;
		}
	}

	/** The work had no billing account, so what it used is not billed. */
	static void unbilled(ObservationRegistry observations) {
		RecordingObservationContext context = current(observations);
		if (context != null) {
			context.unbilled = true;
		}
	}

	/** The recording observed on this thread is done: its outcome is known. */
	static void finished(ObservationRegistry observations) {
		RecordingObservationContext context = current(observations);
		if (context != null) {
			context.finished = true;
		}
	}

	/**
	 * The key of the meter recorded on, or {@code null} when recording failed before it
	 * was known.
	 */
	public @Nullable String getMeter() {
		return this.meter;
	}

	/** How many events the recorder refused. */
	public int getRefusedEvents() {
		return this.refused;
	}

	/**
	 * What became of the usage, the worst first: {@code null} while the recording is
	 * under way.
	 */
	public @Nullable Outcome getOutcome() {
		if (!this.finished && getError() == null) {
			return null;
		}
		if (this.refused > 0) {
			return Outcome.REFUSED;
		}
		if (this.recorded > 0) {
			return Outcome.RECORDED;
		}
		if (this.collected > 0) {
			return Outcome.COLLECTED;
		}
		return this.unbilled ? Outcome.UNBILLED : Outcome.NONE;
	}

	/** What became of the usage of metered work. */
	public enum Outcome {

		/** Written to the outbox, to be delivered. */
		RECORDED,

		/**
		 * Added to the enclosing {@code @MeteredUsage} scope's usage, recorded when it
		 * closes.
		 */
		COLLECTED,

		/**
		 * Some of it refused by the recorder (a customer ID the provider refuses, say):
		 * not billed.
		 */
		REFUSED,

		/** No billing account to bill. */
		UNBILLED,

		/** Nothing was used. */
		NONE;

		/** The value of the key {@code outcome}. */
		public String value() {
			return name().toLowerCase(Locale.ROOT);
		}

	}

}

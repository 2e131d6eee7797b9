package dev.metering.billing;

import java.util.ArrayList;
import java.util.List;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

/**
 * The context of an observation of metered work (its admission, the recording of its
 * usage), during which the provider is asked who the customer is and what it subscribes
 * to.
 *
 * @since 0.1.0
 */
public abstract class MeteredWorkObservationContext extends Observation.Context {

	private final List<String> failedLookups = new ArrayList<>();

	MeteredWorkObservationContext() {
	}

	/**
	 * A provider look-up failed with nothing cached, and the work went on without its
	 * answer; added to the metered work observed on this thread, if any.
	 * @param lookup what was looked up: {@code customer} or {@code subscription}
	 */
	static void lookupFailed(ObservationRegistry observations, String lookup) {
		MeteredWorkObservationContext context = current(observations, MeteredWorkObservationContext.class);
		if (context != null) {
			context.failedLookups.add(lookup);
		}
	}

	/**
	 * The context of the observation current on this thread, to which metering adds what
	 * it learns deep in the work.
	 * @return the context, or {@code null} when no such work is observed here
	 */
	static <C extends MeteredWorkObservationContext> @Nullable C current(ObservationRegistry observations,
			Class<C> type) {
		Observation current = observations.getCurrentObservation();
		return (current != null && type.isInstance(current.getContext())) ? type.cast(current.getContext()) : null;
	}

	/**
	 * The provider look-ups that failed with nothing cached while the work went on
	 * without their answer, one entry per failure: {@code customer} or
	 * {@code subscription}.
	 */
	public List<String> getFailedLookups() {
		return List.copyOf(this.failedLookups);
	}

}

package dev.metering.delivery;

import java.util.List;

import io.micrometer.observation.Observation;
import org.jspecify.annotations.Nullable;

import dev.metering.provider.DeliveryOutcome;

/**
 * The context of a {@link DeliveryObservationDocumentation#PROVIDER_REQUEST provider
 * request observation}: the provider, how many events the request carries, and, once it
 * answered, their outcomes.
 *
 * @since 0.1.0
 */
public final class ProviderRequestObservationContext extends Observation.Context {

	private final String provider;

	private final int events;

	private @Nullable List<DeliveryOutcome> outcomes;

	/**
	 * @param provider the name of the provider asked
	 * @param events how many events the request carries
	 */
	public ProviderRequestObservationContext(String provider, int events) {
		this.provider = provider;
		this.events = events;
	}

	public String getProvider() {
		return this.provider;
	}

	public int getEvents() {
		return this.events;
	}

	/**
	 * The outcomes of the events, in order, or {@code null} until the provider answered.
	 */
	public @Nullable List<DeliveryOutcome> getOutcomes() {
		return this.outcomes;
	}

	public void setOutcomes(List<DeliveryOutcome> outcomes) {
		this.outcomes = outcomes;
	}

}

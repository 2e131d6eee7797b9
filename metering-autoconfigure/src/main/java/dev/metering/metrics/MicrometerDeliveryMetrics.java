package dev.metering.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import dev.metering.delivery.DeliveryMetrics;
import dev.metering.provider.DeliveryOutcome;

/**
 * Delivery metrics in the application's Micrometer registry, tagged with the provider: the
 * counters {@code metering.events.delivered}, {@code metering.events.retried},
 * {@code metering.events.dead-lettered} and {@code metering.events.coalesced}, and
 * {@code metering.events.refused-late}, tagged {@code dead-lettered} {@code true} for refusals
 * reported after delivery that found their event, {@code false} for those that did not; the
 * timer {@code metering.delivery.latency} from recording to delivery; and the observation
 * {@code metering.provider.requests} of each request to the provider (a timer tagged with its
 * {@code outcome}, and a span where the application traces).
 */
public final class MicrometerDeliveryMetrics implements DeliveryMetrics {

	static final String REQUESTS = "metering.provider.requests";

	private final Counter delivered;

	private final Counter retried;

	private final Counter deadLettered;

	private final Counter coalesced;

	private final Counter refusedLateFound;

	private final Counter refusedLateNotFound;

	private final Timer latency;

	private final ObservationRegistry observations;

	private final String provider;

	/**
	 * @param observations where requests to the provider are observed, which the application
	 * bridges to {@code registry} (as Spring Boot does)
	 * @param provider the name of the provider the events go to, the value of the tag
	 * {@code provider}
	 */
	public MicrometerDeliveryMetrics(MeterRegistry registry, ObservationRegistry observations, String provider) {
		this.delivered = registry.counter("metering.events.delivered", "provider", provider);
		this.retried = registry.counter("metering.events.retried", "provider", provider);
		this.deadLettered = registry.counter("metering.events.dead-lettered", "provider", provider);
		this.coalesced = registry.counter("metering.events.coalesced", "provider", provider);
		this.refusedLateFound = registry.counter("metering.events.refused-late", "provider", provider,
				"dead-lettered", "true");
		this.refusedLateNotFound = registry.counter("metering.events.refused-late", "provider", provider,
				"dead-lettered", "false");
		this.latency = Timer.builder("metering.delivery.latency")
			.description("Time from recording a usage event to its delivery to the provider")
			.tag("provider", provider)
			.publishPercentiles(0.5, 0.95, 0.99)
			.register(registry);
		this.observations = observations;
		this.provider = provider;
	}

	@Override
	public void delivered() {
		this.delivered.increment();
	}

	@Override
	public void deliveredAfter(Duration sinceRecorded) {
		this.latency.record(sinceRecorded.isNegative() ? Duration.ZERO : sinceRecorded);
	}

	@Override
	public void retried() {
		this.retried.increment();
	}

	@Override
	public void deadLettered() {
		this.deadLettered.increment();
	}

	@Override
	public void coalesced(int events) {
		this.coalesced.increment(events);
	}

	@Override
	public void refusedLate(long events, boolean deadLettered) {
		(deadLettered ? this.refusedLateFound : this.refusedLateNotFound).increment(events);
	}

	@Override
	public List<DeliveryOutcome> request(int events, Supplier<List<DeliveryOutcome>> request) {
		Observation observation = Observation.createNotStarted(REQUESTS, this.observations)
			.contextualName(this.provider + " deliver")
			.lowCardinalityKeyValue("provider", this.provider)
			.highCardinalityKeyValue("metering.events", Integer.toString(events))
			.start();
		try (Observation.Scope scope = observation.openScope()) {
			List<DeliveryOutcome> outcomes = request.get();
			observation.lowCardinalityKeyValue("outcome", outcome(outcomes));
			return outcomes;
		}
		catch (RuntimeException ex) {
			observation.lowCardinalityKeyValue("outcome", "error");
			observation.error(ex);
			throw ex;
		}
		finally {
			observation.stop();
		}
	}

	/**
	 * {@code delivered}, {@code retry}, {@code held} or {@code rejected} when every event had that
	 * outcome, else {@code partial}.
	 */
	private static String outcome(List<DeliveryOutcome> outcomes) {
		List<String> kinds = outcomes.stream()
			.map((outcome) -> outcome.getClass().getSimpleName().toLowerCase(Locale.ROOT))
			.distinct()
			.toList();
		return (kinds.size() == 1) ? kinds.get(0) : "partial";
	}

}

package dev.metering.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.metering.BillingSubject;
import dev.metering.MeterUsageSummary;
import dev.metering.metrics.MeteringMeters;
import dev.metering.outbox.DeadLetter;
import dev.metering.outbox.InMemoryUsageOutbox;
import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.MeterDefinition;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.UsageEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class UsageDispatcherTests {

	private final InMemoryUsageOutbox outbox = new InMemoryUsageOutbox(Clock.systemUTC());

	private final ScriptedProvider provider = new ScriptedProvider();

	/**
	 * The customers the provider names, by organization; an organization mapped to null
	 * fails its look-up.
	 */
	private final Map<String, Optional<String>> customerAnswers = new ConcurrentHashMap<>();

	private final AtomicInteger customerLookups = new AtomicInteger();

	private final CustomerLookup customers = (subject) -> {
		this.customerLookups.incrementAndGet();
		Optional<String> answer = this.customerAnswers.get(subject.referenceId());
		if (answer == null) {
			throw new IllegalStateException("Could not find the customer of '" + subject.referenceId() + "': 503");
		}
		return answer;
	};

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final ObservationRegistry observations = countingOn(this.registry);

	private final UsageDispatcher dispatcher = dispatcher(this.provider,
			new RetryBackoff(Duration.ofMillis(10), Duration.ofMillis(40), 4), Duration.ofMillis(20),
			Duration.ofSeconds(2));

	@AfterEach
	void stop() {
		if (this.dispatcher.isRunning()) {
			this.dispatcher.stop();
		}
	}

	@Test
	void passingFailuresAreRetriedWithTheSameIdentifierUntilDelivered() {
		this.provider.script(DeliveryOutcome.retry("429 rate limited"), DeliveryOutcome.retry("503"),
				DeliveryOutcome.delivered());
		this.outbox.append(event("usage_1", 5));
		this.dispatcher.start();

		assertThat(this.dispatcher.flush(Duration.ofSeconds(5))).isTrue();

		assertThat(this.provider.attempts).extracting(UsageEvent::identifier)
			.containsExactly("usage_1", "usage_1", "usage_1");
		assertThat(this.outbox.deadLetters()).isEmpty();
		assertThat(this.registry.counter("metering.events.retried", "provider", "scripted").count()).isEqualTo(2);
		assertThat(this.registry.counter("metering.events.delivered", "provider", "scripted").count()).isEqualTo(1);
	}

	@Test
	void permanentRejectionsGoToDeadLettersWithTheReasonAndAreNotRetried() {
		this.provider.script(DeliveryOutcome.rejected("resource_missing", "No such customer: 'cus_gone'"));
		this.outbox.append(event("usage_2", 7));
		this.dispatcher.start();

		assertThat(this.dispatcher.flush(Duration.ofSeconds(5))).isTrue();

		assertThat(this.provider.attempts).hasSize(1);
		assertThat(this.outbox.deadLetters()).singleElement().satisfies((dead) -> {
			assertThat(dead.event().identifier()).isEqualTo("usage_2");
			assertThat(dead.code()).isEqualTo("resource_missing");
			assertThat(dead.message()).isEqualTo("No such customer: 'cus_gone'");
			assertThat(dead.attempts()).isEqualTo(1);
		});
		assertThat(this.registry.counter("metering.events.dead-lettered", "provider", "scripted").count()).isEqualTo(1);
	}

	@Test
	void failuresThatNeverPassAreDeadLetteredAfterTheLastAttempt() {
		this.provider.script(DeliveryOutcome.retry("500"), DeliveryOutcome.retry("500"), DeliveryOutcome.retry("500"),
				DeliveryOutcome.retry("timeout"));
		this.outbox.append(event("usage_3", 1));
		this.dispatcher.start();

		assertThat(this.dispatcher.flush(Duration.ofSeconds(5))).isTrue();

		assertThat(this.provider.attempts).hasSize(4);
		assertThat(this.outbox.deadLetters()).extracting(DeadLetter::code, DeadLetter::message, DeadLetter::attempts)
			.containsExactly(tuple("retries_exhausted", "timeout", 4));
	}

	@Test
	void providerExceptionsAreRetriedNotLost() {
		this.provider.script(null, DeliveryOutcome.delivered());
		this.outbox.append(event("usage_4", 3));
		this.dispatcher.start();

		assertThat(this.dispatcher.flush(Duration.ofSeconds(5))).isTrue();

		assertThat(this.provider.attempts).hasSize(2);
		assertThat(this.outbox.pendingCount()).isZero();
		assertThat(this.outbox.deadLetters()).isEmpty();
	}

	@Test
	void shutdownDeliversWhatIsPending() {
		UsageDispatcher slow = dispatcher(this.provider,
				new RetryBackoff(Duration.ofMillis(10), Duration.ofMillis(40), 4), Duration.ofHours(1),
				Duration.ofSeconds(2));
		slow.start();
		for (int i = 0; i < 250; i++) {
			this.outbox.append(event("usage_s" + i, 1));
		}

		slow.stop();

		assertThat(this.outbox.pendingCount()).isZero();
		assertThat(this.provider.attempts).hasSize(250);
	}

	@Test
	void flushGivesUpAtItsTimeoutWhileDeliveryKeepsFailing() {
		UsageDispatcher patient = dispatcher(this.provider,
				new RetryBackoff(Duration.ofSeconds(30), Duration.ofSeconds(60), 4), Duration.ofMillis(20),
				Duration.ofMillis(100));
		this.provider.script(DeliveryOutcome.retry("503"));
		this.outbox.append(event("usage_5", 1));
		patient.start();
		try {
			assertThat(patient.flush(Duration.ofMillis(300))).isFalse();
			assertThat(this.outbox.pendingCount()).isEqualTo(1);
		}
		finally {
			patient.stop();
		}
	}

	@Test
	void customersAreDeliveredSideBySideButEachCustomerOneEventAtATime() {
		LatentProvider latent = new LatentProvider();
		UsageDispatcher lanes = dispatcher(latent, new RetryBackoff(Duration.ofMillis(10), Duration.ofMillis(40), 4),
				Duration.ofHours(1), Duration.ofSeconds(2));
		for (int i = 0; i < 80; i++) {
			this.outbox.append(new UsageEvent("usage_l" + i, "ai_tokens", "cus_" + (i % 8), 1, Instant.now()));
		}
		lanes.start();
		try {
			assertThat(lanes.flush(Duration.ofSeconds(10))).isTrue();
		}
		finally {
			lanes.stop();
		}

		assertThat(latent.delivered).hasValue(80);
		assertThat(latent.threads).extracting(Thread::getName)
			.allMatch((name) -> name.startsWith("metering-delivery-"))
			.hasSizeGreaterThan(1);
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(latent.threads).as("ended with the dispatcher").noneMatch(Thread::isAlive));
		assertThat(latent.maxInFlightPerCustomer).hasValue(1);
		assertThat(latent.maxInFlight.get()).isBetween(2, 4);
	}

	@Test
	void flushFromAnInterruptedThreadReturnsAtOnceAndKeepsTheInterrupt() {
		UsageDispatcher patient = dispatcher(this.provider,
				new RetryBackoff(Duration.ofSeconds(30), Duration.ofSeconds(60), 4), Duration.ofMillis(20),
				Duration.ofMillis(100));
		this.provider.script(DeliveryOutcome.retry("503"));
		this.outbox.append(event("usage_i", 1));
		patient.start();
		try {
			assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
				Thread.currentThread().interrupt();
				assertThat(patient.flush(Duration.ofSeconds(10))).isFalse();
				assertThat(Thread.currentThread().isInterrupted()).isTrue();
			});
		}
		finally {
			patient.stop();
		}
	}

	@Test
	void anEventStampedAheadIsDeliveredAtOnceWithTheTimeItCarries() {
		Instant ahead = Instant.now().plus(Duration.ofMinutes(4));
		this.outbox.append(new UsageEvent("usage_ahead", "ai_tokens", "cus_1", 2, ahead));
		this.dispatcher.start();

		assertThat(this.dispatcher.flush(Duration.ofSeconds(5))).isTrue();

		assertThat(this.provider.attempts).extracting(UsageEvent::timestamp).containsExactly(ahead);
	}

	@Test
	void anEventStampedAheadIsDeliveredAtShutdown() {
		UsageDispatcher slow = dispatcher(this.provider,
				new RetryBackoff(Duration.ofMillis(10), Duration.ofMillis(40), 4), Duration.ofHours(1),
				Duration.ofSeconds(2));
		slow.start();
		this.outbox.append(new UsageEvent("usage_ahead", "ai_tokens", "cus_1", 2, Instant.now().plusSeconds(290)));

		slow.stop();

		assertThat(this.outbox.pendingCount()).isZero();
		assertThat(this.provider.attempts).extracting(UsageEvent::identifier).containsExactly("usage_ahead");
	}

	@Test
	void usageRecordedWhileTheCustomerWasUnknownIsDeliveredOnceTheProviderNamesItUnderItsOwnIdentifier() {
		this.outbox.append(awaiting("usage_w1", "org_a", 5));
		this.outbox.append(awaiting("usage_w2", "org_a", 7));
		this.dispatcher.start();

		// the provider cannot tell yet: the events wait, pending, and are looked up again
		await().atMost(Duration.ofSeconds(5)).until(() -> this.customerLookups.get() >= 2);
		assertThat(this.provider.attempts).isEmpty();
		assertThat(this.outbox.backlog().awaitingCustomer()).isEqualTo(2);
		assertThat(this.outbox.pendingCount()).isEqualTo(2);

		this.customerAnswers.put("org_a", Optional.of("cus_a"));
		assertThat(this.dispatcher.flush(Duration.ofSeconds(5))).isTrue();

		assertThat(this.provider.attempts).extracting(UsageEvent::identifier, UsageEvent::customerId, UsageEvent::value)
			.containsExactlyInAnyOrder(tuple("usage_w1", "cus_a", 5L), tuple("usage_w2", "cus_a", 7L));
		assertThat(this.outbox.backlog().awaitingCustomer()).isZero();
	}

	@Test
	void usageOfAnOrganizationWithoutACustomerBecomesDeadLettersSayingSoThatWaitAgainWhenReDriven() {
		this.customerAnswers.put("org_none", Optional.empty());
		this.outbox.append(awaiting("usage_n1", "org_none", 4));
		this.dispatcher.start();

		assertThat(this.dispatcher.flush(Duration.ofSeconds(5))).isTrue();
		assertThat(this.provider.attempts).isEmpty();
		assertThat(this.outbox.deadLetters()).singleElement().satisfies((dead) -> {
			assertThat(dead.event().identifier()).isEqualTo("usage_n1");
			assertThat(dead.code()).isEqualTo("no_customer");
			assertThat(dead.message()).startsWith("scripted has no customer for organization 'org_none'");
		});

		this.customerAnswers.put("org_none", Optional.of("cus_later"));
		assertThat(this.outbox.redrive("usage_n1")).isTrue();
		assertThat(this.dispatcher.flush(Duration.ofSeconds(5))).isTrue();

		assertThat(this.provider.attempts).extracting(UsageEvent::identifier, UsageEvent::customerId)
			.containsExactly(tuple("usage_n1", "cus_later"));
		assertThat(this.outbox.deadLetters()).isEmpty();
	}

	private static UsageEvent awaiting(String identifier, String organization, long value) {
		return new UsageEvent(identifier, "ai_tokens", null, value, Instant.now(), null,
				BillingSubject.organization(organization));
	}

	@Test
	void eventsStampedAheadAreCoalescedAndDeliveredAtOnce() {
		UsageDispatcher coalescing = new UsageDispatcher(this.outbox, this.provider, this.customers,
				new DeliverySettings(new RetryBackoff(Duration.ofMillis(10), Duration.ofMillis(40), 4),
						Duration.ofHours(1), Duration.ofSeconds(2), 4, Set.of("ai_tokens"), Duration.ofDays(7),
						Duration.ofMillis(50)),
				Clock.systemUTC(), this.observations);
		Instant ahead = Instant.now().plus(Duration.ofMinutes(4));
		this.outbox.append(new UsageEvent("usage_a1", "ai_tokens", "cus_1", 2, ahead));
		this.outbox.append(new UsageEvent("usage_a2", "ai_tokens", "cus_1", 3, ahead.plusMillis(1)));
		coalescing.start();
		try {
			assertThat(coalescing.flush(Duration.ofSeconds(5))).isTrue();
		}
		finally {
			coalescing.stop();
		}

		assertThat(this.provider.attempts).singleElement().satisfies((merged) -> {
			assertThat(merged.value()).isEqualTo(5);
			assertThat(merged.timestamp()).isEqualTo(ahead.plusMillis(1));
		});
		assertThat(this.registry.counter("metering.events.coalesced", "provider", "scripted").count()).isEqualTo(2);
	}

	private UsageDispatcher dispatcher(MeterProvider provider, RetryBackoff backoff, Duration flushInterval,
			Duration shutdownTimeout) {
		return new UsageDispatcher(this.outbox, provider, this.customers, new DeliverySettings(backoff, flushInterval,
				shutdownTimeout, 4, Set.of(), Duration.ofDays(7), Duration.ofMillis(50)), Clock.systemUTC(),
				this.observations);
	}

	/** Observations of delivery that count what it does on {@code registry}. */
	private static ObservationRegistry countingOn(SimpleMeterRegistry registry) {
		ObservationRegistry observations = ObservationRegistry.create();
		observations.observationConfig().observationHandler(MeteringMeters.delivery(registry));
		return observations;
	}

	private static UsageEvent event(String identifier, long value) {
		return new UsageEvent(identifier, "ai_tokens", "cus_1", value, Instant.now());
	}

	/** A provider that takes any customer and time and reads no usage back. */
	abstract static class TakesAnything implements MeterProvider {

		@Override
		public Optional<String> rejectCustomerId(String customerId) {
			return Optional.empty();
		}

		@Override
		public Optional<String> rejectTimestamp(Instant timestamp, Instant now) {
			return Optional.empty();
		}

		@Override
		public List<MeterUsageSummary> usage(MeterDefinition meter, String customerId, Instant start, Instant end) {
			return List.of();
		}

	}

	/** A provider that takes a few milliseconds a call and tracks what is in flight. */
	static final class LatentProvider extends TakesAnything {

		private final Map<String, AtomicInteger> inFlightPerCustomer = new ConcurrentHashMap<>();

		private final AtomicInteger inFlight = new AtomicInteger();

		final AtomicInteger maxInFlight = new AtomicInteger();

		final AtomicInteger maxInFlightPerCustomer = new AtomicInteger();

		final AtomicInteger delivered = new AtomicInteger();

		final Set<Thread> threads = ConcurrentHashMap.newKeySet();

		@Override
		public String name() {
			return "latent";
		}

		@Override
		public DeliveryOutcome deliver(UsageEvent event) {
			AtomicInteger customer = this.inFlightPerCustomer.computeIfAbsent(event.customerId(),
					(id) -> new AtomicInteger());
			this.maxInFlightPerCustomer.accumulateAndGet(customer.incrementAndGet(), Math::max);
			this.maxInFlight.accumulateAndGet(this.inFlight.incrementAndGet(), Math::max);
			LockSupport.parkNanos(Duration.ofMillis(5).toNanos()); // the provider's
																	// latency
			this.inFlight.decrementAndGet();
			customer.decrementAndGet();
			this.delivered.incrementAndGet();
			this.threads.add(Thread.currentThread());
			return DeliveryOutcome.delivered();
		}

	}

	/** A provider answering from a script; {@code null} in the script means "throws". */
	static final class ScriptedProvider extends TakesAnything {

		private final Deque<DeliveryOutcome> script = new ArrayDeque<>();

		private final List<UsageEvent> attempts = new ArrayList<>();

		private boolean throwNext;

		synchronized void script(DeliveryOutcome... outcomes) {
			for (DeliveryOutcome outcome : outcomes) {
				if (outcome == null) {
					this.throwNext = true;
				}
				else {
					this.script.add(outcome);
				}
			}
		}

		@Override
		public String name() {
			return "scripted";
		}

		@Override
		public synchronized DeliveryOutcome deliver(UsageEvent event) {
			this.attempts.add(event);
			if (this.throwNext) {
				this.throwNext = false;
				throw new IllegalStateException("connection reset");
			}
			DeliveryOutcome next = this.script.poll();
			return (next != null) ? next : DeliveryOutcome.delivered();
		}

	}

}

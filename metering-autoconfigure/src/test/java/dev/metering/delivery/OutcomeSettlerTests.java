package dev.metering.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;

import dev.metering.outbox.InMemoryUsageOutbox;
import dev.metering.outbox.OutboxEntry;
import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.UsageEvent;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a provider's answer settles an event: the wait it asks for, and holding back.
 */
class OutcomeSettlerTests {

	private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

	private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

	private final InMemoryUsageOutbox outbox = new InMemoryUsageOutbox(this.clock);

	private final RetryBackoff backoff = new RetryBackoff(Duration.ofMillis(10), Duration.ofSeconds(2), 3);

	private final OutcomeSettler settler = new OutcomeSettler(this.outbox, this.backoff, ObservationRegistry.NOOP,
			"test", this.clock);

	@Test
	void aRetryAfterLongerThanTheBackoffIsWaitedOut() {
		this.settler.settle(pending(), DeliveryOutcome.retry("429: slow down", Duration.ofSeconds(30)));

		assertThat(this.outbox.due(NOW.plusSeconds(29), 10)).isEmpty();
		assertThat(this.outbox.due(NOW.plusSeconds(30), 10)).singleElement()
			.satisfies((entry) -> assertThat(entry.lastError()).isEqualTo("429: slow down"));
	}

	@Test
	void aRetryAfterShorterThanTheBackoffKeepsTheBackoff() {
		this.settler.settle(pending(), DeliveryOutcome.retry("503", Duration.ZERO));

		assertThat(this.outbox.due(NOW, 10)).isEmpty();
		assertThat(this.outbox.due(NOW.plus(this.backoff.max()), 10)).hasSize(1);
	}

	@Test
	void heldEventsWaitTheLongestBackoffAndAreNeverDeadLettered() {
		this.outbox.append(new UsageEvent("usage_1", "ai_tokens", "cus_1", 5, NOW));
		for (int i = 0; i < 5; i++) {
			OutboxEntry entry = this.outbox.due(NOW.plusSeconds(60L * i), 10).get(0);
			this.settler.settle(entry, DeliveryOutcome.held("401 Unauthorized"));
			assertThat(this.outbox.due(NOW.plus(this.backoff.max()).minusMillis(1), 10)).isEmpty();
		}

		assertThat(this.outbox.deadLetters()).isEmpty();
		assertThat(this.outbox.pendingCount()).isOne();
		assertThat(this.outbox.due(NOW.plus(this.backoff.max()), 10)).singleElement()
			.satisfies((entry) -> assertThat(entry.lastError()).isEqualTo("401 Unauthorized"));
	}

	@Test
	void holdingAnEventDoesNotUseUpItsAttempts() {
		this.outbox.append(new UsageEvent("usage_1", "ai_tokens", "cus_1", 5, NOW));
		for (int i = 0; i < 5; i++) {
			OutboxEntry entry = this.outbox.due(NOW.plusSeconds(60L * i), 10).get(0);
			this.settler.settle(entry, DeliveryOutcome.held("401 Unauthorized"));
		}
		OutboxEntry afterTheFix = this.outbox.due(NOW.plusSeconds(600), 10).get(0);
		assertThat(afterTheFix.attempts()).isZero();

		// the token fixed, the provider has a passing failure: a retry like any first one
		this.settler.settle(afterTheFix, DeliveryOutcome.retry("503"));

		assertThat(this.outbox.deadLetters()).isEmpty();
		assertThat(this.outbox.pendingCount()).isOne();
	}

	private OutboxEntry pending() {
		this.outbox.append(new UsageEvent("usage_1", "ai_tokens", "cus_1", 5, NOW));
		return this.outbox.due(NOW, 10).get(0);
	}

}

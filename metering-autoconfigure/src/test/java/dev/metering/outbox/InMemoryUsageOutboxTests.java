package dev.metering.outbox;

import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.metering.provider.UsageEvent;
import dev.metering.support.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The outbox in memory tells an operator what waits, and keeps when each event was
 * recorded.
 */
class InMemoryUsageOutboxTests {

	private static final Instant FIRST = Instant.parse("2030-01-01T10:00:00Z");

	private final MutableClock clock = new MutableClock(FIRST);

	private final InMemoryUsageOutbox outbox = new InMemoryUsageOutbox(this.clock);

	@Test
	void aPendingEventIsCancelledNeverToBeDeliveredAndADeliveredOneIsKeptToBeCancelled() {
		UsageEvent pending = new UsageEvent("usage_c1", "ai_tokens", "cus_1", 3, Instant.EPOCH);
		UsageEvent delivered = new UsageEvent("usage_c2", "ai_tokens", "cus_2", 4, Instant.EPOCH);
		this.outbox.append(delivered);
		assertThat(this.outbox.due(this.clock.instant(), 10)).hasSize(1);
		assertThatIllegalStateException().isThrownBy(() -> this.outbox.cancel("usage_c2"))
			.withMessageContaining("is being delivered now");
		this.outbox.markDelivered("usage_c2");
		this.outbox.append(pending);

		assertThat(this.outbox.cancel("usage_c1")).hasValue(new CancelledUsage(pending, null));
		assertThat(this.outbox.pendingCount()).isZero();
		assertThat(this.outbox.cancel("usage_c2")).hasValue(new CancelledUsage(delivered, this.clock.instant()));
		assertThat(this.outbox.cancel("usage_c2")).isEmpty();
		this.outbox.restoreDelivered("usage_c2");
		assertThat(this.outbox.cancel("usage_c2")).isPresent();

		assertThat(this.outbox.purgeSettled(this.clock.instant().plusSeconds(1))).isOne();
		assertThat(this.outbox.cancel("usage_c2")).isEmpty();
	}

	@Test
	void anEventMergedIntoOneThatWaitsIsTakenOutOfIt() {
		this.outbox.append(new UsageEvent("usage_m1", "ai_tokens", "cus_m", 2, Instant.EPOCH));
		this.outbox.append(new UsageEvent("usage_m2", "ai_tokens", "cus_m", 3, Instant.EPOCH));
		assertThat(this.outbox.coalesce(Set.of("ai_tokens"), this.clock.instant(), () -> "usage_merged")).isEqualTo(2);

		assertThat(this.outbox.cancel("usage_m2")).isPresent();
		assertThat(this.outbox.due(this.clock.instant(), 10)).extracting(OutboxEntry::event)
			.extracting(UsageEvent::identifier, UsageEvent::value)
			.containsExactly(tuple("usage_merged", 2L));
		this.outbox.markDelivered("usage_merged");
		assertThatIllegalStateException().isThrownBy(() -> this.outbox.cancel("usage_m1"))
			.withMessageContaining("metering.delivery.coalesce=false");
	}

	@Test
	void theBacklogCountsPendingEventsAndDeadLettersPerEventNameAndTellsTheOldestRecorded() {
		this.outbox.append(event("usage_1", "ai_tokens"));
		this.clock.set(FIRST.plusSeconds(5));
		this.outbox.append(event("usage_2", "ai_tokens"));
		this.outbox.append(event("usage_3", "api_calls"));
		this.outbox.append(event("usage_4", "ai_tokens"));
		this.outbox.deadLetter("usage_4", "resource_missing", "No such customer", FIRST.plusSeconds(6));

		OutboxBacklog backlog = this.outbox.backlog();

		assertThat(backlog.pending()).isEqualTo(3);
		assertThat(backlog.pendingByEventName()).containsExactly(entry("ai_tokens", 2L), entry("api_calls", 1L));
		assertThat(backlog.deadLetters()).isOne();
		assertThat(backlog.deadLettersByEventName()).containsExactly(entry("ai_tokens", 1L));
		assertThat(backlog.oldestPendingRecordedAt()).isEqualTo(FIRST);
		this.outbox.markDelivered("usage_1");
		assertThat(this.outbox.backlog().oldestPendingRecordedAt()).isEqualTo(FIRST.plusSeconds(5));
	}

	@Test
	void aMergedEventWasRecordedWithTheFirstItCoversAndARedrivenOneKeepsItsTime() {
		this.outbox.append(event("usage_1", "ai_tokens"));
		this.clock.set(FIRST.plusSeconds(30));
		this.outbox.append(event("usage_2", "ai_tokens"));
		this.outbox.append(event("usage_3", "api_calls"));
		this.outbox.deadLetter("usage_3", "resource_missing", "No such customer", FIRST.plusSeconds(31));
		this.clock.set(FIRST.plusSeconds(60));

		this.outbox.coalesce(Set.of("ai_tokens"), FIRST.plusSeconds(60), () -> "usage_sum");
		this.outbox.redrive("usage_3");

		assertThat(this.outbox.due(FIRST.plusSeconds(60), 10))
			.extracting((entry) -> entry.event().identifier(), OutboxEntry::recordedAt)
			.containsExactly(tuple("usage_sum", FIRST), tuple("usage_3", FIRST.plusSeconds(30)));
	}

	@Test
	void aMergedEventIsDueInThePassThatMergedIt() {
		this.outbox.append(event("usage_1", "ai_tokens"));
		this.outbox.append(event("usage_2", "ai_tokens"));
		Instant passStart = FIRST.plusSeconds(1);
		// the pass began a moment ago: what it merges is still due in it, as at
		// shutdown's last pass
		this.clock.set(passStart.plusMillis(5));

		assertThat(this.outbox.coalesce(Set.of("ai_tokens"), passStart, () -> "usage_sum")).isEqualTo(2);

		assertThat(this.outbox.due(passStart, 10)).extracting((entry) -> entry.event().identifier())
			.containsExactly("usage_sum");
	}

	@Test
	void deadLettersComeInPagesOldestFirst() {
		for (int i = 0; i < 3; i++) {
			this.outbox.append(event("usage_" + i, "ai_tokens"));
			this.outbox.deadLetter("usage_" + i, "resource_missing", "No such customer", FIRST.plusSeconds(i));
		}

		assertThat(this.outbox.deadLetters(1, 5)).extracting((dead) -> dead.event().identifier())
			.containsExactly("usage_1", "usage_2");
		assertThat(this.outbox.deadLetters(3, 5)).isEmpty();
	}

	private static UsageEvent event(String identifier, String eventName) {
		return new UsageEvent(identifier, eventName, "cus_1", 1, FIRST.minusSeconds(3600));
	}

}

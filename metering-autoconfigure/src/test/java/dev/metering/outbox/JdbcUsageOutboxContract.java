package dev.metering.outbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.metering.BillingSubject;
import dev.metering.UsageDimensions;
import dev.metering.autoconfigure.MeteringDataSourceScriptDatabaseInitializer;
import dev.metering.lock.InstanceLock;
import dev.metering.lock.InstanceLocks;
import dev.metering.provider.UsageEvent;
import dev.metering.support.MutableClock;
import dev.metering.support.StoreJdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

/**
 * What every database's outbox must do, run against a real database by each subclass.
 */
abstract class JdbcUsageOutboxContract {

	abstract DataSource dataSource();

	private JdbcUsageOutbox appender;

	private JdbcDeliveryQueue outbox;

	@BeforeEach
	void createSchema() {
		new MeteringDataSourceScriptDatabaseInitializer(dataSource(), DatabaseInitializationMode.ALWAYS)
			.initializeDatabase();
		new JdbcTemplate(dataSource()).update("DELETE FROM metering_usage_event");
		new JdbcTemplate(dataSource()).update("DELETE FROM metering_lock");
		this.appender = new JdbcUsageOutbox(StoreJdbc.client(dataSource()), StoreJdbc.batches(dataSource()),
				StoreJdbc.transactions(dataSource()), Clock.systemUTC());
		this.outbox = outbox("instance-a", Duration.ofMinutes(1));
	}

	@Test
	void schemaScriptCanRunAgain() {
		assertThat(new MeteringDataSourceScriptDatabaseInitializer(dataSource(), DatabaseInitializationMode.ALWAYS)
			.initializeDatabase()).as("ran").isTrue();
		this.appender.append(event("usage_again", 1));
		assertThat(this.outbox.pendingCount()).isOne();
	}

	@Test
	void anEventStampedAheadIsDueWhenAppendedAndKeepsItsTimestamp() {
		Instant ahead = Instant.ofEpochMilli(Instant.now().plus(Duration.ofMinutes(4)).toEpochMilli());
		UsageEvent event = new UsageEvent("usage_ahead", "ai_tokens", "cus_1", 3, ahead);
		this.appender.append(event);

		assertThat(this.outbox.due(Instant.now(), 10)).extracting(OutboxEntry::event).containsExactly(event);
	}

	@Test
	void anEventKeepsTheSubjectItIsTheUsageOfAndAMergedEventTheSubjectItsEventsShare() {
		JdbcUsageOutbox merging = new JdbcUsageOutbox(StoreJdbc.client(dataSource()), StoreJdbc.batches(dataSource()),
				StoreJdbc.transactions(dataSource()), Clock.systemUTC(), Set.of("ai_tokens"), null);
		Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
		BillingSubject acme = BillingSubject.organization("org_acme");
		BillingSubject alice = BillingSubject.personal("alice");
		merging.appendAll(List.of(
				new UsageEvent("usage_s1", "ai_tokens", "cus_s", 2, hour, UsageDimensions.none(), acme),
				new UsageEvent("usage_s2", "ai_tokens", "cus_s", 3, hour.plusSeconds(1), UsageDimensions.none(), acme),
				new UsageEvent("usage_s3", "ai_tokens", "cus_t", 4, hour, UsageDimensions.none(), acme),
				new UsageEvent("usage_s4", "ai_tokens", "cus_t", 5, hour.plusSeconds(1), UsageDimensions.none(), alice),
				new UsageEvent("usage_s5", "api_calls", "cus_t", 1, hour, UsageDimensions.none(), alice),
				new UsageEvent("usage_s6", "api_calls", "cus_t", 1, hour)));

		assertThat(this.outbox.due(Instant.now(), 10)).extracting(OutboxEntry::event)
			.extracting(UsageEvent::customerId, UsageEvent::value, UsageEvent::subject)
			.containsExactlyInAnyOrder(tuple("cus_s", 5L, acme), tuple("cus_t", 9L, null), tuple("cus_t", 1L, alice),
					tuple("cus_t", 1L, null));
	}

	@Test
	void theEventsOfAnOrganizationKeepTheInstanceThatRecordedThemThoughMerged() {
		JdbcUsageOutbox recording = new JdbcUsageOutbox(StoreJdbc.client(dataSource()), StoreJdbc.batches(dataSource()),
				StoreJdbc.transactions(dataSource()), Clock.systemUTC(), Set.of("ai_tokens"), "instance-a");
		Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
		BillingSubject acme = BillingSubject.organization("org_acme");
		// two merged as they are written, a third merged by the dispatcher's pass
		recording.appendAll(List.of(
				new UsageEvent("usage_r1", "ai_tokens", "cus_r", 2, hour, UsageDimensions.none(), acme),
				new UsageEvent("usage_r2", "ai_tokens", "cus_r", 3, hour.plusSeconds(2), UsageDimensions.none(), acme),
				new UsageEvent("usage_r3", "ai_tokens", "cus_r", 7, hour, UsageDimensions.none(),
						BillingSubject.organization("org_other")),
				new UsageEvent("usage_r4", "ai_tokens", "cus_r", 100, hour.plusSeconds(1))));
		recording.append(
				new UsageEvent("usage_r5", "ai_tokens", "cus_r", 4, hour.plusSeconds(3), UsageDimensions.none(), acme));
		assertThat(this.outbox.coalesce(Set.of("ai_tokens"), Instant.now(), () -> "usage_pass")).isPositive();
		new JdbcUsageOutbox(StoreJdbc.client(dataSource()), StoreJdbc.batches(dataSource()),
				StoreJdbc.transactions(dataSource()), Clock.systemUTC(), Set.of(), "instance-b")
			.append(new UsageEvent("usage_r6", "ai_tokens", "cus_r", 50, hour, UsageDimensions.none(), acme));

		JdbcTemplate rows = new JdbcTemplate(dataSource());
		assertThat(rows.queryForList("SELECT identifier FROM metering_usage_event WHERE recorded_by = 'instance-a' "
				+ "AND subject_id = 'org_acme' ORDER BY identifier", String.class))
			.as("each event of an organization keeps the instance that recorded it, merged or not")
			.containsExactly("usage_r1", "usage_r2", "usage_r5");
		assertThat(rows.queryForList("SELECT identifier FROM metering_usage_event WHERE recorded_by = 'instance-b'",
				String.class))
			.containsExactly("usage_r6");
		assertThat(new JdbcTemplate(dataSource()).queryForList(
				"SELECT recorded_by FROM metering_usage_event " + "WHERE identifier NOT LIKE 'usage_r%'", String.class))
			.as("merged events record no instance")
			.isNotEmpty()
			.containsOnlyNulls();
	}

	@Test
	void eventsWrittenTogetherAreStoredMergedWithTheEventsTheyCover() {
		JdbcUsageOutbox merging = new JdbcUsageOutbox(StoreJdbc.client(dataSource()), StoreJdbc.batches(dataSource()),
				StoreJdbc.transactions(dataSource()), Clock.systemUTC(), Set.of("ai_tokens"), null);
		Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
		merging.appendAll(List.of(new UsageEvent("usage_w1", "ai_tokens", "cus_w", 2, hour),
				new UsageEvent("usage_w2", "api_calls", "cus_w", 1, hour.plusSeconds(1)),
				new UsageEvent("usage_w3", "ai_tokens", "cus_w", 3, hour.plusSeconds(2)),
				new UsageEvent("usage_w4", "ai_tokens", "cus_other", 4, hour.plusSeconds(3))));

		List<UsageEvent> due = this.outbox.due(Instant.now(), 10).stream().map(OutboxEntry::event).toList();
		assertThat(due).extracting(UsageEvent::eventName, UsageEvent::customerId, UsageEvent::value)
			.containsExactlyInAnyOrder(tuple("ai_tokens", "cus_w", 5L), tuple("api_calls", "cus_w", 1L),
					tuple("ai_tokens", "cus_other", 4L));
		String mergedInto = due.stream().filter((event) -> event.value() == 5).findFirst().orElseThrow().identifier();
		assertThat(
				new JdbcTemplate(dataSource()).queryForList(
						"SELECT identifier FROM metering_usage_event "
								+ "WHERE status = 'C' AND coalesced_into = ? ORDER BY identifier",
						String.class, mergedInto))
			.containsExactly("usage_w1", "usage_w3");
	}

	@Test
	void eventsStampedAheadAreCoalescedIntoAnEventDueAtOnce() {
		Instant ahead = Instant.ofEpochMilli(Instant.now().plus(Duration.ofMinutes(4)).toEpochMilli());
		this.appender.appendAll(List.of(new UsageEvent("usage_f1", "ai_tokens", "cus_f", 2, ahead),
				new UsageEvent("usage_f2", "ai_tokens", "cus_f", 3, ahead.plusMillis(1))));

		assertThat(this.outbox.coalesce(Set.of("ai_tokens"), Instant.now(), () -> "usage_fsum")).isEqualTo(2);
		assertThat(this.outbox.due(Instant.now(), 10)).extracting(OutboxEntry::event)
			.containsExactly(new UsageEvent("usage_fsum", "ai_tokens", "cus_f", 5, ahead.plusMillis(1)));
	}

	@Test
	void appendRefusesAFieldLongerThanItsColumnAndStoresNothing() {
		UsageEvent tooLong = new UsageEvent("usage_long", "ai_tokens", "c".repeat(201), 1, Instant.now());

		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.appender.appendAll(List.of(event("usage_ok", 1), tooLong)))
			.withMessage("customerId is 201 characters; the outbox holds at most 200");
		assertThat(this.outbox.pendingCount()).isZero();
	}

	@Test
	void appendedEventsComeBackDueWithTheirIdentifierValueAndTime() {
		UsageEvent event = event("usage_1", 17);
		this.appender.append(event);

		assertThat(this.outbox.pendingCount()).isOne();
		assertThat(this.outbox.due(Instant.now(), 10)).singleElement().satisfies((entry) -> {
			assertThat(entry.event()).isEqualTo(event);
			assertThat(entry.attempts()).isZero();
		});
	}

	@Test
	void claimedEventsAreNotHandedOutAgainUntilTheLeaseEnds() {
		this.appender.appendAll(List.of(event("usage_a", 1), event("usage_b", 2)));
		JdbcDeliveryQueue other = outbox("instance-b", Duration.ofMinutes(1));

		assertThat(this.outbox.due(Instant.now(), 10)).hasSize(2);
		assertThat(other.due(Instant.now(), 10)).isEmpty();
		assertThat(other.due(Instant.now().plus(Duration.ofMinutes(2)), 10)).as("after the lease").hasSize(2);
	}

	@Test
	void retriesWaitForTheirTimeAndCountAttempts() {
		this.appender.append(event("usage_r", 3));
		this.outbox.due(Instant.now(), 10);
		Instant later = Instant.now().plusSeconds(30);
		this.outbox.scheduleRetry("usage_r", later, "503 api_error");

		assertThat(this.outbox.due(Instant.now(), 10)).isEmpty();
		assertThat(this.outbox.due(later, 10)).singleElement().satisfies((entry) -> {
			assertThat(entry.attempts()).isOne();
			assertThat(entry.lastError()).isEqualTo("503 api_error");
		});
	}

	@Test
	void heldEventsWaitForTheirTimeWithoutCountingAnAttemptAndAreNeverCoalesced() {
		this.appender.append(event("usage_h1", 3));
		this.appender.append(event("usage_h2", 4));
		this.outbox.due(Instant.now(), 10);
		Instant later = Instant.now().plusSeconds(30);
		this.outbox.hold("usage_h1", later, "401 invalid token");
		this.outbox.hold("usage_h2", later, "401 invalid token");

		assertThat(this.outbox.due(Instant.now(), 10)).isEmpty();
		assertThat(this.outbox.coalesce(Set.of("ai_tokens"), later, () -> "usage_hsum")).as("ever claimed").isZero();
		assertThat(this.outbox.due(later, 10)).hasSize(2).allSatisfy((entry) -> {
			assertThat(entry.attempts()).isZero();
			assertThat(entry.lastError()).isEqualTo("401 invalid token");
		});
	}

	@Test
	void ofTheInstancesSharingTheTableOneForgetsDeliveredEventsAnHour() {
		MutableClock clock = new MutableClock(Instant.now());
		JdbcDeliveryQueue first = outbox("instance-1", Duration.ofMinutes(1), clock);
		JdbcDeliveryQueue second = outbox("instance-2", Duration.ofMinutes(1), clock);
		deliver("usage_p1");
		assertThat(first.purgeSettled(Instant.now().plusSeconds(1))).isOne();
		deliver("usage_p2");
		clock.set(clock.instant().plus(Duration.ofMinutes(59)));
		assertThat(second.purgeSettled(Instant.now().plusSeconds(1))).as("purged by instance-1 this hour").isZero();
		clock.set(clock.instant().plus(Duration.ofMinutes(1)));
		assertThat(second.purgeSettled(Instant.now().plusSeconds(1))).isOne();
		assertThat(first.purgeSettled(Instant.now().plusSeconds(1))).as("purged by instance-2 this hour").isZero();
	}

	private void deliver(String identifier) {
		this.appender.append(event(identifier, 1));
		assertThat(this.outbox.due(Instant.now(), 10)).isNotEmpty();
		this.outbox.markDelivered(identifier);
	}

	@Test
	void deliveredEventsLeaveThePendingCount() {
		this.appender.appendAll(List.of(event("usage_d1", 1), event("usage_d2", 1)));
		this.outbox.due(Instant.now(), 10);
		this.outbox.markDelivered("usage_d1");

		assertThat(this.outbox.pendingCount()).isOne();
		assertThat(this.outbox.due(Instant.now().plus(Duration.ofMinutes(2)), 10))
			.extracting((e) -> e.event().identifier())
			.containsExactly("usage_d2");
		assertThat(this.outbox.purgeSettled(Instant.now().minusSeconds(60))).as("too recent").isZero();
		assertThat(this.outbox.purgeSettled(Instant.now().plusSeconds(1))).isOne();
		assertThat(this.outbox.pendingCount()).as("pending events stay").isOne();
	}

	@Test
	void deadLettersKeepTheReasonAndCanBeRedriven() {
		this.appender.append(event("usage_x", 5));
		this.outbox.due(Instant.now(), 10);
		Instant failedAt = Instant.ofEpochMilli(Instant.now().toEpochMilli());
		this.outbox.deadLetter("usage_x", "resource_missing", "No such customer: 'cus_1'", failedAt);

		assertThat(this.outbox.pendingCount()).isZero();
		assertThat(this.outbox.deadLetters()).singleElement().satisfies((dead) -> {
			assertThat(dead.event().value()).isEqualTo(5);
			assertThat(dead.code()).isEqualTo("resource_missing");
			assertThat(dead.message()).isEqualTo("No such customer: 'cus_1'");
			assertThat(dead.attempts()).isOne();
			assertThat(dead.failedAt()).isEqualTo(failedAt);
		});

		assertThat(this.outbox.redrive("usage_x")).isTrue();
		assertThat(this.outbox.redrive("usage_x")).isFalse();
		assertThat(this.outbox.deadLetters()).isEmpty();
		assertThat(this.outbox.due(Instant.now().plusSeconds(1), 10)).extracting((e) -> e.event().identifier())
			.containsExactly("usage_x");
	}

	@Test
	void aDeliveredEventReportedRefusedLaterBecomesADeadLetterWithTheReasonAndCanBeRedriven() {
		this.appender.append(event("usage_late", 9));
		this.outbox.due(Instant.now(), 10);
		this.outbox.markDelivered("usage_late");
		Instant failedAt = Instant.ofEpochMilli(Instant.now().toEpochMilli());

		LateRefusal refusal = this.outbox.deadLetterDelivered("usage_late", "meter_event_customer_not_found",
				"Customer cus_1 was not found.", failedAt);

		assertThat(refusal.outcome()).isEqualTo(LateRefusal.Outcome.DEAD_LETTERED);
		assertThat(refusal.event().value()).isEqualTo(9);
		assertThat(this.outbox.deadLetters()).singleElement().satisfies((dead) -> {
			assertThat(dead.event()).isEqualTo(refusal.event());
			assertThat(dead.code()).isEqualTo("meter_event_customer_not_found");
			assertThat(dead.message()).isEqualTo("Customer cus_1 was not found.");
			assertThat(dead.attempts()).isOne();
			assertThat(dead.failedAt()).isEqualTo(failedAt);
		});
		assertThat(this.outbox.purgeSettled(Instant.now().plusSeconds(1))).as("a dead letter stays").isZero();
		assertThat(this.outbox.deadLetterDelivered("usage_late", "other", "reported again", failedAt).outcome())
			.isEqualTo(LateRefusal.Outcome.ALREADY_DEAD_LETTER);
		assertThat(this.outbox.deadLetters()).singleElement()
			.satisfies((dead) -> assertThat(dead.code()).isEqualTo("meter_event_customer_not_found"));
		assertThat(this.outbox.redrive("usage_late")).isTrue();
		assertThat(this.outbox.due(Instant.now().plusSeconds(1), 10)).extracting((e) -> e.event().identifier())
			.containsExactly("usage_late");
	}

	@Test
	void aRefusalOfAnEventThatIsUnknownPendingOrMergedFindsNothingAndChangesNothing() {
		Instant hour = Instant.now().minus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.HOURS);
		this.appender
			.appendAll(List.of(event("usage_waiting", 1), new UsageEvent("usage_part1", "ai_tokens", "cus_m", 2, hour),
					new UsageEvent("usage_part2", "ai_tokens", "cus_m", 3, hour)));
		this.outbox.coalesce(Set.of("ai_tokens"), Instant.now(), () -> "usage_merged");

		for (String identifier : List.of("usage_never_seen", "usage_waiting", "usage_part1")) {
			assertThat(this.outbox.deadLetterDelivered(identifier, "code", "message", Instant.now()).outcome())
				.as(identifier)
				.isEqualTo(LateRefusal.Outcome.NOT_FOUND);
		}
		assertThat(this.outbox.deadLetters()).isEmpty();
		assertThat(this.outbox.pendingCount()).isEqualTo(2);
	}

	@Test
	void coalescingMergesNeverAttemptedEventsPerCustomerAndHourAndKeepsWhatTheyCover() {
		Instant hour = Instant.now().minus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.HOURS);
		List<UsageEvent> events = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			events.add(new UsageEvent("usage_m" + i, "ai_tokens", "cus_a", i + 1, hour.plusSeconds(i)));
		}
		events.add(new UsageEvent("usage_lone", "ai_tokens", "cus_b", 7, hour));
		events.add(new UsageEvent("usage_counted", "api_calls", "cus_a", 1, hour));
		events.add(new UsageEvent("usage_tried", "ai_tokens", "cus_a", 100, hour));
		events.add(new UsageEvent("usage_claimed", "ai_tokens", "cus_a", 1000, hour));
		this.appender.appendAll(events);
		this.outbox.scheduleRetry("usage_tried", Instant.now().minusSeconds(1), "timeout");
		// claimed by an instance that died: it may have reached the provider
		new JdbcTemplate(dataSource()).update("UPDATE metering_usage_event SET claimed_by = 'gone', "
				+ "claimed_until = 0 WHERE identifier = 'usage_claimed'");

		int merged = this.outbox.coalesce(java.util.Set.of("ai_tokens"), Instant.now(), () -> "usage_sum");

		assertThat(merged).isEqualTo(10);
		assertThat(this.outbox.pendingCount()).isEqualTo(5);
		assertThat(this.outbox.due(Instant.now(), 100)).extracting(OutboxEntry::event)
			.extracting(UsageEvent::identifier, UsageEvent::value)
			.containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("usage_sum", 55L),
					org.assertj.core.groups.Tuple.tuple("usage_lone", 7L),
					org.assertj.core.groups.Tuple.tuple("usage_counted", 1L),
					org.assertj.core.groups.Tuple.tuple("usage_tried", 100L),
					org.assertj.core.groups.Tuple.tuple("usage_claimed", 1000L));
		assertThat(new JdbcTemplate(dataSource()).queryForList(
				"SELECT identifier FROM metering_usage_event WHERE coalesced_into = 'usage_sum'", String.class))
			.hasSize(10);
	}

	@Test
	void eventsKeepWhenTheyWereRecordedAndAMergedEventWhenItsFirstWas() {
		Instant hour = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.HOURS);
		Instant first = Instant.parse("2030-01-01T10:00:00Z");
		MutableClock clock = new MutableClock(first);
		JdbcUsageOutbox appender = new JdbcUsageOutbox(StoreJdbc.client(dataSource()), StoreJdbc.batches(dataSource()),
				StoreJdbc.transactions(dataSource()), clock);
		appender.append(new UsageEvent("usage_t1", "ai_tokens", "cus_t", 1, hour));
		clock.set(first.plusSeconds(30));
		appender.append(new UsageEvent("usage_t2", "ai_tokens", "cus_t", 2, hour.plusSeconds(1)));
		appender.append(new UsageEvent("usage_other", "api_calls", "cus_t", 1, hour));

		this.outbox.coalesce(Set.of("ai_tokens"), first.plusSeconds(60), () -> "usage_tsum");

		assertThat(this.outbox.due(first.plusSeconds(60), 10))
			.extracting((entry) -> entry.event().identifier(), OutboxEntry::recordedAt)
			.containsExactlyInAnyOrder(tuple("usage_tsum", first), tuple("usage_other", first.plusSeconds(30)));
	}

	@Test
	void theBacklogCountsPendingEventsAndDeadLettersPerEventNameAndTellsTheOldestRecorded() {
		Instant first = Instant.parse("2030-01-01T10:00:00Z");
		MutableClock clock = new MutableClock(first);
		JdbcUsageOutbox appender = new JdbcUsageOutbox(StoreJdbc.client(dataSource()), StoreJdbc.batches(dataSource()),
				StoreJdbc.transactions(dataSource()), clock);
		appender.append(event("usage_b1", 1));
		clock.set(first.plusSeconds(5));
		appender.appendAll(List.of(event("usage_b2", 1), event("usage_b3", 1),
				new UsageEvent("usage_b4", "api_calls", "cus_b", 1, first)));
		this.outbox.deadLetter("usage_b3", "resource_missing", "No such customer", first.plusSeconds(6));
		JdbcDeliveryQueue writing = new JdbcDeliveryQueue(StoreJdbc.client(dataSource()),
				StoreJdbc.batches(dataSource()), StoreJdbc.transactions(dataSource()), "instance-w",
				Duration.ofMinutes(1), Clock.systemUTC(), () -> 2, InstanceLock.NONE);

		OutboxBacklog backlog = writing.backlog();

		assertThat(backlog.pending()).as("stored and on their way").isEqualTo(5);
		assertThat(backlog.pendingByEventName()).containsExactly(entry("ai_tokens", 2L), entry("api_calls", 1L));
		assertThat(backlog.deadLetters()).isOne();
		assertThat(backlog.deadLettersByEventName()).containsExactly(entry("ai_tokens", 1L));
		assertThat(backlog.oldestPendingRecordedAt()).isEqualTo(first);

		this.outbox.markDelivered("usage_b1");
		assertThat(this.outbox.backlog().oldestPendingRecordedAt()).isEqualTo(first.plusSeconds(5));
	}

	@Test
	void anEmptyOutboxHasNoOldestPendingEvent() {
		assertThat(this.outbox.backlog()).isEqualTo(new OutboxBacklog(0, Map.of(), 0, Map.of(), null));
	}

	@Test
	void deadLettersComeInPagesOldestFirst() {
		Instant failedAt = Instant.parse("2030-01-01T10:00:00Z");
		for (int i = 0; i < 5; i++) {
			this.appender.append(event("usage_p" + i, i));
			this.outbox.deadLetter("usage_p" + i, "resource_missing", "No such customer", failedAt.plusSeconds(10 - i));
		}

		assertThat(this.outbox.deadLetters(0, 2)).extracting((dead) -> dead.event().identifier())
			.containsExactly("usage_p4", "usage_p3");
		assertThat(this.outbox.deadLetters(4, 2)).extracting((dead) -> dead.event().identifier())
			.containsExactly("usage_p0");
		assertThat(this.outbox.deadLetters(5, 2)).isEmpty();
	}

	@Test
	void deliveredTotalsSumWhatWasSentInTheWindowPerEventNameAndCustomer() {
		Instant start = Instant.parse("2030-01-01T00:00:00Z");
		Instant end = start.plus(Duration.ofDays(1));
		this.appender.appendAll(List.of(new UsageEvent("usage_w1", "ai_tokens", "cus_w", 3, start),
				new UsageEvent("usage_w2", "ai_tokens", "cus_w", 4, start.plusSeconds(1))));
		// usage_w1 and usage_w2 go as one merged event, which alone counts
		assertThat(this.outbox.coalesce(Set.of("ai_tokens"), Instant.now(), () -> "usage_wsum")).isEqualTo(2);
		this.outbox.markDelivered("usage_wsum");
		this.appender.appendAll(List.of(new UsageEvent("usage_w3", "ai_tokens", "cus_w", 5, end.minusMillis(1)),
				new UsageEvent("usage_w4", "ai_tokens", "cus_v", 6, end.minusMillis(1)),
				new UsageEvent("usage_w5", "api_calls", "cus_w", 1, start),
				new UsageEvent("usage_before", "ai_tokens", "cus_w", 10000, start.minusMillis(1)),
				new UsageEvent("usage_after", "ai_tokens", "cus_w", 100000, end),
				new UsageEvent("usage_pending", "ai_tokens", "cus_w", 100, start),
				new UsageEvent("usage_dead", "ai_tokens", "cus_w", 1000, start)));
		List.of("usage_w3", "usage_w4", "usage_w5", "usage_before", "usage_after").forEach(this.outbox::markDelivered);
		this.outbox.deadLetter("usage_dead", "resource_missing", "No such customer", Instant.now());

		assertThat(this.outbox.deliveredTotals(Set.of("ai_tokens"), start, end))
			.extracting(DeliveredUsage.DeliveredTotal::customerId, DeliveredUsage.DeliveredTotal::value)
			.containsExactly(tuple("cus_v", 6L), tuple("cus_w", 12L));
		assertThat(this.outbox.deliveredTotals(Set.of(), start, end)).isEmpty();
	}

	@Test
	void anOutboxTableFromBeforeRecordingTimesIsUpgradedAndItsRowsAgeFromTheirTimestamp() {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource());
		jdbc.execute("DROP TABLE metering_usage_event");
		jdbc.execute("CREATE TABLE metering_usage_event (identifier VARCHAR(100) NOT NULL PRIMARY KEY, "
				+ "event_name VARCHAR(200) NOT NULL, customer_id VARCHAR(200) NOT NULL, usage_value BIGINT NOT NULL, "
				+ "occurred_at BIGINT NOT NULL, status CHAR(1) NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, "
				+ "next_attempt_at BIGINT NOT NULL, last_error VARCHAR(1000), claimed_by VARCHAR(100), "
				+ "claimed_until BIGINT, failure_code VARCHAR(200), failed_at BIGINT, settled_at BIGINT, "
				+ "coalesced_into VARCHAR(100))");
		jdbc.update("INSERT INTO metering_usage_event (identifier, event_name, customer_id, usage_value, occurred_at, "
				+ "status, attempts, next_attempt_at) VALUES ('usage_old', 'ai_tokens', 'cus_o', 3, 1000, 'P', 0, 1000)");

		new MeteringDataSourceScriptDatabaseInitializer(dataSource(), DatabaseInitializationMode.ALWAYS)
			.initializeDatabase();
		this.appender.append(event("usage_new", 1));

		assertThat(this.outbox.backlog().oldestPendingRecordedAt()).isEqualTo(Instant.ofEpochMilli(1000));
		assertThat(this.outbox.due(Instant.now(), 10))
			.extracting((entry) -> entry.event().identifier(), (entry) -> entry.recordedAt() != null)
			.containsExactlyInAnyOrder(tuple("usage_old", false), tuple("usage_new", true));
	}

	@Test
	void claimsAPassCouldNotSettleAreGivenBackAtOnceButOnlyThisInstancesAndNeverMerged() {
		Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
		this.appender.appendAll(List.of(new UsageEvent("usage_r1", "ai_tokens", "cus_r", 1, hour),
				new UsageEvent("usage_r2", "ai_tokens", "cus_r", 2, hour.plusSeconds(1)),
				new UsageEvent("usage_r3", "ai_tokens", "cus_r", 3, hour.plusSeconds(2))));
		JdbcDeliveryQueue other = outbox("instance-b", Duration.ofMinutes(1));
		Instant now = Instant.now();
		assertThat(this.outbox.due(now, 2)).hasSize(2);
		String otherClaimed = other.due(now, 1).get(0).event().identifier();
		assertThat(this.outbox.due(now, 10)).as("all claimed for a minute").isEmpty();

		this.outbox.releaseClaims();

		// ever claimed, so perhaps at the provider already: sent again under their
		// identifiers, never merged
		assertThat(this.outbox.coalesce(Set.of("ai_tokens"), Instant.now(), () -> "usage_merged")).isZero();
		assertThat(this.outbox.due(Instant.now(), 10)).extracting((entry) -> entry.event().identifier())
			.hasSize(2)
			.doesNotContain(otherClaimed);
	}

	@Test
	void instancesClaimingAtTheSameTimeNeverShareAnEvent() throws Exception {
		List<UsageEvent> events = new ArrayList<>();
		for (int i = 0; i < 600; i++) {
			events.add(event("usage_c" + i, 1));
		}
		this.appender.appendAll(events);
		Set<String> seen = ConcurrentHashMap.newKeySet();
		List<String> duplicates = new ArrayList<>();
		ExecutorService instances = Executors.newFixedThreadPool(3);
		try {
			List<Future<?>> running = new ArrayList<>();
			for (int i = 0; i < 3; i++) {
				JdbcDeliveryQueue instance = outbox("instance-" + i, Duration.ofMinutes(5));
				running.add(instances.submit(() -> {
					List<OutboxEntry> claimed;
					while (!(claimed = instance.due(Instant.now(), 25)).isEmpty()) {
						for (OutboxEntry entry : claimed) {
							if (!seen.add(entry.event().identifier())) {
								synchronized (duplicates) {
									duplicates.add(entry.event().identifier());
								}
							}
						}
					}
					return null;
				}));
			}
			for (Future<?> instance : running) {
				instance.get();
			}
		}
		finally {
			instances.shutdownNow();
		}
		assertThat(duplicates).isEmpty();
		assertThat(new HashSet<>(seen)).hasSize(600);
	}

	@Test
	void usageWaitingForItsCustomerIsPendingButNotDueUntilTheCustomerIsNamedAndKeepsItsIdentifier() {
		BillingSubject acme = BillingSubject.organization("org_acme");
		BillingSubject globex = BillingSubject.organization("org_globex");
		this.appender.appendAll(List.of(awaiting("usage_w1", acme, 3), awaiting("usage_w2", acme, 4),
				awaiting("usage_w3", globex, 5), event("usage_known", 1)));
		Instant now = Instant.now();

		assertThat(this.outbox.pendingCount()).isEqualTo(4);
		assertThat(this.outbox.backlog().awaitingCustomer()).isEqualTo(3);
		assertThat(this.outbox.due(now, 10)).extracting((entry) -> entry.event().identifier())
			.containsExactly("usage_known");
		assertThat(this.outbox.awaitingCustomer(now, 10)).containsExactlyInAnyOrder(acme, globex);

		// a look-up that failed: not asked again before the time given
		this.outbox.awaitCustomer(globex, now.plusSeconds(60), "503 Service unavailable");
		assertThat(this.outbox.awaitingCustomer(now, 10)).containsExactly(acme);

		assertThat(this.outbox.nameCustomer(acme, "cus_acme", now)).isEqualTo(2);
		assertThat(this.outbox.due(now, 10)).extracting(OutboxEntry::event)
			.filteredOn((event) -> event.subject() != null)
			.extracting(UsageEvent::identifier, UsageEvent::customerId, UsageEvent::value)
			.containsExactlyInAnyOrder(tuple("usage_w1", "cus_acme", 3L), tuple("usage_w2", "cus_acme", 4L));
		assertThat(this.outbox.backlog().awaitingCustomer()).isOne();
	}

	@Test
	void usageOfASubjectWithoutACustomerIsADeadLetterThatWaitsAgainWhenReDriven() {
		BillingSubject nobody = BillingSubject.personal("user_nobody");
		this.appender.append(awaiting("usage_n1", nobody, 6));
		Instant now = Instant.now();

		assertThat(this.outbox.deadLetterAwaiting(nobody, "no_customer", "stripe has no customer", now)).isOne();
		assertThat(this.outbox.pendingCount()).isZero();
		assertThat(this.outbox.deadLetters()).singleElement().satisfies((dead) -> {
			assertThat(dead.code()).isEqualTo("no_customer");
			assertThat(dead.event().subject()).isEqualTo(nobody);
			assertThat(dead.event().customerId()).isNull();
		});

		assertThat(this.outbox.redrive("usage_n1")).isTrue();
		assertThat(this.outbox.backlog().awaitingCustomer()).isOne();
		assertThat(this.outbox.due(Instant.now(), 10)).isEmpty();
		assertThat(this.outbox.awaitingCustomer(Instant.now(), 10)).containsExactly(nobody);
	}

	private static UsageEvent awaiting(String identifier, BillingSubject subject, long value) {
		return new UsageEvent(identifier, "ai_tokens", null, value,
				Instant.ofEpochMilli(Instant.now().minusSeconds(5).toEpochMilli()), UsageDimensions.none(), subject);
	}

	@Test
	void aPendingEventIsCancelledNeverToBeDeliveredAndADeliveredOneAnsweredWithItsDeliveryTime() {
		UsageEvent pending = event("usage_c1", 3);
		UsageEvent delivered = event("usage_c2", 4);
		this.appender.append(delivered);
		assertThat(this.outbox.due(Instant.now(), 10)).hasSize(1);
		this.outbox.markDelivered("usage_c2");
		this.appender.append(pending);

		assertThat(this.outbox.cancel("usage_c1")).hasValue(new CancelledUsage(pending, null));
		assertThat(this.outbox.due(Instant.now(), 10)).as("never delivered").isEmpty();
		assertThat(this.outbox.pendingCount()).isZero();
		assertThat(this.outbox.cancel("usage_c1")).as("cancelled already").isEmpty();

		CancelledUsage cancelled = this.outbox.cancel("usage_c2").orElseThrow();
		assertThat(cancelled.event()).isEqualTo(delivered);
		assertThat(cancelled.delivered()).isTrue();
		assertThat(this.outbox.cancel("usage_c2")).isEmpty();
		this.outbox.restoreDelivered("usage_c2");
		assertThat(this.outbox.cancel("usage_c2")).as("delivered again").isPresent();
		assertThat(this.outbox.cancel("usage_unknown")).isEmpty();
	}

	@Test
	void anEventBeingDeliveredIsNotCancelled() {
		this.appender.append(event("usage_c3", 3));
		assertThat(this.outbox.due(Instant.now(), 10)).hasSize(1);

		assertThatIllegalStateException().isThrownBy(() -> this.outbox.cancel("usage_c3"))
			.withMessageContaining("is being delivered now");
		this.outbox.markDelivered("usage_c3");
		assertThat(this.outbox.cancel("usage_c3")).isPresent();
	}

	@Test
	void anEventMergedIntoOneThatWaitsIsTakenOutOfItAndOneMergedIntoOneDeliveredIsNotCancelled() {
		JdbcUsageOutbox merging = new JdbcUsageOutbox(StoreJdbc.client(dataSource()), StoreJdbc.batches(dataSource()),
				StoreJdbc.transactions(dataSource()), Clock.systemUTC(), Set.of("ai_tokens"), null);
		Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
		merging.appendAll(List.of(new UsageEvent("usage_m1", "ai_tokens", "cus_m", 2, hour),
				new UsageEvent("usage_m2", "ai_tokens", "cus_m", 3, hour.plusSeconds(1))));

		assertThat(this.outbox.cancel("usage_m2")).isPresent();
		List<OutboxEntry> due = this.outbox.due(Instant.now(), 10);
		assertThat(due).extracting(OutboxEntry::event).extracting(UsageEvent::value).containsExactly(2L);
		this.outbox.markDelivered(due.get(0).event().identifier());

		assertThatIllegalStateException().isThrownBy(() -> this.outbox.cancel("usage_m1"))
			.withMessageContaining("metering.delivery.coalesce=false");
	}

	@Test
	void cancelledEventsArePurgedWithTheDeliveredOnes() {
		this.appender.append(event("usage_c4", 3));
		assertThat(this.outbox.cancel("usage_c4")).isPresent();

		assertThat(this.outbox.purgeSettled(Instant.now().plusSeconds(1))).isOne();
		assertThat(this.outbox.cancel("usage_c4")).isEmpty();
	}

	JdbcDeliveryQueue outbox(String instance, Duration lease) {
		return outbox(instance, lease, Clock.systemUTC());
	}

	/** An instance whose purges take turns by the lock's clock. */
	JdbcDeliveryQueue outbox(String instance, Duration lease, Clock lockClock) {
		return new JdbcDeliveryQueue(StoreJdbc.client(dataSource()), StoreJdbc.batches(dataSource()),
				StoreJdbc.transactions(dataSource()), instance, lease, Clock.systemUTC(), () -> 0,
				InstanceLocks.inDatabase(StoreJdbc.client(dataSource()), instance, lockClock));
	}

	static UsageEvent event(String identifier, long value) {
		return new UsageEvent(identifier, "ai_tokens", "cus_" + UUID.randomUUID().toString().substring(0, 4), value,
				Instant.ofEpochMilli(Instant.now().minusSeconds(5).toEpochMilli()));
	}

}

package dev.metering.limits;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.metering.BillingSubject;
import dev.metering.UsageDimensions;
import dev.metering.autoconfigure.MeteringDataSourceScriptDatabaseInitializer;
import dev.metering.lock.InstanceLock;
import dev.metering.outbox.UsageOutbox;
import dev.metering.outbox.UsageOutboxes;
import dev.metering.provider.UsageEvent;
import dev.metering.support.StoreJdbc;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The usage an instance recorded, read back from the outbox table as the outbox in the
 * database writes it, on each database the outbox runs on.
 */
abstract class OutboxRecordedUsageContract {

	abstract DataSource dataSource();

	@BeforeEach
	void createSchema() {
		new MeteringDataSourceScriptDatabaseInitializer(dataSource(), DatabaseInitializationMode.ALWAYS)
			.initializeDatabase();
		new JdbcTemplate(dataSource()).update("DELETE FROM metering_usage_event");
	}

	@Test
	void theUsageAnInstanceRecordedForAnOrganizationCountsEachEventOnceThoughMerged() {
		UsageOutbox recording = outbox("instance-a");
		Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
		BillingSubject acme = BillingSubject.organization("org_acme");
		recording.append(new UsageEvent("usage_r1", "ai_tokens", "cus_r", 2, hour, UsageDimensions.none(), acme));
		recording.append(
				new UsageEvent("usage_r2", "ai_tokens", "cus_r", 3, hour.plusSeconds(2), UsageDimensions.none(), acme));
		recording.append(new UsageEvent("usage_r3", "ai_tokens", "cus_r", 7, hour, UsageDimensions.none(),
				BillingSubject.organization("org_other")));
		recording.append(new UsageEvent("usage_r4", "ai_tokens", "cus_r", 100, hour.plusSeconds(1)));
		recording.append(
				new UsageEvent("usage_r5", "ai_tokens", "cus_r", 4, hour.plusSeconds(3), UsageDimensions.none(), acme));
		// merged by the dispatcher's pass
		assertThat(UsageOutboxes
			.deliveryQueue(StoreJdbc.client(dataSource()), StoreJdbc.batches(dataSource()),
					StoreJdbc.transactions(dataSource()), "instance-a", Duration.ofMinutes(1), Clock.systemUTC(),
					() -> 0, InstanceLock.NONE)
			.coalesce(Set.of("ai_tokens"), Instant.now(), () -> "usage_pass")).isPositive();
		outbox("instance-b")
			.append(new UsageEvent("usage_r6", "ai_tokens", "cus_r", 50, hour, UsageDimensions.none(), acme));

		OutboxRecordedUsage recorded = new OutboxRecordedUsage(StoreJdbc.client(dataSource()),
				Map.of("tokens", Set.of("ai_tokens"), "calls", Set.of("api_calls")));
		BillingPeriod period = new BillingPeriod(hour, hour.plusSeconds(60));
		assertThat(recorded.since("instance-a", "org_acme", "tokens", period, hour)).isEqualTo(9);
		assertThat(recorded.since("instance-a", "org_acme", "tokens", new BillingPeriod(hour, hour.plusSeconds(3)),
				hour.plusSeconds(2)))
			.as("within the times given")
			.isEqualTo(3);
		assertThat(recorded.since("instance-a", "org_acme", "calls", period, hour)).isZero();
		assertThat(recorded.since("instance-a", "org_acme", "unknown", period, hour)).isZero();
	}

	private UsageOutbox outbox(String instance) {
		return UsageOutboxes.inDatabase(StoreJdbc.client(dataSource()), StoreJdbc.batches(dataSource()),
				StoreJdbc.transactions(dataSource()), Clock.systemUTC(), Set.of("ai_tokens"), instance);
	}

}

package dev.metering.outbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;

import dev.metering.lock.InstanceLock;
import dev.metering.provider.UsageEvent;
import dev.metering.support.StoreJdbc;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outbox on H2, the embedded default.
 */
class H2UsageOutboxTests extends JdbcUsageOutboxContract {

	private static final DataSource DATA_SOURCE = h2();

	@Override
	DataSource dataSource() {
		return DATA_SOURCE;
	}

	/**
	 * H2 coalesces without row locks: a row another instance claims between the read and
	 * the merge undoes the merge, and the rows stay as they were for the next pass.
	 */
	@Test
	void aRowClaimedByAnotherInstanceDuringAMergeUndoesTheMerge() {
		Instant now = Instant.now();
		new JdbcUsageOutbox(StoreJdbc.client(DATA_SOURCE), StoreJdbc.batches(DATA_SOURCE),
				StoreJdbc.transactions(DATA_SOURCE), Clock.systemUTC())
			.appendAll(List.of(new UsageEvent("usage_r1", "ai_tokens", "cus_r", 2, now.minusSeconds(2)),
					new UsageEvent("usage_r2", "ai_tokens", "cus_r", 3, now.minusSeconds(1))));
		JdbcDeliveryQueue outbox = new JdbcDeliveryQueue(StoreJdbc.client(DATA_SOURCE), StoreJdbc.batches(DATA_SOURCE),
				StoreJdbc.transactions(DATA_SOURCE), "instance-a", Duration.ofMinutes(1), Clock.systemUTC(), () -> 0,
				InstanceLock.NONE);
		JdbcTemplate otherInstance = new JdbcTemplate(DATA_SOURCE);

		int merged = outbox.coalesce(Set.of("ai_tokens"), now, () -> {
			// the rows are read; another instance claims one before they are merged
			otherInstance.update("UPDATE metering_usage_event SET claimed_by = 'instance-b', claimed_until = ? "
					+ "WHERE identifier = 'usage_r2'", now.plusSeconds(60).toEpochMilli());
			return "usage_rsum";
		});

		assertThat(merged).isZero();
		assertThat(otherInstance.queryForList(
				"SELECT identifier FROM metering_usage_event WHERE status = 'P' " + "ORDER BY identifier",
				String.class))
			.containsExactly("usage_r1", "usage_r2");
	}

	private static DataSource h2() {
		JdbcDataSource dataSource = new JdbcDataSource();
		dataSource.setURL("jdbc:h2:mem:outbox;DB_CLOSE_DELAY=-1");
		return dataSource;
	}

}

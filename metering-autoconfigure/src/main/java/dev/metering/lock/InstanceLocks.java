package dev.metering.lock;

import java.time.Clock;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Makes the locks kept in the application's database, which the instances sharing it take
 * in turn.
 *
 * @since 0.1.0
 */
public final class InstanceLocks {

	private InstanceLocks() {
	}

	/**
	 * The locks in the table {@code metering_lock} (H2 or PostgreSQL).
	 * @param holder names this instance in the table and in what other instances log
	 * @param clock tells until when a lock is held
	 */
	public static InstanceLock inDatabase(JdbcClient jdbc, String holder, Clock clock) {
		return new JdbcInstanceLock(jdbc, holder, clock);
	}

}

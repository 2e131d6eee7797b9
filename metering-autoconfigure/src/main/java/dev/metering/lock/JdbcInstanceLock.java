package dev.metering.lock;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Locks in the table {@code metering_lock}, one row a lock: who holds it and until when.
 * A lock is taken with one statement that only one instance can win, on H2 and PostgreSQL
 * alike: an update of the row when its hold has lapsed (or this instance holds it), else
 * the insert of the row, which its primary key lets one instance do. Times are this
 * instance's clock; holds far longer than the clocks of the instances differ keep that
 * harmless.
 */
final class JdbcInstanceLock implements InstanceLock {

	private static final Log logger = LogFactory.getLog(JdbcInstanceLock.class);

	private static final String TAKE = """
			UPDATE metering_lock SET holder = :holder, locked_until = :until
			WHERE name = :name AND (locked_until <= :now OR holder = :holder)
			""";

	private static final String INSERT = """
			INSERT INTO metering_lock (name, holder, locked_until) VALUES (:name, :holder, :until)
			""";

	private static final String HELD_BY = """
			SELECT holder, locked_until FROM metering_lock WHERE name = :name
			""";

	private static final String RELEASE = """
			UPDATE metering_lock SET locked_until = :now
			WHERE name = :name AND holder = :holder AND locked_until = :until
			""";

	private final JdbcClient jdbc;

	private final String holder;

	private final Clock clock;

	/**
	 * @param holder names this instance in the table and in what other instances log
	 */
	JdbcInstanceLock(JdbcClient jdbc, String holder, Clock clock) {
		this.jdbc = jdbc;
		this.holder = holder;
		this.clock = clock;
	}

	@Override
	public LockTurn runAlone(String name, Duration hold, Runnable task) {
		long now = this.clock.millis();
		long until = now + hold.toMillis();
		if (!take(name, now, until)) {
			LockTurn held = heldBy(name);
			if (logger.isDebugEnabled()) {
				logger.debug("Lock '" + name + "' is held by " + held.holder() + " until " + held.heldUntil()
						+ "; this instance leaves the work to it");
			}
			return held;
		}
		try {
			task.run();
		}
		catch (RuntimeException | Error ex) {
			release(name, until);
			throw ex;
		}
		return LockTurn.ranHere();
	}

	private boolean take(String name, long now, long until) {
		if (this.jdbc.sql(TAKE)
			.param("holder", this.holder)
			.param("until", until)
			.param("name", name)
			.param("now", now)
			.update() == 1) {
			return true;
		}
		try {
			return this.jdbc.sql(INSERT)
				.param("name", name)
				.param("holder", this.holder)
				.param("until", until)
				.update() == 1;
		}
		catch (DuplicateKeyException ex) {
			// held by another instance, or taken by one a moment before
			return false;
		}
	}

	/**
	 * Who holds a lock this instance could not take: its row, which is never deleted (a
	 * lock given back meanwhile counts as held this time).
	 */
	private LockTurn heldBy(String name) {
		return this.jdbc.sql(HELD_BY)
			.param("name", name)
			.query((row, number) -> LockTurn.heldBy(row.getString("holder"),
					Instant.ofEpochMilli(row.getLong("locked_until"))))
			.single();
	}

	/**
	 * Gives a lock back after a failure, unless its hold lapsed meanwhile and another
	 * took it.
	 */
	private void release(String name, long until) {
		try {
			this.jdbc.sql(RELEASE)
				.param("now", this.clock.millis())
				.param("name", name)
				.param("holder", this.holder)
				.param("until", until)
				.update();
		}
		catch (DataAccessException ex) {
			logger.warn("Could not give back lock '" + name + "'; it lapses at " + Instant.ofEpochMilli(until), ex);
		}
	}

}

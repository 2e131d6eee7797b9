package dev.metering.lock;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import javax.sql.DataSource;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Locks in the table {@code metering_lock}, one row a lock: who holds it and until when.
 * A lock is taken with one statement that only one instance can win, on H2 and PostgreSQL
 * alike: an update of the row when its hold has lapsed (or this instance holds it), else
 * the insert of the row, which its primary key lets one instance do. Times are this
 * instance's clock; holds far longer than the clocks of the instances differ keep that
 * harmless.
 */
public final class JdbcInstanceLock implements InstanceLock {

	private static final Log logger = LogFactory.getLog(JdbcInstanceLock.class);

	private final JdbcTemplate jdbc;

	private final String holder;

	private final Clock clock;

	/**
	 * @param holder names this instance in the table and in what other instances log
	 */
	public JdbcInstanceLock(DataSource dataSource, String holder, Clock clock) {
		this.jdbc = new JdbcTemplate(dataSource);
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
		if (this.jdbc.update("UPDATE metering_lock SET holder = ?, locked_until = ? WHERE name = ? "
				+ "AND (locked_until <= ? OR holder = ?)", this.holder, until, name, now, this.holder) == 1) {
			return true;
		}
		try {
			return this.jdbc.update("INSERT INTO metering_lock (name, holder, locked_until) VALUES (?, ?, ?)", name,
					this.holder, until) == 1;
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
		return this.jdbc.queryForObject("SELECT holder, locked_until FROM metering_lock WHERE name = ?", (row,
				number) -> LockTurn.heldBy(row.getString("holder"), Instant.ofEpochMilli(row.getLong("locked_until"))),
				name);
	}

	/**
	 * Gives a lock back after a failure, unless its hold lapsed meanwhile and another
	 * took it.
	 */
	private void release(String name, long until) {
		try {
			this.jdbc.update(
					"UPDATE metering_lock SET locked_until = ? WHERE name = ? AND holder = ? " + "AND locked_until = ?",
					this.clock.millis(), name, this.holder, until);
		}
		catch (DataAccessException ex) {
			logger.warn("Could not give back lock '" + name + "'; it lapses at " + Instant.ofEpochMilli(until), ex);
		}
	}

}

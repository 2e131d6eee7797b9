package dev.metering.limits;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.metering.MeteringUnavailableException;

/**
 * Whether the ledger's database is away, from a statement that failed until one succeeds
 * (the heartbeat tries every flush), and what a call that needs quota meanwhile does:
 * calls do not go to the database while it is away, so that only the first to find it
 * away waits for it.
 */
final class StoreOutage {

	private static final Log logger = LogFactory.getLog(StoreOutage.class);

	/**
	 * How long a refused client is asked to wait: a few heartbeats find out whether the
	 * database is back.
	 */
	private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

	private final StoreFailurePolicy policy;

	private final AtomicBoolean away = new AtomicBoolean();

	StoreOutage(StoreFailurePolicy policy) {
		this.policy = policy;
	}

	boolean isAway() {
		return this.away.get();
	}

	/**
	 * A statement failed: logged at WARN, with what calls that need quota do until the
	 * database answers again, when that begins an outage, and at DEBUG while it lasts.
	 * @param what what could not be done
	 */
	void failed(String what, RuntimeException ex) {
		if (!this.away.compareAndSet(false, true)) {
			logger.debug(what, ex);
			return;
		}
		logger.warn(what + ". Until the usage ledger's database answers again, calls that need more quota than "
				+ "this instance holds are "
				+ ((this.policy == StoreFailurePolicy.ALLOW)
						? "admitted and counted once it is back (metering.limits.on-store-failure=allow)"
						: "refused with MeteringUnavailableException (metering.limits.on-store-failure=reject)"),
				ex);
	}

	/** A statement succeeded. */
	void answered() {
		this.away.set(false);
	}

	/**
	 * Lets a call that needs quota the ledger cannot lease go on, as a debt, or refuses
	 * it.
	 * @throws MeteringUnavailableException when the policy is to reject
	 */
	void requireAllowed() {
		if (this.policy == StoreFailurePolicy.REJECT) {
			throw unavailable();
		}
	}

	/**
	 * The refusal of a call the ledger cannot decide without its database; no address in
	 * it.
	 */
	MeteringUnavailableException unavailable() {
		return new MeteringUnavailableException("the usage ledger's database cannot be reached", RETRY_AFTER);
	}

}

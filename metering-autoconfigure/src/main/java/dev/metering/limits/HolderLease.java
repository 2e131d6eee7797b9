package dev.metering.limits;

import java.time.Duration;

/**
 * This instance's lease on what it holds in the ledger, as this instance sees it. Slices
 * admit calls in memory only while the lease surely holds: for half its length after the
 * start of the last renewal, so that clocks of instances may differ by the other half
 * before another instance would reclaim quota still in use here. A renewal that finds the
 * heartbeat reclaimed begins a new epoch, in which each slice must find its hold in the
 * table before it admits a call from memory again.
 */
final class HolderLease {

	private final Duration lease;

	private final long validNanos;

	/** Until when, on the monotonic clock, the lease surely holds. */
	private volatile long validUntil;

	/** Written on the ledger's thread alone. */
	private volatile int epoch;

	HolderLease(Duration lease) {
		this.lease = lease;
		this.validNanos = lease.toNanos() / 2;
		this.validUntil = System.nanoTime();
	}

	Duration duration() {
		return this.lease;
	}

	int epoch() {
		return this.epoch;
	}

	/**
	 * Whether a slice whose hold the table last confirmed in {@code epoch} may admit
	 * calls from what it holds.
	 */
	boolean covers(int epoch) {
		return epoch == this.epoch && System.nanoTime() - this.validUntil < 0;
	}

	/** The heartbeat was renewed by a statement begun at {@code startNanos}. */
	void renewed(long startNanos) {
		this.validUntil = startNanos + this.validNanos;
	}

	/** The heartbeat was found gone or reclaimed: holds confirmed before may be lost. */
	void lost() {
		this.epoch = this.epoch + 1;
	}

}

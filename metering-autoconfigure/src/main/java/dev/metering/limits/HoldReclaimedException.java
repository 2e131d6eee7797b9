package dev.metering.limits;

/**
 * This instance's hold on a key was reclaimed by another instance while its lease had
 * lapsed: the exchange that found it out is rolled back, and the slice takes the reclaim
 * in before it writes again.
 */
final class HoldReclaimedException extends RuntimeException {

	private final transient LedgerKey key;

	HoldReclaimedException(LedgerKey key) {
		super(null, null, false, false);
		this.key = key;
	}

	LedgerKey key() {
		return this.key;
	}

}

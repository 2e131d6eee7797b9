package dev.metering.limits;

/**
 * One key's row of the usage ledger and the holds of the slices on it, in memory, changed
 * as the statements of {@link LedgerTable} and {@link LedgerReclaim} change them.
 */
final class LedgerRowModel {

	private long used;

	private long leased;

	/**
	 * Each slice's hold: {@code null} until written, and once a reclaim was taken back.
	 */
	private final Long[] holds;

	/** What a reclaim recovered of each slice's usage, until the slice takes it back. */
	private final Long[] recovered;

	LedgerRowModel(int slices) {
		this.holds = new Long[slices];
		this.recovered = new Long[slices];
	}

	long used() {
		return this.used;
	}

	long leased() {
		return this.leased;
	}

	/** What the slice's hold says it holds, 0 when it has none. */
	long held(int slice) {
		return (this.holds[slice] != null) ? this.holds[slice] : 0;
	}

	boolean hasHold(int slice) {
		return this.holds[slice] != null;
	}

	/**
	 * What a reclaim recovered of the slice's usage, {@code null} when none is to take
	 * back.
	 */
	Long reclaimed(int slice) {
		return this.recovered[slice];
	}

	long sumOfHolds() {
		long sum = 0;
		for (int slice = 0; slice < this.holds.length; slice++) {
			sum += held(slice);
		}
		return sum;
	}

	/**
	 * The exchange statement and the hold written after it.
	 * @return the row after, or {@code null} when the hold was reclaimed (nothing is
	 * written)
	 */
	LedgerTable.Exchange exchange(int slice, LedgerTable.Request request) {
		if (this.recovered[slice] != null) {
			return null;
		}
		long before = this.used + this.leased - request.returned();
		long left = request.limit() - before;
		long granted = 0;
		if (request.need() > 0 && before < request.limit()) {
			long overshoot = request.withinLimit() ? 0 : request.need();
			granted = Math.min(Math.max(request.need(), left / LedgerTable.SLICE_DIVISOR), left + overshoot);
		}
		this.used += request.settled();
		this.leased += granted - request.settled() - request.returned();
		if (request.writesHold(granted)) {
			this.holds[slice] = request.heldAfter(granted);
		}
		return new LedgerTable.Exchange(this.used, this.leased, granted);
	}

	/**
	 * Another instance reclaims the slice's hold, recovering some of its usage from the
	 * outbox.
	 */
	void reclaim(int slice, long recovered) {
		this.used += recovered;
		this.leased -= this.holds[slice];
		this.holds[slice] = 0L;
		this.recovered[slice] = recovered;
	}

	/** The slice takes its reclaimed hold back: it is gone. */
	long takeReclaimed(int slice) {
		long recovered = this.recovered[slice];
		this.recovered[slice] = null;
		this.holds[slice] = null;
		return recovered;
	}

}

package dev.metering.limits;

/**
 * What a {@link LedgerSlice} holds of one key's quota and of its usage, at one moment:
 * each change is a new balance. What the slice holds of the row's leased quota is the sum
 * of its parts, free, reserved, settled and what a write-back took out; calls only move
 * quota between the parts, so the sum changes only when a write-back is in the table or a
 * reclaim is taken in, as the slice's hold in the table does.
 *
 * @param free quota held that no call reserved; negative when calls used more than they
 * reserved, or were admitted on a debt while the table could not lease: a debt the next
 * write-back settles up
 * @param reserved quota reserved by calls in flight
 * @param settled usage settled by calls that ended, not yet written back
 * @param inTransit settled usage a write-back under way is writing back
 * @param returning the free part a write-back under way is giving back (negative: a debt)
 * @param knownUsed the usage settled by every instance, as of the last write-back
 * @param known whether a write-back told {@code knownUsed}
 */
record SliceBalance(long free, long reserved, long settled, long inTransit, long returning, long knownUsed,
		boolean known) {

	/** A slice that never exchanged with the table. */
	static final SliceBalance EMPTY = new SliceBalance(0, 0, 0, 0, 0, 0, false);

	/** What the slice holds of the row's leased quota. */
	long held() {
		return this.free + this.reserved + this.settled + this.inTransit + this.returning;
	}

	/**
	 * The usage settled by every instance, with what this slice has not written back yet.
	 */
	long settledUsage() {
		return this.knownUsed + this.inTransit + this.settled;
	}

	/** Whether the free part holds {@code amount} for a call. */
	boolean covers(long amount) {
		return this.free >= amount;
	}

	/** Whether a write-back would have neither usage to write nor quota to give back. */
	boolean nothingToWriteBack() {
		return this.settled == 0 && this.free == 0;
	}

	/** Whether the slice holds nothing, and no call is in flight on it. */
	boolean isEmpty() {
		return nothingToWriteBack() && this.reserved == 0;
	}

	/** Reserves quota for a call: beyond the free part, on a debt. */
	SliceBalance reserve(long amount) {
		return new SliceBalance(this.free - amount, this.reserved + amount, this.settled, this.inTransit,
				this.returning, this.knownUsed, this.known);
	}

	/**
	 * Replaces a call's reservation by what it used: what it did not use is free again.
	 */
	SliceBalance settle(long amount, long actual) {
		return new SliceBalance(this.free + amount - actual, this.reserved - amount, this.settled + actual,
				this.inTransit, this.returning, this.knownUsed, this.known);
	}

	/** Counts usage that had no reservation, out of the free part. */
	SliceBalance add(long amount) {
		return new SliceBalance(this.free - amount, this.reserved, this.settled + amount, this.inTransit,
				this.returning, this.knownUsed, this.known);
	}

	/**
	 * Takes the settled usage out to be written back, and the free part to be given back:
	 * all of it, or only a debt, which is always settled up. Calls go on settling
	 * meanwhile.
	 */
	SliceBalance startWriteBack(boolean returnFree) {
		long returned = returnFree ? this.free : Math.min(this.free, 0);
		return new SliceBalance(this.free - returned, this.reserved, 0, this.settled, returned, this.knownUsed,
				this.known);
	}

	/**
	 * The write-back is in the table: what it took out is gone, and the slice holds what
	 * the table granted besides.
	 * @param used the usage settled by every instance, as the table counts it after
	 * @param granted the new quota leased to the slice
	 */
	SliceBalance finishWriteBack(long used, long granted) {
		return new SliceBalance(this.free + granted, this.reserved, this.settled, 0, 0, used, true);
	}

	/**
	 * The write-back did not reach the table: what it took out goes back, for the next
	 * one.
	 */
	SliceBalance failWriteBack() {
		return new SliceBalance(this.free + this.returning, this.reserved, this.settled + this.inTransit, 0, 0,
				this.knownUsed, this.known);
	}

	/**
	 * Takes in a reclaim of the slice's hold, with no write-back under way: what the
	 * slice held went back to the table's leased quota, so its free part is gone, calls
	 * in flight settle as debts, and of the usage settled only what the reclaim did not
	 * recover is left to write.
	 * @param recovered what the reclaim recovered of the usage settled here
	 */
	SliceBalance takeInReclaim(long recovered) {
		long unrecovered = Math.max(0, this.settled - recovered);
		return new SliceBalance(-(this.reserved + unrecovered), this.reserved, unrecovered, 0, 0, this.knownUsed,
				this.known);
	}

	/** The usage settled by every instance was set by hand. */
	SliceBalance replaceUsed(long used) {
		return new SliceBalance(this.free, this.reserved, this.settled, this.inTransit, this.returning, used,
				this.known);
	}

}

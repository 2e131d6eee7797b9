package dev.metering.limits;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slices of one key on several instances, sharing one {@link LedgerRowModel}: each
 * changes its {@link SliceBalance} as {@link LedgerSlice} does, one step at a time, and
 * the model counts beside them what calls used and what the limit may be crossed by, to
 * check the balances against.
 */
final class LedgerSlicesModel {

	private static final LedgerKey KEY = new LedgerKey("org", "tokens",
			new BillingPeriod(Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-02-01T00:00:00Z")));

	private final long limit;

	private final LedgerRowModel row;

	private final List<Slice> slices = new ArrayList<>();

	/** Whether the table cannot be reached, with on-store-failure: allow. */
	private boolean away;

	/** All that calls used or added, written back or not. */
	private long usage;

	/**
	 * Quota used without being leased first: usage beyond reservations or without one,
	 * calls admitted on a debt while the table was away, and the calls in flight and
	 * usage not recovered of a slice whose quota a reclaim took back. The limit may be
	 * crossed by that much.
	 */
	private long unleased;

	/**
	 * The largest call that could lease past the limit: the last one admitted may cross
	 * it by less.
	 */
	private long largestCrossing = 1;

	LedgerSlicesModel(long limit, int slices) {
		this.limit = limit;
		this.row = new LedgerRowModel(slices);
		for (int i = 0; i < slices; i++) {
			this.slices.add(new Slice());
		}
	}

	/**
	 * A call, admitted as {@link LedgerSlice#reserve} or
	 * {@link LedgerSlice#reserveWithin} would.
	 */
	void reserve(int index, long amount, long minimum, boolean withinLimit) {
		Slice slice = this.slices.get(index);
		long room = withinLimit ? minimum : 1;
		if (this.limit - slice.balance.settledUsage() < room) {
			return;
		}
		if (slice.leaseCovers && slice.balance.covers(amount)) {
			slice.admit(amount);
		}
		else if (slice.writing != null) {
			// the call waits for the write-back under way
		}
		else if (this.away) {
			// a free part that a reclaim gave back is not there to admit from
			long free = (this.row.reclaimed(index) == null) ? Math.max(slice.balance.free(), 0) : 0;
			this.unleased += Math.max(0, amount - free);
			slice.admit(amount);
		}
		else {
			if (!withinLimit) {
				this.largestCrossing = Math.max(this.largestCrossing, amount);
			}
			exchange(index, amount, true, withinLimit);
			if (slice.balance.covers(minimum)) {
				slice.admit(Math.min(amount, slice.balance.free()));
			}
		}
	}

	/**
	 * A call in flight ends.
	 * @param call which of the slice's calls, modulo how many are in flight
	 * @param percent what it used, in percent of its reservation
	 */
	void settle(int index, int call, int percent) {
		Slice slice = this.slices.get(index);
		if (slice.calls.isEmpty()) {
			return;
		}
		long amount = slice.calls.remove(call % slice.calls.size());
		long actual = amount * percent / 100;
		this.usage += actual;
		this.unleased += Math.max(0, actual - amount);
		slice.unwritten += actual;
		slice.balance = slice.balance.settle(amount, actual);
	}

	void add(int index, long amount) {
		Slice slice = this.slices.get(index);
		this.usage += amount;
		this.unleased += amount;
		slice.unwritten += amount;
		slice.balance = slice.balance.add(amount);
	}

	/**
	 * A flush takes what it writes back out of the slice: a periodic one keeps the free
	 * part and tops it up to the last call, one at close gives it all back.
	 */
	void startWriteBack(int index, boolean periodic) {
		Slice slice = this.slices.get(index);
		if (slice.writing != null || slice.balance.nothingToWriteBack()) {
			return;
		}
		long need = (!periodic || slice.balance.covers(slice.lastReservation)) ? 0 : slice.lastReservation;
		slice.writing = slice.begin(need, !periodic, periodic);
	}

	/** The flush under way reaches the table, or fails. */
	void endWriteBack(int index, boolean fails) {
		Slice slice = this.slices.get(index);
		if (slice.writing == null) {
			return;
		}
		LedgerTable.Request request = slice.writing;
		slice.writing = null;
		LedgerTable.Exchange exchange = (fails || this.away) ? null : this.row.exchange(index, request);
		if (exchange != null) {
			slice.end(request, exchange);
			return;
		}
		slice.balance = slice.balance.failWriteBack();
		if (this.row.reclaimed(index) != null) {
			takeIn(index);
		}
	}

	/**
	 * Another instance reclaims the slice's hold, as if this one's lease had lapsed, with
	 * {@code percent} of the usage settled since the last write-back found in the outbox:
	 * the quota of the calls in flight and of the usage not recovered goes back to the
	 * table too.
	 */
	void reclaim(int index, int percent) {
		Slice slice = this.slices.get(index);
		if (!this.row.hasHold(index) || this.row.reclaimed(index) != null) {
			return;
		}
		long unwritten = slice.balance.settled() + slice.balance.inTransit();
		long recovered = unwritten * percent / 100;
		this.unleased += slice.balance.reserved() + unwritten - recovered;
		this.row.reclaim(index, recovered);
		slice.leaseCovers = false;
	}

	/**
	 * The ledger finds the reclaim at its heartbeat, and the slice takes it in between
	 * write-backs.
	 */
	void takeInReclaim(int index) {
		if (this.slices.get(index).writing == null && this.row.reclaimed(index) != null) {
			takeIn(index);
		}
	}

	void away(boolean away) {
		this.away = away;
	}

	/**
	 * Checks the slices against the row and what calls did: nothing negative, no quota
	 * held that the table does not count, no usage lost or counted twice, and the limit
	 * crossed by no more than the last call leased and the quota used without a lease.
	 */
	void check() {
		long toWrite = 0;
		long inFlight = 0;
		for (int index = 0; index < this.slices.size(); index++) {
			SliceBalance balance = this.slices.get(index).balance;
			String slice = "slice " + index + " " + balance;
			assertThat(balance.reserved()).as("reserved by " + slice)
				.isEqualTo(this.slices.get(index).calls.stream().mapToLong(Long::longValue).sum());
			assertThat(balance.settled()).as(slice).isNotNegative();
			assertThat(balance.inTransit()).as(slice).isNotNegative();
			assertThat(balance.knownUsed()).as(slice).isNotNegative();
			assertThat(Math.min(balance.free(), balance.returning())).as("debt of " + slice)
				.isGreaterThanOrEqualTo(-this.unleased);
			assertThat(balance.settledUsage()).as("usage seen by " + slice)
				.isEqualTo(this.slices.get(index).knownUsed + this.slices.get(index).unwritten);
			Long recovered = this.row.reclaimed(index);
			if (recovered == null) {
				assertThat(balance.held()).as("held by " + slice).isEqualTo(this.row.held(index));
			}
			else {
				// counted once: in the row, and no more by the slice once it takes the
				// reclaim in
				toWrite -= recovered;
			}
			toWrite += balance.settled() + balance.inTransit();
			inFlight += balance.reserved();
		}
		assertThat(this.row.used()).isNotNegative();
		assertThat(this.row.leased()).as("leased").isNotNegative().isEqualTo(this.row.sumOfHolds());
		assertThat(this.row.used() + toWrite).as("usage written back and to write").isEqualTo(this.usage);
		long bound = this.limit + this.largestCrossing - 1 + this.unleased;
		assertThat(this.row.used() + this.row.leased()).as("used + leased").isLessThanOrEqualTo(bound);
		assertThat(this.usage + inFlight).as("usage + reservations in flight").isLessThanOrEqualTo(bound);
	}

	/**
	 * Ends every call as reserved, lets the table be reached again and gives every slice
	 * back, as at close; then the row counts all usage, once, and nothing stays leased.
	 */
	void closeAndCheck() {
		this.away = false;
		for (int index = 0; index < this.slices.size(); index++) {
			Slice slice = this.slices.get(index);
			endWriteBack(index, false);
			while (!slice.calls.isEmpty()) {
				settle(index, 0, 100);
			}
			takeInReclaim(index);
			if (!slice.balance.nothingToWriteBack()) {
				exchange(index, 0, true, false);
			}
			assertThat(slice.balance.isEmpty()).as("slice " + index + " " + slice.balance).isTrue();
		}
		check();
		assertThat(this.row.used()).as("used").isEqualTo(this.usage);
		assertThat(this.row.leased()).as("leased").isZero();
	}

	/** An exchange a call waits for, begun again after a reclaim it found is taken in. */
	private void exchange(int index, long need, boolean returnFree, boolean withinLimit) {
		Slice slice = this.slices.get(index);
		LedgerTable.Exchange exchange;
		do {
			LedgerTable.Request request = slice.begin(need, returnFree, withinLimit);
			exchange = this.row.exchange(index, request);
			if (exchange != null) {
				slice.end(request, exchange);
			}
			else {
				slice.balance = slice.balance.failWriteBack();
				takeIn(index);
			}
		}
		while (exchange == null);
	}

	private void takeIn(int index) {
		Slice slice = this.slices.get(index);
		long recovered = this.row.takeReclaimed(index);
		slice.balance = slice.balance.takeInReclaim(recovered);
		slice.holdWritten = false;
		slice.unwritten -= recovered;
	}

	/**
	 * A slice's balance, with what {@link LedgerSlice} keeps beside it that its changes
	 * hang on.
	 */
	private final class Slice {

		private SliceBalance balance = SliceBalance.EMPTY;

		private boolean holdWritten;

		/** Whether the slice may admit from memory: its hold found since any reclaim. */
		private boolean leaseCovers;

		private LedgerTable.Request writing;

		/** The usage the row counted at the last write-back. */
		private long knownUsed;

		/** What calls on this slice used since, that the row does not count. */
		private long unwritten;

		private long lastReservation;

		private final List<Long> calls = new ArrayList<>();

		void admit(long amount) {
			this.balance = this.balance.reserve(amount);
			this.lastReservation = amount;
			this.calls.add(amount);
		}

		LedgerTable.Request begin(long need, boolean returnFree, boolean withinLimit) {
			this.balance = this.balance.startWriteBack(returnFree);
			return new LedgerTable.Request(KEY, this.balance.inTransit(), this.balance.returning(), need,
					LedgerSlicesModel.this.limit, withinLimit, this.balance.held(), this.holdWritten, 0, 0);
		}

		void end(LedgerTable.Request request, LedgerTable.Exchange exchange) {
			this.balance = this.balance.finishWriteBack(exchange.used(), exchange.granted());
			this.holdWritten |= request.writesHold(exchange.granted());
			this.leaseCovers = true;
			this.knownUsed = exchange.used();
			this.unwritten -= request.settled();
		}

	}

}

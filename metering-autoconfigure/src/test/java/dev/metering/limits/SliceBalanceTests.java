package dev.metering.limits;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The arithmetic of a slice, one change at a time.
 */
class SliceBalanceTests {

	/** A slice granted 100 of quota by a table that counted 500 used. */
	private final SliceBalance leased = SliceBalance.EMPTY.startWriteBack(true).finishWriteBack(500, 100);

	@Test
	void aCallReservesFromTheFreePartAndWhatItDidNotUseIsFreeAgain() {
		SliceBalance reserved = this.leased.reserve(30);
		assertThat(reserved.free()).isEqualTo(70);
		assertThat(reserved.reserved()).isEqualTo(30);

		SliceBalance settled = reserved.settle(30, 12);
		assertThat(settled).isEqualTo(new SliceBalance(88, 0, 12, 0, 0, 500, true));
		assertThat(settled.held()).as("calls move quota between the parts").isEqualTo(100);
	}

	@Test
	void aWriteBackThatFailedLeavesItsUsageAndFreePartToBeWrittenAgain() {
		SliceBalance settled = this.leased.reserve(30).settle(30, 12);

		SliceBalance writing = settled.startWriteBack(true);
		assertThat(writing).isEqualTo(new SliceBalance(0, 0, 0, 12, 88, 500, true));
		assertThat(writing.settledUsage()).as("usage in transit still counts").isEqualTo(512);

		assertThat(writing.failWriteBack()).isEqualTo(settled);
	}

	@Test
	void usageSettledDuringAWriteBackIsLeftForTheNextOne() {
		SliceBalance writing = this.leased.reserve(30).reserve(20).settle(30, 12).startWriteBack(false);
		assertThat(writing.free()).as("a busy slice keeps its free part").isEqualTo(68);

		SliceBalance written = writing.settle(20, 20).finishWriteBack(512, 40);

		assertThat(written).isEqualTo(new SliceBalance(108, 0, 20, 0, 0, 512, true));
		assertThat(written.settledUsage()).isEqualTo(532);
		assertThat(written.held()).as("100 held, 12 written, 40 granted").isEqualTo(128);
	}

	@Test
	void aCallThatUsedMoreThanItReservedLeavesADebtThatEveryWriteBackSettlesUp() {
		SliceBalance overused = this.leased.reserve(100).settle(100, 130);
		assertThat(overused.free()).isEqualTo(-30);

		SliceBalance writing = overused.startWriteBack(false);

		assertThat(writing.returning()).as("the debt goes, though the free part is kept").isEqualTo(-30);
		assertThat(writing.free()).isZero();
		assertThat(writing.inTransit()).isEqualTo(130);
	}

	@Test
	void aReclaimTakenInLeavesCallsInFlightAsDebtsAndWhatWasNotRecoveredToWrite() {
		SliceBalance inFlight = this.leased.reserve(30).settle(30, 25).reserve(40);

		SliceBalance reclaimed = inFlight.takeInReclaim(10);

		assertThat(reclaimed).isEqualTo(new SliceBalance(-55, 40, 15, 0, 0, 500, true));
		assertThat(reclaimed.held()).as("all went back to the table").isZero();
	}

	@Test
	void aReclaimThatRecoveredMoreThanWasSettledLeavesNothingToWrite() {
		SliceBalance reclaimed = this.leased.reserve(30).settle(30, 25).takeInReclaim(40);

		assertThat(reclaimed.settled()).isZero();
		assertThat(reclaimed.free()).isZero();
		assertThat(reclaimed.isEmpty()).isTrue();
	}

	@Test
	void aSliceIsEmptyOnlyWithNothingFreeReservedOrSettled() {
		assertThat(SliceBalance.EMPTY.isEmpty()).isTrue();
		assertThat(this.leased.isEmpty()).isFalse();
		assertThat(this.leased.startWriteBack(true).finishWriteBack(500, 0).isEmpty()).isTrue();
		assertThat(SliceBalance.EMPTY.reserve(0).reserve(5).isEmpty()).as("a debt in flight").isFalse();
		assertThat(SliceBalance.EMPTY.add(5).nothingToWriteBack()).isFalse();
	}

}

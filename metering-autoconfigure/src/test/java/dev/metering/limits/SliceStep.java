package dev.metering.limits;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * One thing that happens to the slices of a {@link LedgerSlicesModel}: what a call, a
 * flush, another instance or the database does. Steps that do not apply to the state they
 * find (a settle with no call in flight) change nothing, so that any step can be left out
 * of a sequence that fails, to find the shortest one.
 *
 * @param description what happens, for the report of a sequence that fails
 * @param change what it does to the model
 * @param unleased whether the step may let quota be used without a lease
 */
record SliceStep(String description, Consumer<LedgerSlicesModel> change, boolean unleased) {

	/**
	 * A sequence of up to {@code length} steps on {@code slices} slices of a key limited
	 * to {@code limit}.
	 * @param troubled whether calls may use more than they reserved, the database be away
	 * and another instance reclaim a slice; without, the limit is crossed by less than a
	 * call
	 */
	static List<SliceStep> random(Random random, int slices, long limit, int length, boolean troubled) {
		List<SliceStep> steps = new ArrayList<>();
		int count = 1 + random.nextInt(length);
		while (steps.size() < count) {
			SliceStep step = random(random, random.nextInt(slices), limit);
			if (troubled || !step.unleased()) {
				steps.add(step);
			}
		}
		return steps;
	}

	private static SliceStep random(Random random, int slice, long limit) {
		// mostly small calls, a few as large as the limit
		long amount = 1 + (long) (random.nextDouble() * random.nextDouble() * limit);
		String on = " on slice " + slice;
		int kind = random.nextInt(100);
		if (kind < 25) {
			return new SliceStep("reserve " + amount + on, (model) -> model.reserve(slice, amount, amount, false),
					false);
		}
		if (kind < 35) {
			long minimum = 1 + random.nextInt((int) amount);
			return new SliceStep("reserve " + amount + " within the limit, at least " + minimum + on,
					(model) -> model.reserve(slice, amount, minimum, true), false);
		}
		if (kind < 65) {
			int call = random.nextInt(8);
			// most calls use at most what they reserved
			int percent = (random.nextInt(10) == 0) ? 101 + random.nextInt(50) : random.nextInt(101);
			return new SliceStep("settle call " + call + " at " + percent + "%" + on,
					(model) -> model.settle(slice, call, percent), percent > 100);
		}
		if (kind < 68) {
			long added = 1 + random.nextInt(10);
			return new SliceStep("add " + added + on, (model) -> model.add(slice, added), true);
		}
		if (kind < 78) {
			boolean periodic = random.nextBoolean();
			return new SliceStep("start a " + (periodic ? "periodic write-back" : "give-back") + on,
					(model) -> model.startWriteBack(slice, periodic), false);
		}
		if (kind < 90) {
			boolean fails = random.nextInt(4) == 0;
			return new SliceStep((fails ? "fail" : "end") + " the write-back" + on,
					(model) -> model.endWriteBack(slice, fails), false);
		}
		if (kind < 93) {
			int percent = random.nextInt(101);
			return new SliceStep("reclaim recovering " + percent + "% of the usage not written" + on,
					(model) -> model.reclaim(slice, percent), true);
		}
		if (kind < 96) {
			return new SliceStep("take the reclaim in" + on, (model) -> model.takeInReclaim(slice), false);
		}
		boolean away = random.nextBoolean();
		return new SliceStep("the database is " + (away ? "away" : "back"), (model) -> model.away(away), away);
	}

	void applyTo(LedgerSlicesModel model) {
		this.change.accept(model);
	}

	@Override
	public String toString() {
		return this.description;
	}

}

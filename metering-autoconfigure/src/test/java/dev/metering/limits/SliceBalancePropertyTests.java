package dev.metering.limits;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Random sequences of calls, flushes, failed write-backs, reclaims and outages on the
 * slices of one key on up to three instances, each slice's balance checked after every
 * step against the row and what the calls did (see {@link LedgerSlicesModel#check()}):
 * what the ledger counts plus what the slices admitted crosses the limit by less than the
 * last call that leased past it, but for the quota used without a lease (usage beyond a
 * reservation, calls admitted on a debt while the database was away, calls in flight when
 * a reclaim took their quota back), and no usage is lost or counted twice, across failed
 * write-backs and reclaims. The same sequences every run, from fixed seeds; a failure
 * names the shortest sequence found that still fails.
 */
class SliceBalancePropertyTests {

	private static final int TRIES = 1000;

	private static final int LONGEST = 80;

	@Test
	void usedAndLeasedStayWithinTheLimitButForQuotaUsedWithoutALeaseAndNoUsageIsLost() {
		for (long seed = 0; seed < TRIES; seed++) {
			Scenario scenario = Scenario.random(new Random(seed));
			if (scenario.failure() != null) {
				Scenario shortest = scenario.shortest();
				throw new AssertionError("Seed " + seed + " fails, at shortest " + shortest, shortest.failure());
			}
		}
	}

	/**
	 * Steps on the slices of a key, each checked, then the slices given back as at close.
	 */
	private record Scenario(long limit, int slices, List<SliceStep> steps) {

		static Scenario random(Random random) {
			long limit = 1 + random.nextInt(random.nextBoolean() ? 100 : 100_000);
			int slices = 1 + random.nextInt(3);
			boolean troubled = random.nextInt(3) > 0;
			return new Scenario(limit, slices, SliceStep.random(random, slices, limit, LONGEST, troubled));
		}

		/** What the checks threw, {@code null} when all passed. */
		Throwable failure() {
			LedgerSlicesModel model = new LedgerSlicesModel(this.limit, this.slices);
			try {
				for (SliceStep step : this.steps) {
					step.applyTo(model);
					model.check();
				}
				model.closeAndCheck();
				return null;
			}
			catch (AssertionError | RuntimeException ex) {
				return ex;
			}
		}

		/** This scenario without every step it fails without. */
		Scenario shortest() {
			Scenario shortest = this;
			boolean shortened;
			do {
				shortened = false;
				for (int i = shortest.steps.size() - 1; i >= 0; i--) {
					List<SliceStep> steps = new ArrayList<>(shortest.steps);
					steps.remove(i);
					Scenario shorter = new Scenario(this.limit, this.slices, steps);
					if (shorter.failure() != null) {
						shortest = shorter;
						shortened = true;
					}
				}
			}
			while (shortened);
			return shortest;
		}

	}

}

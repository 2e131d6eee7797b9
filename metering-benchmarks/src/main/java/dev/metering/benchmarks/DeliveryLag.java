package dev.metering.benchmarks;

import java.util.Arrays;

/**
 * How long after a call its tokens reached the Stripe stub: the calls of each
 * organization in the order they ended are matched with the times the customer's sum at
 * the stub grew past theirs, so that a merged event counts for every call it covers from
 * the time of that call. With several instances, one's later call may be delivered before
 * another's earlier one; matched in order, the two lags swap and their spread is kept.
 */
final class DeliveryLag {

	private static final int MILLIS_SHIFT = 1;

	private static final int ORGANIZATION_SHIFT = 42;

	private DeliveryLag() {
	}

	/**
	 * Measures the lag of each measured call.
	 * @param calls every call billed, warm-up calls included (their tokens are in the
	 * sums)
	 * @param stripe the stub the calls were billed to
	 */
	static Result measure(CallRecords.Calls calls, StripeStubServer stripe) {
		int n = calls.billedOrganizations().length;
		long base = Arrays.stream(calls.billedMillis()).min().orElse(0);
		long[] keys = new long[n];
		for (int i = 0; i < n; i++) {
			keys[i] = ((long) calls.billedOrganizations()[i] << ORGANIZATION_SHIFT)
					| ((calls.billedMillis()[i] - base) << MILLIS_SHIFT) | (calls.measured()[i] ? 1 : 0);
		}
		Arrays.sort(keys);
		long[] lags = new long[n];
		int measured = 0;
		long undelivered = 0;
		int i = 0;
		while (i < n) {
			int organization = (int) (keys[i] >>> ORGANIZATION_SHIFT);
			StripeStubServer.Arrivals.Snapshot arrivals = stripe.arrivals("cus_" + organization);
			long[] times = arrivals.millis();
			long[] reached = reachedByTime(arrivals);
			int arrival = 0;
			long target = 0;
			for (; i < n && (int) (keys[i] >>> ORGANIZATION_SHIFT) == organization; i++) {
				target += InstantChatModel.TOKENS_PER_CALL;
				while (arrival < reached.length && reached[arrival] < target) {
					arrival++;
				}
				if ((keys[i] & 1) == 0) {
					continue;
				}
				if (arrival == reached.length) {
					undelivered++;
					continue;
				}
				long ended = base + ((keys[i] & ((1L << ORGANIZATION_SHIFT) - 1)) >>> MILLIS_SHIFT);
				lags[measured++] = Math.max(0, times[arrival] - ended);
			}
		}
		long[] delivered = Arrays.copyOf(lags, measured);
		Arrays.sort(delivered);
		return new Result(delivered, undelivered);
	}

	/**
	 * The sums reached at the stub, in the order of the times they were reached
	 * ({@code arrivals.millis()} sorted in place), each the most reached by then.
	 */
	private static long[] reachedByTime(StripeStubServer.Arrivals.Snapshot arrivals) {
		int n = arrivals.millis().length;
		Integer[] order = new Integer[n];
		for (int i = 0; i < n; i++) {
			order[i] = i;
		}
		Arrays.sort(order, (a, b) -> Long.compare(arrivals.millis()[a], arrivals.millis()[b]));
		long[] times = new long[n];
		long[] reached = new long[n];
		long most = 0;
		for (int i = 0; i < n; i++) {
			times[i] = arrivals.millis()[order[i]];
			most = Math.max(most, arrivals.sums()[order[i]]);
			reached[i] = most;
		}
		System.arraycopy(times, 0, arrivals.millis(), 0, n);
		return reached;
	}

	/**
	 * @param delivered the lag of each measured call that was delivered, in milliseconds,
	 * sorted
	 * @param undelivered measured calls whose tokens had not reached the stub
	 */
	record Result(long[] delivered, long undelivered) {

		/**
		 * The 99th percentile in seconds over every measured call, or {@code NaN} when
		 * more than one in a hundred was not delivered.
		 */
		double p99Seconds() {
			long all = this.delivered.length + this.undelivered;
			long index = (long) Math.ceil(0.99 * all) - 1;
			if (all == 0 || index >= this.delivered.length) {
				return Double.NaN;
			}
			return this.delivered[(int) Math.max(index, 0)] / 1000.0;
		}

	}

}

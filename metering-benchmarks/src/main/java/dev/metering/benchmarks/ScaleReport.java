package dev.metering.benchmarks;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;

/**
 * Prints the figures of {@link ScaleLoad}: the instances' side (throughput, CPU, time
 * added, heap), then the shared side (database statements, Stripe requests, delivery lag,
 * sums).
 */
final class ScaleReport {

	private ScaleReport() {
	}

	/**
	 * @param busy how many organizations are busy ({@code org_0} …), whose calls' p99 is
	 * shown apart
	 */
	static void print(List<ScaleLoad.Configuration> configurations, int busy) {
		System.out.println();
		System.out.println("Instances (means over the instances; p99 in ms over all their calls, and over the busy "
				+ "organizations' calls)");
		System.out.printf("%8s %4s %8s %12s %12s %10s %12s %10s %10s %16s %9s%n", "orgs", "inst", "active",
				"calls/s/inst", "CPU ms/1000", "p99 plain", "p99 metered", "p99 added", "added busy",
				"heap KB/1000 org", "failures");
		for (ScaleLoad.Configuration c : configurations) {
			double plain = p99Millis(c.calls().plainNanos());
			double metered = p99Millis(c.calls().meteredNanos());
			double busyMetered = p99Millis(busyNanos(c.calls(), busy));
			System.out.printf("%,8d %4d %,8d %12.1f %12.1f %10.3f %12.3f %10.3f %10.3f %16.1f %9d%n", c.organizations(),
					c.instances(), active(c), mean(c, ScaleReport::callsPerSecond),
					mean(c, ScaleReport::cpuMillisPerThousand), plain, metered, metered - plain, busyMetered - plain,
					mean(c, ScaleReport::heapKilobytesPerThousand), c.calls().failures());
		}
		System.out.println();
		System.out.println("Database and Stripe (statements a second and requests a minute over the load; lag from "
				+ "each call's end to its tokens' arrival at the stub)");
		System.out.printf("%8s %4s %9s %9s %10s %9s %12s %10s %10s %10s %8s %11s %15s %9s%n", "orgs", "inst",
				"ledger/s", "outbox/s", "other m./s", "commits/s", "meter ev/min", "search/min", "429/min", "subs/min",
				"lag p99", "undelivered", "sums exact", "drained");
		for (ScaleLoad.Configuration c : configurations) {
			double seconds = c.duration().toMillis() / 1000.0;
			double minutes = seconds / 60;
			Map<String, Long> sql = c.statements();
			Map<String, Long> requests = c.requests();
			long meterEvents = requests.getOrDefault(StripeStubServer.METER_EVENTS, 0L)
					+ requests.getOrDefault(StripeStubServer.METER_EVENT_BATCHES, 0L);
			System.out.printf("%,8d %4d %9.0f %9.0f %10.0f %9.0f %,12.0f %,10.0f %,10.0f %,10.0f %8s %,11d %15s %9s%n",
					c.organizations(), c.instances(), sql.getOrDefault(PostgresStatements.LEDGER, 0L) / seconds,
					sql.getOrDefault(PostgresStatements.OUTBOX, 0L) / seconds,
					sql.getOrDefault(PostgresStatements.OTHER_METERING, 0L) / seconds,
					sql.getOrDefault(PostgresStatements.COMMITS, 0L) / seconds, meterEvents / minutes,
					requests.getOrDefault(StripeStubServer.SEARCHES, 0L) / minutes,
					requests.getOrDefault(StripeStubServer.SEARCHES_REFUSED, 0L) / minutes,
					requests.getOrDefault(StripeStubServer.SUBSCRIPTION_LISTS, 0L) / minutes, lag(c),
					c.lag().undelivered(), String.format("%,d/%,d", c.sums().exactCustomers(), c.sums().customers()),
					seconds(c.drainedSeconds()));
			if (!c.sums().exact()) {
				System.out.printf("         not exact: the stub received %,d tokens of %,d%n", c.sums().received(),
						c.sums().expected());
			}
		}
	}

	private static long[] busyNanos(CallRecords.Calls calls, int busy) {
		long[] nanos = calls.meteredNanos();
		int[] organizations = calls.meteredOrganizations();
		return IntStream.range(0, nanos.length)
			.filter((i) -> organizations[i] < busy)
			.mapToLong((i) -> nanos[i])
			.toArray();
	}

	/**
	 * The lag's p99, or, when more than one call in a hundred was not delivered when the
	 * drain ended, its lower bound: those calls' lag exceeds the drain.
	 */
	private static String lag(ScaleLoad.Configuration c) {
		double p99 = c.lag().p99Seconds();
		return Double.isNaN(p99) ? "> " + c.drain().toSeconds() + " s" : seconds(p99);
	}

	private static int active(ScaleLoad.Configuration c) {
		boolean[] seen = new boolean[c.organizations()];
		int active = 0;
		int[] organizations = c.calls().billedOrganizations();
		boolean[] measured = c.calls().measured();
		for (int i = 0; i < organizations.length; i++) {
			if (measured[i] && !seen[organizations[i]]) {
				seen[organizations[i]] = true;
				active++;
			}
		}
		return active;
	}

	private static double mean(ScaleLoad.Configuration c, ToDoubleFunction<ScaleLoad.InstanceResult> figure) {
		return c.results().stream().mapToDouble(figure).average().orElse(Double.NaN);
	}

	private static double callsPerSecond(ScaleLoad.InstanceResult result) {
		return result.callsPerSecond();
	}

	private static double cpuMillisPerThousand(ScaleLoad.InstanceResult result) {
		return result.cpuNanos() / 1e6 / (result.calls() / 1000.0);
	}

	private static double heapKilobytesPerThousand(ScaleLoad.InstanceResult result) {
		return (result.heapAfter() - result.heapBefore()) / 1024.0 / (result.active() / 1000.0);
	}

	private static double p99Millis(long[] nanos) {
		if (nanos.length == 0) {
			return Double.NaN;
		}
		long[] sorted = nanos.clone();
		Arrays.sort(sorted);
		int index = (int) Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1);
		return sorted[Math.max(index, 0)] / 1e6;
	}

	private static String seconds(double seconds) {
		return Double.isNaN(seconds) ? "—" : String.format("%.1f s", seconds);
	}

}

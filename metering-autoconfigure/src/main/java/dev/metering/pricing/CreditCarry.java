package dev.metering.pricing;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Turns exact prices into the whole credits providers take, carrying what is left per
 * customer and event name into that customer's next event: after any number of calls, the
 * credits recorded are the exact total rounded once (half up), never drifting in one
 * direction.
 * <p>
 * The fraction carried is kept in memory, lock-free, and with a {@link CarryStore}
 * written to it every flush interval and on {@link #close()}, and read from it the first
 * time a customer is priced after a start. Instances sharing a store each add what they
 * carried; their sum stays within half a credit per instance of the exact total.
 *
 * @since 0.1.0
 */
public final class CreditCarry implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(CreditCarry.class);

	private final long unitsPerCredit;

	private final @Nullable CarryStore store;

	private final Duration flushInterval;

	private final Map<String, Map<String, Remainder>> remainders = new ConcurrentHashMap<>();

	private @Nullable ScheduledExecutorService flusher;

	/**
	 * @param unitsPerCredit the units prices are in ({@link PriceList#unitsPerCredit()})
	 * @param store where the fraction carried is kept, or {@code null} to keep it in
	 * memory
	 * @param flushInterval how often it is written to the store
	 */
	public CreditCarry(long unitsPerCredit, @Nullable CarryStore store, Duration flushInterval) {
		this.unitsPerCredit = unitsPerCredit;
		this.store = store;
		this.flushInterval = flushInterval;
	}

	/**
	 * The whole credits to record for a priced amount, carrying the rest.
	 * @param units the exact price in units
	 */
	public long settle(String eventName, String customerId, long units) {
		Remainder remainder = remainder(eventName, customerId);
		while (true) {
			long carried = remainder.get();
			long sum;
			try {
				sum = Math.addExact(carried, units);
			}
			catch (ArithmeticException ex) {
				return settleLarge(remainder, carried, BigInteger.valueOf(units));
			}
			long credits = rounded(sum);
			if (remainder.compareAndSet(carried, sum - credits * this.unitsPerCredit)) {
				return credits;
			}
		}
	}

	/**
	 * The whole credits of several priced amounts of one event each (one per type of
	 * token), carrying the rest: each gets what rounding the running sum gives it, so
	 * that together they round once.
	 * @param units the exact prices in units; replaced by the credits of each
	 * @return the credits of all together
	 */
	public long settle(String eventName, String customerId, long[] units) {
		Remainder remainder = remainder(eventName, customerId);
		while (true) {
			long carried = remainder.get();
			long running = carried;
			long previous = 0;
			for (long amount : units) {
				running = saturatedAdd(running, amount);
			}
			long total = rounded(running);
			if (remainder.compareAndSet(carried, running - total * this.unitsPerCredit)) {
				running = carried;
				for (int i = 0; i < units.length; i++) {
					running = saturatedAdd(running, units[i]);
					long upToHere = rounded(running);
					units[i] = upToHere - previous;
					previous = upToHere;
				}
				return total;
			}
		}
	}

	/**
	 * Adds a price to a running sum, stopping short of overflowing: a price that large
	 * (some 10<sup>18</sup> units) is beyond any call, and the carry stays in range.
	 */
	private long saturatedAdd(long running, long amount) {
		long ceiling = Long.MAX_VALUE - this.unitsPerCredit;
		return (running > ceiling - amount) ? ceiling : running + amount;
	}

	/**
	 * Rounds half up, to no less than nothing: a negative carry waits for later prices.
	 */
	private long rounded(long units) {
		long credits = Math.floorDiv(units, this.unitsPerCredit);
		long rest = units - credits * this.unitsPerCredit;
		if (rest >= this.unitsPerCredit - rest) {
			credits++;
		}
		return Math.max(credits, 0);
	}

	/**
	 * A price too large for a {@code long} of units: priced exactly, on the slow path.
	 */
	private long settleLarge(Remainder remainder, long carried, BigInteger units) {
		BigInteger sum = units.add(BigInteger.valueOf(carried));
		BigInteger credits = new BigDecimal(sum)
			.divide(BigDecimal.valueOf(this.unitsPerCredit), 0, RoundingMode.HALF_UP)
			.toBigIntegerExact();
		long next = sum.subtract(credits.multiply(BigInteger.valueOf(this.unitsPerCredit))).longValueExact();
		if (!remainder.compareAndSet(carried, next)) {
			return settleLarge(remainder, remainder.get(), units);
		}
		return credits.min(BigInteger.valueOf(Long.MAX_VALUE)).longValue();
	}

	/**
	 * The fraction of a credit carried for a customer, in credits: for tests and
	 * operators.
	 */
	public BigDecimal carried(String eventName, String customerId) {
		return BigDecimal.valueOf(remainder(eventName, customerId).get())
			.divide(BigDecimal.valueOf(this.unitsPerCredit));
	}

	private Remainder remainder(String eventName, String customerId) {
		Map<String, Remainder> ofEvent = this.remainders.get(eventName);
		if (ofEvent == null) {
			ofEvent = this.remainders.computeIfAbsent(eventName, (name) -> new ConcurrentHashMap<>());
		}
		Remainder remainder = ofEvent.get(customerId);
		if (remainder == null) {
			remainder = ofEvent.computeIfAbsent(customerId, (id) -> new Remainder());
		}
		if (!remainder.loaded) {
			load(eventName, customerId, remainder);
		}
		return remainder;
	}

	/**
	 * Reads what the store carries, once per customer and event name, before it is priced
	 * here.
	 */
	private void load(String eventName, String customerId, Remainder remainder) {
		synchronized (remainder) {
			if (remainder.loaded) {
				return;
			}
			if (this.store != null) {
				startFlushing();
				try {
					long stored = this.store.load(eventName, customerId)
						.movePointRight(scale())
						.setScale(0, RoundingMode.HALF_UP)
						.longValueExact();
					remainder.addAndGet(stored);
					remainder.flushed += stored;
				}
				catch (RuntimeException ex) {
					// carried from 0 here; what the store holds stays there for the next
					// start
					logger.warn("Could not read the credits carried for " + customerId + " on " + eventName
							+ "; rounding starts afresh: " + ex.getMessage());
				}
			}
			remainder.loaded = true;
		}
	}

	private int scale() {
		return BigDecimal.valueOf(this.unitsPerCredit).precision() - 1;
	}

	private synchronized void startFlushing() {
		if (this.flusher != null) {
			return;
		}
		this.flusher = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "metering-credit-carry");
			thread.setDaemon(true);
			return thread;
		});
		long interval = this.flushInterval.toMillis();
		this.flusher.scheduleWithFixedDelay(this::flush, interval, interval, TimeUnit.MILLISECONDS);
	}

	/** Writes what every customer carried since the last flush to the store. */
	synchronized void flush() {
		if (this.store == null) {
			return;
		}
		this.remainders.forEach((eventName, ofEvent) -> ofEvent.forEach((customerId, remainder) -> {
			long delta = remainder.get() - remainder.flushed;
			if (delta == 0 || !remainder.loaded) {
				return;
			}
			try {
				this.store.add(eventName, customerId, BigDecimal.valueOf(delta, scale()));
				remainder.flushed += delta;
			}
			catch (RuntimeException ex) {
				logger.warn("Could not write the credits carried for " + customerId + " on " + eventName
						+ "; trying again in the next flush: " + ex.getMessage());
			}
		}));
	}

	/** Stops flushing and writes what is carried. */
	@Override
	public void close() throws InterruptedException {
		ScheduledExecutorService running;
		synchronized (this) {
			running = this.flusher;
		}
		if (running != null) {
			running.shutdown();
			running.awaitTermination(10, TimeUnit.SECONDS);
		}
		flush();
	}

	/**
	 * The units carried for one customer and event name, and what of them the store has.
	 */
	private static final class Remainder extends AtomicLong {

		private volatile boolean loaded;

		/**
		 * The units carried as the store last had them; written by the flusher and the
		 * loader.
		 */
		private long flushed;

	}

}

package dev.metering.limits;

import java.util.Comparator;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.ApplicationEventPublisher;

import dev.metering.BalanceLowEvent;
import dev.metering.UsageThresholdReachedEvent;

/**
 * Publishes a {@link UsageThresholdReachedEvent} when usage reaches a threshold (percent
 * of its limit) that nobody has claimed yet in the period, and a {@link BalanceLowEvent}
 * when what is left of a prepaid balance falls to a threshold (percent of its credit)
 * that nobody has claimed yet for that credit: a grant, a revocation or an expiry changes
 * the credit, and the thresholds of the new one are published again.
 */
final class UsageThresholds {

	private static final Log logger = LogFactory.getLog(UsageThresholds.class);

	private final List<Integer> percents;

	private final List<Integer> balancePercents;

	private final ThresholdClaims claims;

	private final ApplicationEventPublisher publisher;

	/**
	 * @param percents the thresholds of plan limits, ascending, from 1 to 100
	 * @param balancePercents the thresholds of balances, percentages of the credit left,
	 * from 0 to 100
	 */
	UsageThresholds(List<Integer> percents, List<Integer> balancePercents, ThresholdClaims claims,
			ApplicationEventPublisher publisher) {
		this.percents = List.copyOf(percents);
		this.balancePercents = balancePercents.stream().sorted(Comparator.reverseOrder()).toList();
		this.claims = claims;
		this.publisher = publisher;
	}

	/**
	 * Notes what a key has used; call it outside any lock, since it may publish.
	 * @param limit the key's limit; {@link Long#MAX_VALUE} when unlimited
	 */
	void observe(LedgerKey key, long used, long limit) {
		if (used <= 0) {
			return;
		}
		String meterKey = UsageLedger.balanceMeter(key.limitKey());
		if (meterKey != null) {
			observeBalance(key, meterKey, used, limit);
			return;
		}
		for (int percent : this.percents) {
			if (used < reachedAt(limit, percent)) {
				return;
			}
			try {
				if (this.claims.claim(key.referenceId(), key.limitKey(), key.period(), percent)) {
					this.publisher.publishEvent(new UsageThresholdReachedEvent(key.referenceId(), key.limitKey(), used,
							limit, percent, key.period().start(), key.period().end()));
				}
			}
			catch (RuntimeException ex) {
				// the call that got here is done and billed: a listener must not fail it
				logger.warn("Could not publish that '" + key.referenceId() + "' reached " + percent + "% of its '"
						+ key.limitKey() + "' limit", ex);
			}
		}
	}

	/**
	 * Publishes the thresholds of a balance that what is left has fallen to, the highest
	 * first, each claimed under the credit it is a part of.
	 * @param credit what the organization's grants make usable
	 */
	private void observeBalance(LedgerKey key, String meterKey, long used, long credit) {
		long remaining = Math.max(credit - used, 0);
		for (int percent : this.balancePercents) {
			if (remaining > credit / 100 * percent + (credit % 100) * percent / 100) {
				continue;
			}
			try {
				if (this.claims.claim(key.referenceId(), key.limitKey() + "@" + credit, key.period(), percent)) {
					this.publisher
						.publishEvent(new BalanceLowEvent(key.referenceId(), meterKey, remaining, credit, percent));
				}
			}
			catch (RuntimeException ex) {
				// the call that got here is done and billed: a listener must not fail it
				logger.warn("Could not publish that the balance of '" + key.referenceId() + "' on meter '" + meterKey
						+ "' fell to " + percent + "%", ex);
			}
		}
	}

	/**
	 * The usage at which {@code percent} of {@code limit} is reached, rounded up, free of
	 * overflow.
	 */
	static long reachedAt(long limit, int percent) {
		return limit / 100 * percent + ((limit % 100) * percent + 99) / 100;
	}

}

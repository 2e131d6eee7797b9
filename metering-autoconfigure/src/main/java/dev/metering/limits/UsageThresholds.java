package dev.metering.limits;

import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.ApplicationEventPublisher;

import dev.metering.UsageThresholdReachedEvent;

/**
 * Publishes a {@link UsageThresholdReachedEvent} when usage reaches a threshold (percent
 * of its limit) that nobody has claimed yet in the period. Balances are not plan limits:
 * they report running low with events of their own.
 */
final class UsageThresholds {

	private static final Log logger = LogFactory.getLog(UsageThresholds.class);

	private final List<Integer> percents;

	private final ThresholdClaims claims;

	private final ApplicationEventPublisher publisher;

	/**
	 * @param percents the thresholds, ascending, from 1 to 100
	 */
	UsageThresholds(List<Integer> percents, ThresholdClaims claims, ApplicationEventPublisher publisher) {
		this.percents = List.copyOf(percents);
		this.claims = claims;
		this.publisher = publisher;
	}

	/**
	 * Notes what a key has used; call it outside any lock, since it may publish.
	 * @param limit the key's limit; {@link Long#MAX_VALUE} when unlimited
	 */
	void observe(LedgerKey key, long used, long limit) {
		if (used <= 0 || UsageLedger.isBalanceKey(key.limitKey())) {
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
	 * The usage at which {@code percent} of {@code limit} is reached, rounded up, free of
	 * overflow.
	 */
	static long reachedAt(long limit, int percent) {
		return limit / 100 * percent + ((limit % 100) * percent + 99) / 100;
	}

}

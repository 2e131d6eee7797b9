package dev.metering;

import java.time.Instant;

/**
 * Thrown before a model call when the organization has used up a plan limit.
 *
 * @since 0.1.0
 */
public class UsageLimitExceededException extends RuntimeException {

	private final String limitKey;

	private final long limit;

	private final long used;

	private final Instant periodEnd;

	public UsageLimitExceededException(String limitKey, long limit, long used, Instant periodEnd) {
		super("Usage limit '" + limitKey + "' exceeded: used " + used + " of " + limit + " until " + periodEnd);
		this.limitKey = limitKey;
		this.limit = limit;
		this.used = used;
		this.periodEnd = periodEnd;
	}

	public String getLimitKey() {
		return this.limitKey;
	}

	public long getLimit() {
		return this.limit;
	}

	public long getUsed() {
		return this.used;
	}

	public Instant getPeriodEnd() {
		return this.periodEnd;
	}

}

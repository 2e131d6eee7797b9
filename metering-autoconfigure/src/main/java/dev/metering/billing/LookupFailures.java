package dev.metering.billing;

import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Applies {@code metering.limits.on-lookup-failure} to a provider look-up of a customer or a
 * subscription that failed with nothing cached: {@link LookupFailurePolicy#ALLOW} goes on with
 * what the call would have without the provider's answer, with a warning and a count, so that
 * an outage of the provider does not stop AI calls; {@link LookupFailurePolicy#REJECT} fails
 * the call with the provider's error.
 */
public final class LookupFailures {

	/** Lets every failure through: for callers that are told of provider trouble. */
	static final LookupFailures STRICT = new LookupFailures(LookupFailurePolicy.REJECT, MeteringMetrics.NONE);

	private static final Log logger = LogFactory.getLog(LookupFailures.class);

	private final LookupFailurePolicy policy;

	private final MeteringMetrics metrics;

	public LookupFailures(LookupFailurePolicy policy, MeteringMetrics metrics) {
		this.policy = policy;
		this.metrics = metrics;
	}

	/**
	 * The look-up's answer, or the fallback's when it fails and the policy allows.
	 * @param lookup what is looked up: {@code customer} or {@code subscription}
	 * @param answer asks the provider, through its cache
	 * @param fallback what the call goes on with instead
	 * @param goingOnWith says what the fallback is, for the warning; asked only on a failure,
	 * so that a call answered from the cache builds no message
	 */
	<T> T answer(String lookup, Supplier<T> answer, Supplier<T> fallback, Supplier<String> goingOnWith) {
		try {
			return answer.get();
		}
		catch (RuntimeException ex) {
			goOnAfter(lookup, ex, goingOnWith);
			return fallback.get();
		}
	}

	/**
	 * Rethrows a look-up's failure, or, when the policy allows, warns and counts it: the caller
	 * then goes on with its fallback. For look-ups on every call, which should allocate nothing
	 * when they are answered.
	 */
	void goOnAfter(String lookup, RuntimeException ex, Supplier<String> goingOnWith) {
		if (this.policy == LookupFailurePolicy.REJECT) {
			throw ex;
		}
		this.metrics.lookupFailed(lookup);
		// the message only: a provider exception's causes may quote the request
		logger.warn(((ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getName()) + "; going on with "
				+ goingOnWith.get() + " (metering.limits.on-lookup-failure=allow)");
	}

}

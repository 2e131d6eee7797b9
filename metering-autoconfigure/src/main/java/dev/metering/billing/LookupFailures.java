package dev.metering.billing;

import java.time.Duration;
import java.util.function.Supplier;

import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.metering.MeteringUnavailableException;
import dev.metering.provider.ProviderAccess;
import dev.metering.provider.ProviderLookupException;

/**
 * Decides what a call does when a provider look-up of its customer or subscription failed
 * with nothing cached.
 * <p>
 * A refusal of the request itself (a wrong or revoked key, a missing permission) is a
 * configuration error: the call is refused with {@link MeteringUnavailableException}
 * whatever the policy, as going on would give AI away for as long as the key stays wrong.
 * A passing failure (a timeout, a connection error, 429, 5xx) follows
 * {@code metering.limits.on-lookup-failure}: {@link LookupFailurePolicy#ALLOW} goes on
 * with what the call would have without the provider's answer, with a warning and a
 * count, so that an outage does not stop AI calls (usage whose customer is unknown waits
 * for it in the outbox); {@link LookupFailurePolicy#REJECT} refuses the call with
 * {@link MeteringUnavailableException}.
 */
final class LookupFailures {

	/**
	 * How long a client refused because the provider refuses metering's credentials is
	 * told to wait: someone has to fix the configuration first.
	 */
	static final Duration REFUSED_RETRY_AFTER = ProviderAccess.LOG_EVERY;

	/** Rethrows every failure as it is: for callers that are told of provider trouble. */
	static final LookupFailures STRICT = new LookupFailures(null, Duration.ZERO, ObservationRegistry.NOOP);

	private static final Log logger = LogFactory.getLog(LookupFailures.class);

	private final @Nullable LookupFailurePolicy policy;

	private final Duration failureBackoff;

	private final ObservationRegistry observations;

	/**
	 * @param policy what a passing failure does, or {@code null} to rethrow every failure
	 * @param failureBackoff how long a failed look-up is answered with its failure before
	 * the provider is asked again: the wait a refused client is told
	 * @param observations where the metered work observed on the failing thread is found,
	 * to which a failure the work goes on after is added
	 */
	LookupFailures(@Nullable LookupFailurePolicy policy, Duration failureBackoff, ObservationRegistry observations) {
		this.policy = policy;
		this.failureBackoff = failureBackoff;
		this.observations = observations;
	}

	/**
	 * The look-up's answer, or the fallback's when it fails and the policy allows.
	 * @param lookup what is looked up: {@code customer} or {@code subscription}
	 * @param answer asks the provider, through its cache
	 * @param fallback what the call goes on with instead
	 * @param goingOnWith says what the fallback is, for the warning; asked only on a
	 * failure, so that a call answered from the cache builds no message
	 */
	<T> T answer(String lookup, Supplier<T> answer, Supplier<T> fallback, Supplier<String> goingOnWith) {
		try {
			return answer.get();
		}
		catch (MeteringUnavailableException ex) {
			// a look-up nested in the answer refused the call already
			throw ex;
		}
		catch (RuntimeException ex) {
			goOnAfter(lookup, ex, goingOnWith);
			return fallback.get();
		}
	}

	/**
	 * Refuses the call for a look-up's failure, or, when the policy allows, warns and
	 * counts it: the caller then goes on with its fallback. For look-ups on every call,
	 * which should allocate nothing when they are answered.
	 * @throws MeteringUnavailableException when the provider refused the request, or the
	 * policy rejects
	 */
	void goOnAfter(String lookup, RuntimeException ex, Supplier<String> goingOnWith) {
		if (this.policy == null) {
			throw ex;
		}
		// the message only: a provider exception's causes may quote the request
		String failure = (ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getName();
		if (ProviderLookupException.isRefusal(ex)) {
			// logged at ERROR, at most once a minute, by the provider's access record
			throw new MeteringUnavailableException(failure, REFUSED_RETRY_AFTER, ex);
		}
		if (this.policy == LookupFailurePolicy.REJECT) {
			throw new MeteringUnavailableException(failure, this.failureBackoff, ex);
		}
		MeteredWorkObservationContext.lookupFailed(this.observations, lookup);
		logger.warn(failure + "; going on with " + goingOnWith.get() + " (metering.limits.on-lookup-failure=allow)");
	}

}

package dev.metering.provider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Whether the provider accepts metering's requests: a refusal of its credentials (a wrong
 * or revoked key, a missing permission) is a configuration error that no retry mends, and
 * that would otherwise let calls through unbilled. It is logged at ERROR at most once a
 * {@linkplain #LOG_EVERY minute}, kept for the health indicator until the provider
 * answers again, and never quotes a secret (the provider's answers are redacted before
 * they get here).
 * <p>
 * Shared by the provider look-ups, which report refusals to it, and the health indicator,
 * which reads it.
 *
 * @since 0.1.0
 */
public final class ProviderAccess {

	/** How often a refusal that goes on is logged again. */
	public static final Duration LOG_EVERY = Duration.ofMinutes(1);

	private static final Log logger = LogFactory.getLog(ProviderAccess.class);

	private final String provider;

	private final String credentialProperty;

	private final Clock clock;

	private volatile @Nullable Refusal refusal;

	private @Nullable Instant lastLogged;

	/**
	 * @param provider the provider's name, for logs
	 * @param credentialProperty the property that holds the credential, for the log's
	 * advice
	 * @param clock tells when a refusal began and when it was last logged
	 */
	public ProviderAccess(String provider, String credentialProperty, Clock clock) {
		this.provider = provider;
		this.credentialProperty = credentialProperty;
		this.clock = clock;
	}

	/**
	 * Notes that the provider refused a request for what was sent.
	 * @param answer the provider's answer, without secrets
	 */
	public synchronized void refused(@Nullable String answer) {
		Instant now = this.clock.instant();
		Refusal current = this.refusal;
		// the health details show the answer, and take no null
		this.refusal = new Refusal((answer != null) ? answer : "no answer", (current != null) ? current.since() : now);
		if (this.lastLogged == null || !now.isBefore(this.lastLogged.plus(LOG_EVERY))) {
			this.lastLogged = now;
			logger.error(this.provider + " refuses metering's requests: " + answer + ". Calls that need a look-up "
					+ "at " + this.provider
					+ " are refused with 503 and usage waits until it accepts them again: check "
					+ this.credentialProperty + " (logged at most once a minute while it lasts)");
		}
	}

	/** Notes that the provider answered: a refusal, if any, is over. */
	public void answered() {
		if (this.refusal == null) {
			return;
		}
		synchronized (this) {
			if (this.refusal != null) {
				this.refusal = null;
				this.lastLogged = null;
				logger.info(this.provider + " accepts metering's requests again");
			}
		}
	}

	/** The refusal that lasts, if the provider's last answer was one. */
	public Optional<Refusal> refusal() {
		return Optional.ofNullable(this.refusal);
	}

	/**
	 * A look-up that tells this record what the provider answered: a refusal of the
	 * credentials, or an answer. Other failures tell nothing about the credentials.
	 */
	public <K, V> Function<K, V> observing(Function<K, V> lookup) {
		return (key) -> {
			V value;
			try {
				value = lookup.apply(key);
			}
			catch (RuntimeException ex) {
				if (ProviderLookupException.isCredentialRefusal(ex)) {
					refused(ex.getMessage());
				}
				throw ex;
			}
			answered();
			return value;
		};
	}

	/**
	 * A refusal that lasts.
	 *
	 * @param answer the provider's last answer, without secrets
	 * @param since when the provider began to refuse
	 */
	public record Refusal(String answer, Instant since) {
	}

}

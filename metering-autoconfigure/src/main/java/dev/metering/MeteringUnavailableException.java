package dev.metering;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Thrown before a model call when its usage could not be kept or billed safely: the
 * provider refuses the starter's credentials, or the metering database is unreachable and
 * nothing more can wait in memory. Answered as HTTP 503 with a {@code Retry-After} header
 * in Spring MVC applications. Its message never holds a secret.
 *
 * @since 0.1.0
 */
public class MeteringUnavailableException extends RuntimeException {

	private final String reason;

	private final Duration retryAfter;

	/**
	 * @param reason why, in words an operator can act on, without a secret
	 * @param retryAfter how long a client should wait before it tries again
	 */
	public MeteringUnavailableException(String reason, Duration retryAfter) {
		this(reason, retryAfter, null);
	}

	/**
	 * @param reason why, in words an operator can act on, without a secret
	 * @param retryAfter how long a client should wait before it tries again
	 * @param cause what failed, or {@code null}
	 */
	public MeteringUnavailableException(String reason, Duration retryAfter, @Nullable Throwable cause) {
		super("Metering is unavailable: " + reason, cause);
		this.reason = reason;
		this.retryAfter = retryAfter;
	}

	/** Why metering cannot take the call, without a secret. */
	public String reason() {
		return this.reason;
	}

	/** How long a client should wait before it tries again. */
	public Duration retryAfter() {
		return this.retryAfter;
	}

}

package dev.metering.provider;

import org.jspecify.annotations.Nullable;

/**
 * A provider could not answer a read (a customer, a subscription, usage). The message
 * names what was asked and the provider's answer, never a secret.
 * <p>
 * A failure is passing (a timeout, a connection error, a rate limit, a server error:
 * asking again later may succeed) or a refusal of the request itself, which asking again
 * does not mend: of metering's credentials (a wrong or revoked key, a missing permission:
 * 401, 403), which fails every request until the configuration is fixed, or of what was
 * asked (a customer that does not exist, an address that is wrong: the other 4xx).
 *
 * @since 0.1.0
 */
public abstract class ProviderLookupException extends RuntimeException {

	private final Kind kind;

	protected ProviderLookupException(String message, @Nullable Throwable cause, Kind kind) {
		super(message, cause);
		this.kind = kind;
	}

	/** What kind of failure it is. */
	public Kind kind() {
		return this.kind;
	}

	/**
	 * Whether a failure is a provider's refusal of the request itself, which no retry
	 * mends.
	 */
	public static boolean isRefusal(Throwable failure) {
		return failure instanceof ProviderLookupException lookup && lookup.kind != Kind.PASSING;
	}

	/** Whether a failure is a provider's refusal of metering's credentials. */
	public static boolean isCredentialRefusal(Throwable failure) {
		return failure instanceof ProviderLookupException lookup && lookup.kind == Kind.CREDENTIALS_REFUSED;
	}

	/** What kind of failure a look-up met. */
	public enum Kind {

		/**
		 * A timeout, a connection error, a rate limit or a server error: asking again may
		 * succeed.
		 */
		PASSING,

		/**
		 * The provider refused what was asked (the other 4xx): asking again changes
		 * nothing.
		 */
		REQUEST_REFUSED,

		/**
		 * The provider refused metering's credentials (401, 403): every request fails
		 * until they are fixed.
		 */
		CREDENTIALS_REFUSED;

		/** The kind of an HTTP status that is not a success. */
		public static Kind ofStatus(int status, boolean passing) {
			if (passing) {
				return PASSING;
			}
			return (status == 401 || status == 403) ? CREDENTIALS_REFUSED : REQUEST_REFUSED;
		}

	}

}

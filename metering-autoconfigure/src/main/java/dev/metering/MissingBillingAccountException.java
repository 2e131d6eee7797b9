package dev.metering;

import org.jspecify.annotations.Nullable;

/**
 * Thrown before a model call when the caller has no billing account to bill.
 *
 * @since 0.1.0
 */
public class MissingBillingAccountException extends RuntimeException {

	public static final String MESSAGE = "No billing account found. Please subscribe first.";

	private final @Nullable String referenceId;

	public MissingBillingAccountException(@Nullable String referenceId) {
		super(MESSAGE);
		this.referenceId = referenceId;
	}

	/**
	 * The organization or user that has no account, or {@code null} when none was known.
	 */
	public @Nullable String getReferenceId() {
		return this.referenceId;
	}

}

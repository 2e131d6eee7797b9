package dev.metering;

/**
 * Thrown before a model call when the caller has no billing account to bill.
 *
 * @since 0.1.0
 */
public class MissingBillingAccountException extends RuntimeException {

	public static final String MESSAGE = "No billing account found. Please subscribe first.";

	private final String referenceId;

	public MissingBillingAccountException(String referenceId) {
		super(MESSAGE);
		this.referenceId = referenceId;
	}

	/**
	 * The organization or user that has no account, or {@code null} when none was known.
	 */
	public String getReferenceId() {
		return this.referenceId;
	}

}

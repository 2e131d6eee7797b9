package dev.metering;

/**
 * Thrown before a model call when the organization's prepaid balance on a meter cannot
 * pay for it. Answered as HTTP 402 with a problem detail that names the balance: unlike a
 * used-up plan limit, waiting does not help, a top-up does.
 *
 * @since 0.1.0
 */
public class InsufficientBalanceException extends RuntimeException {

	private final Balance balance;

	/**
	 * @param balance the balance that cannot pay for the call, as it stood when the call
	 * was refused
	 */
	public InsufficientBalanceException(Balance balance) {
		super("Insufficient balance on meter '" + balance.meterKey() + "': " + balance.remaining() + " of "
				+ balance.granted() + " granted remains");
		this.balance = balance;
	}

	/** The balance that cannot pay for the call. */
	public Balance getBalance() {
		return this.balance;
	}

}

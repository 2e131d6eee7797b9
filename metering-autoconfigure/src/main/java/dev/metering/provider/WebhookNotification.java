package dev.metering.provider;

import java.util.Optional;

/**
 * A delivery whose signature was checked: the event it notifies.
 *
 * @since 0.1.0
 */
public interface WebhookNotification {

	/** The provider's ID of the event, the same in every delivery of it. */
	String id();

	/**
	 * The provider's name of the event's type, e.g.
	 * {@code customer.subscription.updated}.
	 */
	String type();

	/**
	 * What the event tells metering, reading from the provider what the notification
	 * leaves out.
	 * @return the event, or empty when metering has nothing to do with it
	 * @throws RuntimeException when the provider could not be read: a delivery answered
	 * with an error is delivered again
	 */
	Optional<ProviderEvent> event();

}

package dev.metering.webhook;

import java.util.List;

/**
 * Where the cache changes a webhook asks for are made: in the caches of the instance that
 * received it, and of every other instance that shares its database.
 */
interface CacheChanges {

	/**
	 * Makes the changes in this instance's caches, and has the other instances make them.
	 * @throws RuntimeException when the other instances cannot be told: the webhook is
	 * then answered with an error, and the provider delivers it again
	 */
	void publish(List<CacheChange> changes);

}

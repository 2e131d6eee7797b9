package dev.metering.autoconfigure;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of the built-in caches of provider look-ups, used when the application's
 * cache manager has no cache of that name. An entry is served until its refresh interval
 * has passed, then served while it is refreshed in the background; when the refresh
 * fails, the last answer stays in use.
 *
 * @param customersRefresh How long a customer found by organization or user ID is served
 * before it is looked up again (cache metering.customers).
 * @param subscriptionsRefresh How long a customer's active subscription is served before
 * it is looked up again (cache metering.subscriptions).
 * @param missingRefresh How long "no customer" and "no subscription" are served before
 * they are looked up again (caches metering.customers and metering.subscriptions, at most
 * their own refresh interval), in the background while they are in use: kept short, so
 * that an organization that checks out is billed soon after the provider finds its new
 * customer.
 * @param usageRefresh How long usage summaries are served before they are read again
 * (cache metering.usage).
 * @param maximumSize The most entries each of these caches holds; the least used go
 * first.
 * @param failureBackoff How long a look-up that failed with nothing cached is answered
 * with its failure before the provider is asked again, so that calls during an outage do
 * not each wait for the provider's timeout.
 * @since 0.1.0
 */
@ConfigurationProperties(MeteringCacheProperties.PREFIX)
public record MeteringCacheProperties(@DefaultValue("10m") Duration customersRefresh,
		@DefaultValue("10m") Duration subscriptionsRefresh, @DefaultValue("30s") Duration missingRefresh,
		@DefaultValue("1m") Duration usageRefresh, @DefaultValue("10000") long maximumSize,
		@DefaultValue("10s") Duration failureBackoff) {

	static final String PREFIX = "metering.cache";

}

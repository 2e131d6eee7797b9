package dev.metering.autoconfigure;

import com.github.benmanes.caffeine.cache.Ticker;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cache.CacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SimpleAsyncTaskExecutor;

import dev.metering.provider.ProviderAccess;
import dev.metering.provider.ProviderCaches;

/**
 * The caches of provider look-ups, imported by the auto-configuration of each hosted
 * provider: one bean, whichever provider reads through it.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(MeteringCacheProperties.class)
class ProviderCachesConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ProviderCaches meteringProviderCaches(MeteringCacheProperties cache, ObjectProvider<CacheManager> cacheManager,
			ProviderAccess access) {
		String prefix = MeteringCacheProperties.PREFIX;
		ProviderCaches.Settings settings = new ProviderCaches.Settings(
				PropertyChecks.positive(prefix + ".customers-refresh", cache.customersRefresh()),
				PropertyChecks.positive(prefix + ".subscriptions-refresh", cache.subscriptionsRefresh()),
				PropertyChecks.positive(prefix + ".missing-refresh", cache.missingRefresh()),
				PropertyChecks.positive(prefix + ".usage-refresh", cache.usageRefresh()),
				PropertyChecks.atLeastOne(prefix + ".maximum-size", cache.maximumSize()),
				PropertyChecks.positive(prefix + ".failure-backoff", cache.failureBackoff()));
		return new ProviderCaches(cacheManager.getIfUnique(), settings,
				new SimpleAsyncTaskExecutor("metering-cache-refresh-"), Ticker.systemTicker(), access);
	}

}

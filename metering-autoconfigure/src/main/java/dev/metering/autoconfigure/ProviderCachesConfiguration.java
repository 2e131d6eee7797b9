package dev.metering.autoconfigure;

import com.github.benmanes.caffeine.cache.Ticker;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
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
class ProviderCachesConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ProviderCaches meteringProviderCaches(MeteringProperties properties, ObjectProvider<CacheManager> cacheManager,
			ProviderAccess access) {
		MeteringProperties.Cache cache = properties.cache();
		return new ProviderCaches(cacheManager.getIfUnique(),
				new ProviderCaches.Settings(cache.customersRefresh(), cache.subscriptionsRefresh(),
						cache.missingRefresh(), cache.usageRefresh(), cache.maximumSize(), cache.failureBackoff()),
				new SimpleAsyncTaskExecutor("metering-cache-refresh-"), Ticker.systemTicker(), access);
	}

}

package dev.metering.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

import dev.metering.provider.MeterProvider;
import dev.metering.provider.local.LocalMeterProvider;

/**
 * Auto-configuration of the embedded local meter, the provider when
 * {@code metering.provider=local} (the default): it needs no keys and no services.
 */
@AutoConfiguration(before = MeteringAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnProperty(name = MeteringProperties.PREFIX + ".provider", havingValue = "local", matchIfMissing = true)
public final class LocalMeteringAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(MeterProvider.class)
	LocalMeterProvider localMeterProvider() {
		return new LocalMeterProvider();
	}

}

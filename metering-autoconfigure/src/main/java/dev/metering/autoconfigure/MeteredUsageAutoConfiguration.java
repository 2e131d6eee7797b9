package dev.metering.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

import dev.metering.MeteredUsage;
import dev.metering.aop.MeteredUsageAspect;
import dev.metering.billing.UsageMetering;

/**
 * Auto-configuration that meters {@link MeteredUsage} methods, when AspectJ is on the
 * class path ({@code spring-boot-starter-aspectj}).
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = MeteringAutoConfiguration.class)
@ConditionalOnClass(name = "org.aspectj.weaver.Advice")
@ConditionalOnBean(UsageMetering.class)
public final class MeteredUsageAutoConfiguration {

	@Bean
	MeteredUsageAspect meteredUsageAspect(UsageMetering metering) {
		return new MeteredUsageAspect(metering);
	}

}

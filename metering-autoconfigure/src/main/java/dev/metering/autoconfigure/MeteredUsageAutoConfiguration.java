package dev.metering.autoconfigure;

import org.springframework.aop.Advisor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;

import dev.metering.MeteredUsage;
import dev.metering.billing.Billing;

/**
 * Auto-configuration that meters {@link MeteredUsage} methods, when AspectJ is on the
 * class path ({@code spring-boot-starter-aspectj}).
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = MeteringAutoConfiguration.class)
@ConditionalOnClass(name = "org.aspectj.weaver.Advice")
@ConditionalOnBean(Billing.class)
public final class MeteredUsageAutoConfiguration {

	/**
	 * The advisor, made with the context's other infrastructure before billing is, and so
	 * static.
	 */
	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static Advisor meteredUsageAdvisor(ObjectProvider<Billing> billing) {
		return Billing.meteredUsageAdvisor(billing::getObject);
	}

}

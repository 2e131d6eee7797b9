package dev.metering.autoconfigure;

import java.time.Clock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;

import dev.metering.web.MeteringExceptionHandler;

/**
 * Auto-configuration that answers the metering exceptions of a Spring MVC application as
 * problem details (429 for a used-up limit, 402 for a prepaid balance that cannot pay or
 * a missing billing account).
 *
 * @since 0.1.0
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(name = "org.springframework.web.servlet.DispatcherServlet")
public final class MeteringWebMvcAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	MeteringExceptionHandler meteringExceptionHandler(ObjectProvider<Clock> clock) {
		return new MeteringExceptionHandler(clock.getIfUnique(Clock::systemUTC));
	}

}

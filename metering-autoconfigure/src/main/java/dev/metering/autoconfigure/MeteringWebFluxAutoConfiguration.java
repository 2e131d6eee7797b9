package dev.metering.autoconfigure;

import java.time.Clock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.server.WebFilter;

import dev.metering.ReactiveBillingSubjectResolver;
import dev.metering.billing.Billing;
import dev.metering.web.MeteringExceptionHandler;

/**
 * Auto-configuration that answers the metering exceptions of a WebFlux application as
 * problem details (429, 402 and 503, as in Spring MVC), and, when the application has
 * {@link ReactiveBillingSubjectResolver} beans, asks them once per request.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = MeteringAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass(name = "org.springframework.web.reactive.DispatcherHandler")
public final class MeteringWebFluxAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	MeteringExceptionHandler meteringExceptionHandler(ObjectProvider<Clock> clock) {
		return new MeteringExceptionHandler(clock.getIfUnique(Clock::systemUTC));
	}

	@Bean
	@ConditionalOnBean({ ReactiveBillingSubjectResolver.class, Billing.class })
	WebFilter meteringSubjectWebFilter(Billing billing) {
		return billing.subjectWebFilter();
	}

}

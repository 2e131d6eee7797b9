package dev.metering.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

import dev.metering.webhook.ReactiveWebhookEndpoint;
import dev.metering.webhook.WebhookEndpoint;
import dev.metering.webhook.WebhookIntake;

/**
 * The route of the active provider's webhooks, in Spring MVC or in WebFlux, imported by
 * each provider's webhook auto-configuration.
 */
final class WebhookRouteConfigurations {

	private WebhookRouteConfigurations() {
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	@ConditionalOnClass(name = "org.springframework.web.servlet.DispatcherServlet")
	static class OnSpringMvc {

		@Bean
		@ConditionalOnMissingBean(name = "meteringWebhookRoute")
		RouterFunction<ServerResponse> meteringWebhookRoute(WebhookIntake intake) {
			return RouterFunctions.route().POST(intake.path(), new WebhookEndpoint(intake)).build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	@ConditionalOnClass(name = "org.springframework.web.reactive.DispatcherHandler")
	static class OnWebFlux {

		@Bean
		@ConditionalOnMissingBean(name = "meteringWebhookRoute")
		org.springframework.web.reactive.function.server.RouterFunction<org.springframework.web.reactive.function.server.ServerResponse> meteringWebhookRoute(
				WebhookIntake intake) {
			return org.springframework.web.reactive.function.server.RouterFunctions.route()
				.POST(intake.path(), new ReactiveWebhookEndpoint(intake))
				.build();
		}

	}

}

package dev.metering.support;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.servlet.config.annotation.EnableWebMvc;

/**
 * Spring MVC in a {@code WebApplicationContextRunner}'s context, and a {@link MockMvc}
 * that sends requests through its dispatcher servlet, for the routes the starter
 * contributes.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebMvc
public class MockMvcConfiguration {

	@Bean
	MockMvc mockMvc(WebApplicationContext context) {
		return MockMvcBuilders.webAppContextSetup(context).build();
	}

}

package dev.metering.sample;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Two ways in against the in-memory demo users: form login at {@code /login} for the
 * dashboard in a browser (a session cookie), and HTTP basic for API clients such as
 * {@code curl}.
 * <p>
 * The session cookie is sent by the browser on its own, so the page's writes carry a CSRF
 * token (Spring Security's single-page-app setup: an {@code XSRF-TOKEN} cookie echoed in
 * an {@code X-XSRF-TOKEN} header). A request that rides on no session needs no token: one
 * with an {@code Authorization} header brings its own credentials, which a forged
 * cross-site request cannot set, and one without a session cookie has nothing to ride on
 * (it is then answered as unauthenticated, not as forged). The login form is checked
 * always, so that no one can log a browser into another account.
 * <p>
 * Actuator's health answers anyone (a load balancer asks it); its details, and the
 * metering endpoint, which re-drives events, are for operators.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	/**
	 * The role that may read and act on the metering endpoint, and see health details.
	 */
	static final String OPERATOR = "OPERATOR";

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
		return http.authorizeHttpRequests((requests) -> requests
			// error pages (e.g. problem details) and the async dispatch that completes a
			// stream belong to a request that was already authorized
			.dispatcherTypeMatchers(DispatcherType.ERROR, DispatcherType.ASYNC)
			.permitAll()
			.requestMatchers(EndpointRequest.to(HealthEndpoint.class))
			.permitAll()
			.requestMatchers(EndpointRequest.toAnyEndpoint())
			.hasRole(OPERATOR)
			.anyRequest()
			.authenticated())
			.formLogin((form) -> form.defaultSuccessUrl("/", true))
			.httpBasic(Customizer.withDefaults())
			.logout((logout) -> logout.logoutSuccessUrl("/login?logout"))
			.csrf((csrf) -> csrf.spa().ignoringRequestMatchers(SecurityConfiguration::ridesOnNoSession))
			.build();
	}

	private static boolean ridesOnNoSession(HttpServletRequest request) {
		if (request.getHeader(HttpHeaders.AUTHORIZATION) != null) {
			return true;
		}
		return request.getRequestedSessionId() == null && !"/login".equals(request.getServletPath());
	}

	@Bean
	InMemoryUserDetailsManager userDetailsService(DemoUsers users) {
		return new InMemoryUserDetailsManager(users.users()
			.entrySet()
			.stream()
			.map((user) -> User.withUsername(user.getKey())
				.password(user.getValue().password())
				.roles(user.getValue().operator() ? new String[] { "USER", OPERATOR } : new String[] { "USER" })
				.build())
			.toArray(UserDetails[]::new));
	}

}

package dev.metering.sample.reactive;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.userdetails.MapReactiveUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;

/**
 * Spring Security's reactive stack: every request logs in with HTTP basic against the
 * in-memory demo users, for API clients such as {@code curl}.
 * <p>
 * No session is kept: each request brings its own credentials. So there is no CSRF token
 * either, as there is no session cookie a forged cross-site request could ride on.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	@Bean
	SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http) {
		return http.authorizeExchange((exchanges) -> exchanges.anyExchange().authenticated())
			.httpBasic(Customizer.withDefaults())
			.securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
			.csrf(ServerHttpSecurity.CsrfSpec::disable)
			.build();
	}

	@Bean
	MapReactiveUserDetailsService userDetailsService(DemoUsers users) {
		return new MapReactiveUserDetailsService(users.users()
			.entrySet()
			.stream()
			.map((user) -> User.withUsername(user.getKey()).password(user.getValue().password()).roles("USER").build())
			.toArray(UserDetails[]::new));
	}

}

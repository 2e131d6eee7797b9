package dev.metering.sample.reactive;

import reactor.core.publisher.Mono;

import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.stereotype.Component;

import dev.metering.BillingSubject;
import dev.metering.ReactiveBillingSubjectResolver;

/**
 * Bills the organization of the logged-in user. The organization comes from the
 * server-side user record, never from the request, so a client cannot bill someone else.
 * <p>
 * WebFlux keeps the logged-in user in the Reactor context of the request, not in a
 * thread-local: a request hops between threads, and one thread serves many requests. So
 * this resolver answers a {@link Mono} that reads {@link ReactiveSecurityContextHolder}
 * in the context of whoever subscribes to it, which the starter does for each request and
 * each stream.
 */
@Component
public class LoggedInUserOrganization implements ReactiveBillingSubjectResolver {

	private final DemoUsers users;

	public LoggedInUserOrganization(DemoUsers users) {
		this.users = users;
	}

	@Override
	public Mono<BillingSubject> resolve() {
		return ReactiveSecurityContextHolder.getContext()
			.mapNotNull(SecurityContext::getAuthentication)
			.filter(LoggedInUserOrganization::isLoggedIn)
			.flatMap((user) -> Mono.justOrEmpty(this.users.organizationOf(user.getName())))
			.map(BillingSubject::organization);
	}

	private static boolean isLoggedIn(Authentication authentication) {
		return authentication.isAuthenticated() && !(authentication instanceof AnonymousAuthenticationToken);
	}

}

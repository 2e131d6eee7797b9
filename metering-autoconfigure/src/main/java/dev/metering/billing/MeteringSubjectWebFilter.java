package dev.metering.billing;

import java.util.Optional;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import dev.metering.MeteringContextAccessor;
import dev.metering.ReactiveBillingSubjectResolver;

/**
 * Asks the {@link ReactiveBillingSubjectResolver} beans once per request of a WebFlux
 * application, after Spring Security's filter chain has put the authenticated user in the
 * request's Reactor context, and carries the subject they tell in that context. Streamed
 * ChatClient calls find it there; blocking ChatClient calls wrapped in a {@code Mono}
 * (say {@code Mono.fromCallable}) find it on their thread when the application turns on
 * Reactor's automatic context propagation
 * ({@code spring.reactor.context-propagation=auto}), which
 * {@link MeteringContextAccessor} takes part in.
 * <p>
 * A subject named closer to the call (the advisor param, {@code @MeteredUsage}, a
 * {@code MeteringContext} inside the handler) still wins. A resolver that fails fails the
 * request, as a failing {@code BillingSubjectResolver} fails a Spring MVC request.
 */
final class MeteringSubjectWebFilter implements WebFilter, Ordered {

	/**
	 * After Spring Security's {@code WebFilterChainProxy} (-100), which sets the user.
	 */
	public static final int ORDER = 0;

	private final BillingSubjects subjects;

	MeteringSubjectWebFilter(BillingSubjects subjects) {
		this.subjects = subjects;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		return this.subjects.resolveReactively()
			.map(Optional::of)
			.defaultIfEmpty(Optional.empty())
			.flatMap((subject) -> chain.filter(exchange)
				.contextWrite((context) -> subject.map((named) -> context.put(MeteringContextAccessor.KEY, named))
					.orElse(context)));
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

}

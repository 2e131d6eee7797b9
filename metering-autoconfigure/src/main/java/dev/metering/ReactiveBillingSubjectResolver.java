package dev.metering;

import reactor.core.publisher.Mono;

/**
 * Tells who is billed for a call made in a reactive chain, from the subscriber's Reactor
 * context: for example the authenticated user that Spring Security's
 * {@code ReactiveSecurityContextHolder} keeps there, where a
 * {@link BillingSubjectResolver}, reading thread-locals, finds nothing.
 * <p>
 * Asked when a streamed ChatClient call is subscribed, in the subscriber's context, when
 * the call names no organization itself ({@code @MeteredUsage}, the advisor param or
 * {@link MeteringContext}); beans of this type are asked in order, and before the
 * {@link BillingSubjectResolver} beans. In a reactive web application the starter also
 * asks them once per request, so that blocking ChatClient calls wrapped in a {@link Mono}
 * see the answer as well (through Reactor's automatic context propagation).
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface ReactiveBillingSubjectResolver {

	/**
	 * The subject to bill, or an empty {@link Mono} when this resolver cannot tell.
	 */
	Mono<BillingSubject> resolve();

}

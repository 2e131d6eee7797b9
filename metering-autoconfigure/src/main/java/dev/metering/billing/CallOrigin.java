package dev.metering.billing;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

import dev.metering.BillingSubject;
import dev.metering.MeteringAdvisor;
import dev.metering.MeteringContextAccessor;

/**
 * Who a ChatClient call bills and which {@code @MeteredUsage} scope it runs in, as known
 * on the thread (or in the Reactor context) that made the call.
 *
 * @param subject the billed subject, or {@code null} when nothing names one
 * @param scope the enclosing scope, or {@code null}
 */
record CallOrigin(@Nullable BillingSubject subject, @Nullable UsageScope scope) {

	/**
	 * Key under which the origin travels through every tool-calling round: in the Reactor
	 * context of a stream, or in the request context where observations read it.
	 */
	static final String CONTEXT_KEY = "metering.call-origin";

	/**
	 * The origin the companion advisor settled (in the request or Reactor context), else
	 * the one the current thread and Reactor context tell.
	 * @param reactorContext the Reactor context of a stream, or {@code null} for a call
	 * @param threadScope the scope current on the calling thread, or {@code null}
	 */
	static CallOrigin of(Map<String, Object> requestContext, @Nullable ContextView reactorContext,
			@Nullable UsageScope threadScope, BillingSubjects subjects) {
		if (requestContext.get(CONTEXT_KEY) instanceof CallOrigin settled) {
			return settled;
		}
		CallOrigin carriedOrigin = carried(reactorContext, CONTEXT_KEY, CallOrigin.class);
		if (carriedOrigin != null) {
			return carriedOrigin;
		}
		UsageScope scope = carried(reactorContext, UsageScopeAccessor.KEY, UsageScope.class);
		if (scope == null) {
			scope = threadScope;
		}
		BillingSubject subject = subjects
			.forCall(scope, requestContext.get(MeteringAdvisor.ORGANIZATION_ID),
					carried(reactorContext, MeteringContextAccessor.KEY, BillingSubject.class))
			.orElse(null);
		return new CallOrigin(subject, scope);
	}

	/**
	 * The origin of a streamed call, told in the subscriber's context: as {@link #of}
	 * tells it when the call or its surroundings name the subject or no
	 * {@code ReactiveBillingSubjectResolver} is there to ask, else with the subject those
	 * resolvers find in that context.
	 */
	static Mono<CallOrigin> ofStream(Map<String, Object> requestContext, ContextView reactorContext,
			@Nullable UsageScope threadScope, BillingSubjects subjects) {
		if (!subjects.resolvesReactively() || requestContext.get(CONTEXT_KEY) instanceof CallOrigin
				|| carried(reactorContext, CONTEXT_KEY, CallOrigin.class) != null) {
			return Mono.just(of(requestContext, reactorContext, threadScope, subjects));
		}
		UsageScope carriedScope = carried(reactorContext, UsageScopeAccessor.KEY, UsageScope.class);
		UsageScope scope = (carriedScope != null) ? carriedScope : threadScope;
		return subjects
			.forReactiveCall(scope, requestContext.get(MeteringAdvisor.ORGANIZATION_ID),
					carried(reactorContext, MeteringContextAccessor.KEY, BillingSubject.class))
			.map((subject) -> new CallOrigin(subject, scope))
			.defaultIfEmpty(new CallOrigin(null, scope));
	}

	private static <T> @Nullable T carried(@Nullable ContextView context, String key, Class<T> type) {
		if (context == null) {
			return null;
		}
		Object value = context.getOrDefault(key, null);
		return type.isInstance(value) ? type.cast(value) : null;
	}

}

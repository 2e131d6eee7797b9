package dev.metering;

import java.util.Map;

import reactor.util.context.ContextView;

import dev.metering.billing.UsageMetering;
import dev.metering.billing.UsageScope;

/**
 * Who a ChatClient call bills and which {@code @MeteredUsage} scope it runs in, as known on
 * the thread (or in the Reactor context) that made the call.
 *
 * @param subject the billed subject, or {@code null} when nothing names one
 * @param scope the enclosing scope, or {@code null}
 */
record CallOrigin(BillingSubject subject, UsageScope scope) {

	/** Request context key under which the origin travels through every tool-calling round. */
	static final String CONTEXT_KEY = "metering.call-origin";

	static CallOrigin of(Map<String, Object> requestContext, ContextView reactorContext, UsageMetering metering) {
		if (requestContext.get(CONTEXT_KEY) instanceof CallOrigin captured) {
			return captured;
		}
		UsageScope scope = reactorValue(reactorContext, UsageScope.REACTOR_KEY, UsageScope.class);
		if (scope == null) {
			scope = UsageScope.current().orElse(null);
		}
		BillingSubject subject = (scope != null) ? scope.subject() : null;
		if (subject == null) {
			subject = fromParam(requestContext.get(MeteringAdvisor.ORGANIZATION_ID));
		}
		if (subject == null) {
			subject = reactorValue(reactorContext, MeteringContext.REACTOR_KEY, BillingSubject.class);
		}
		if (subject == null) {
			subject = MeteringContext.current().or(metering::resolveSubject).orElse(null);
		}
		return new CallOrigin(subject, scope);
	}

	private static BillingSubject fromParam(Object value) {
		if (value instanceof BillingSubject subject) {
			return subject;
		}
		if (value instanceof String id && !id.isBlank()) {
			return BillingSubject.organization(id);
		}
		if (value != null && !(value instanceof String)) {
			throw new IllegalArgumentException("Advisor param " + MeteringAdvisor.ORGANIZATION_ID
					+ " must be an organization ID (String) or a BillingSubject, was " + value.getClass().getName());
		}
		return null;
	}

	private static <T> T reactorValue(ContextView context, String key, Class<T> type) {
		if (context == null) {
			return null;
		}
		Object value = context.getOrDefault(key, null);
		return type.isInstance(value) ? type.cast(value) : null;
	}

}

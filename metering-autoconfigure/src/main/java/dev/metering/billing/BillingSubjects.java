package dev.metering.billing;

import java.util.List;
import java.util.Optional;

import dev.metering.BillingSubject;
import dev.metering.BillingSubjectResolver;
import dev.metering.MeteringAdvisor;
import dev.metering.MeteringContext;

/**
 * Who is billed, in the contract's order: the organization a {@code @MeteredUsage} method
 * names; else the ChatClient call's advisor param; else {@link MeteringContext}; else the
 * {@link BillingSubjectResolver} beans, in order. The one place that knows this order.
 */
public final class BillingSubjects {

	private final List<BillingSubjectResolver> resolvers;

	public BillingSubjects(List<BillingSubjectResolver> resolvers) {
		this.resolvers = List.copyOf(resolvers);
	}

	/**
	 * The subject a {@code @MeteredUsage} scope settles on when it opens, on the caller's
	 * thread: the one the annotation names, else the context's, else the resolvers'.
	 * @param named the subject the annotation names, or {@code null}
	 */
	public Optional<BillingSubject> forScope(BillingSubject named) {
		if (named != null) {
			return Optional.of(named);
		}
		return MeteringContext.current().or(this::resolve);
	}

	/**
	 * The subject of one ChatClient call.
	 * @param scope the enclosing {@code @MeteredUsage} scope, or {@code null}
	 * @param advisorParam the value of the advisor param {@link MeteringAdvisor#ORGANIZATION_ID},
	 * or {@code null}
	 * @param carried the subject a Reactor context carries, or {@code null}
	 * @throws IllegalArgumentException when the advisor param is neither an ID nor a subject
	 */
	public Optional<BillingSubject> forCall(UsageScope scope, Object advisorParam, BillingSubject carried) {
		if (scope != null && scope.named()) {
			return Optional.of(scope.subject());
		}
		BillingSubject fromParam = fromAdvisorParam(advisorParam);
		if (fromParam != null) {
			return Optional.of(fromParam);
		}
		if (carried != null) {
			return Optional.of(carried);
		}
		Optional<BillingSubject> fromContext = MeteringContext.current();
		if (fromContext.isPresent()) {
			return fromContext;
		}
		return (scope != null && scope.subject() != null) ? Optional.of(scope.subject()) : resolve();
	}

	private Optional<BillingSubject> resolve() {
		for (BillingSubjectResolver resolver : this.resolvers) {
			Optional<BillingSubject> subject = resolver.resolve();
			if (subject.isPresent()) {
				return subject;
			}
		}
		return Optional.empty();
	}

	private static BillingSubject fromAdvisorParam(Object value) {
		if (value == null || value instanceof BillingSubject) {
			return (BillingSubject) value;
		}
		if (value instanceof String id) {
			return id.isBlank() ? null : BillingSubject.organization(id);
		}
		throw new IllegalArgumentException("Advisor param " + MeteringAdvisor.ORGANIZATION_ID
				+ " must be an organization ID (String) or a BillingSubject, was " + value.getClass().getName());
	}

}

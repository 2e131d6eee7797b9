package dev.metering.billing;

import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.metering.BillingSubject;
import dev.metering.BillingSubjectResolver;
import dev.metering.MeteringAdvisor;
import dev.metering.MeteringContext;
import dev.metering.ReactiveBillingSubjectResolver;

/**
 * Who is billed, in the contract's order: the organization a {@code @MeteredUsage} method
 * names; else the ChatClient call's advisor param; else {@link MeteringContext}; else, in
 * a reactive chain, the {@link ReactiveBillingSubjectResolver} beans; else the
 * {@link BillingSubjectResolver} beans, in order. The one place that knows this order.
 */
final class BillingSubjects {

	private final List<BillingSubjectResolver> resolvers;

	private final List<ReactiveBillingSubjectResolver> reactiveResolvers;

	BillingSubjects(List<BillingSubjectResolver> resolvers, List<ReactiveBillingSubjectResolver> reactiveResolvers) {
		this.resolvers = List.copyOf(resolvers);
		this.reactiveResolvers = List.copyOf(reactiveResolvers);
	}

	/**
	 * The subject a {@code @MeteredUsage} scope settles on when it opens, on the caller's
	 * thread: the one the annotation names, else the context's, else the resolvers'.
	 * @param named the subject the annotation names, or {@code null}
	 */
	public Optional<BillingSubject> forScope(@Nullable BillingSubject named) {
		if (named != null) {
			return Optional.of(named);
		}
		return MeteringContext.current().or(this::resolve);
	}

	/**
	 * The subject of one ChatClient call made on the caller's thread.
	 * @param scope the enclosing {@code @MeteredUsage} scope, or {@code null}
	 * @param advisorParam the value of the advisor param
	 * {@link MeteringAdvisor#ORGANIZATION_ID}, or {@code null}
	 * @param carried the subject a Reactor context carries, or {@code null}
	 * @throws IllegalArgumentException when the advisor param is neither an ID nor a
	 * subject
	 */
	public Optional<BillingSubject> forCall(@Nullable UsageScope scope, @Nullable Object advisorParam,
			@Nullable BillingSubject carried) {
		BillingSubject named = named(scope, advisorParam, carried);
		return (named != null) ? Optional.of(named) : resolve();
	}

	/**
	 * The subject of one ChatClient call made in a reactive chain, as {@link #forCall}
	 * tells it, except that the {@link ReactiveBillingSubjectResolver} beans are asked,
	 * in the subscriber's context, before the blocking resolvers.
	 * @return the subject, or an empty {@link Mono} when nothing names one
	 * @throws IllegalArgumentException when the advisor param is neither an ID nor a
	 * subject
	 */
	public Mono<BillingSubject> forReactiveCall(@Nullable UsageScope scope, @Nullable Object advisorParam,
			@Nullable BillingSubject carried) {
		BillingSubject named = named(scope, advisorParam, carried);
		if (named != null) {
			return Mono.just(named);
		}
		return resolveReactively().switchIfEmpty(Mono.fromSupplier(() -> resolve().orElse(null)));
	}

	/** Whether any {@link ReactiveBillingSubjectResolver} is there to ask. */
	public boolean resolvesReactively() {
		return !this.reactiveResolvers.isEmpty();
	}

	/**
	 * The first subject a {@link ReactiveBillingSubjectResolver} tells, in the context of
	 * the {@link Mono}'s subscriber.
	 */
	public Mono<BillingSubject> resolveReactively() {
		if (this.reactiveResolvers.size() == 1) {
			return Mono.defer(this.reactiveResolvers.get(0)::resolve);
		}
		return Flux.fromIterable(this.reactiveResolvers).concatMap(ReactiveBillingSubjectResolver::resolve).next();
	}

	/** The subject the call or its surroundings name explicitly, or {@code null}. */
	private static @Nullable BillingSubject named(@Nullable UsageScope scope, @Nullable Object advisorParam,
			@Nullable BillingSubject carried) {
		if (scope != null && scope.named()) {
			return scope.subject();
		}
		BillingSubject fromParam = fromAdvisorParam(advisorParam);
		if (fromParam != null) {
			return fromParam;
		}
		if (carried != null) {
			return carried;
		}
		Optional<BillingSubject> fromContext = MeteringContext.current();
		if (fromContext.isPresent()) {
			return fromContext.get();
		}
		return (scope != null) ? scope.subject() : null;
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

	private static @Nullable BillingSubject fromAdvisorParam(@Nullable Object value) {
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

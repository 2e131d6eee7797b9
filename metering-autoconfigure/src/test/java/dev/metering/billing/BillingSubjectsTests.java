package dev.metering.billing;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import dev.metering.BillingSubject;
import dev.metering.BillingSubjectResolver;
import dev.metering.MeteringContext;
import dev.metering.ReactiveBillingSubjectResolver;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who a call in a reactive chain bills: what the call names, then the reactive resolvers
 * in the subscriber's context, in order, then the blocking ones.
 */
class BillingSubjectsTests {

	private static final String SIGNED_IN = "signed-in";

	private final ReactiveBillingSubjectResolver fromContext = () -> Mono.deferContextual(
			(context) -> Mono.justOrEmpty(context.getOrEmpty(SIGNED_IN).map((id) -> organization((String) id))));

	private final BillingSubjectResolver blocking = () -> Optional.of(organization("org_blocking"));

	private final BillingSubjects subjects = new BillingSubjects(List.of(this.blocking),
			List.of(() -> Mono.empty(), this.fromContext, () -> Mono.just(organization("org_second"))));

	@Test
	void theFirstReactiveResolverThatTellsWinsOverTheBlockingOnes() {
		assertThat(subjectIn("org_signed_in")).isEqualTo(organization("org_signed_in"));
	}

	@Test
	void reactiveResolversAreAskedInOrder() {
		assertThat(subjectIn(null)).isEqualTo(organization("org_second"));
	}

	@Test
	void theBlockingResolversAnswerWhenNoReactiveOneTells() {
		BillingSubjects onlyContext = new BillingSubjects(List.of(this.blocking), List.of(this.fromContext));
		assertThat(onlyContext.forReactiveCall(null, null, null).block()).isEqualTo(organization("org_blocking"));
	}

	@Test
	void theAdvisorParamAndMeteringContextOutrankEveryResolver() {
		Mono<BillingSubject> named = this.subjects.forReactiveCall(null, "org_param", null)
			.contextWrite((context) -> context.put(SIGNED_IN, "org_signed_in"));
		assertThat(named.block()).isEqualTo(organization("org_param"));
		BillingSubject inContext = MeteringContext.callAs(organization("org_context"),
				() -> this.subjects.forReactiveCall(null, null, null).block());
		assertThat(inContext).isEqualTo(organization("org_context"));
	}

	@Test
	void nothingNamedAndNoResolverIsNoSubject() {
		BillingSubjects none = new BillingSubjects(List.of(), List.of(this.fromContext));
		assertThat(none.forReactiveCall(null, null, null).blockOptional()).isEmpty();
	}

	private BillingSubject subjectIn(String signedIn) {
		Mono<BillingSubject> subject = this.subjects.forReactiveCall(null, null, null);
		return ((signedIn != null) ? subject.contextWrite((context) -> context.put(SIGNED_IN, signedIn)) : subject)
			.block();
	}

	private static BillingSubject organization(String id) {
		return BillingSubject.organization(id);
	}

}

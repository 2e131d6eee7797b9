package dev.metering.billing;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.CallAdvisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisor;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.core.Ordered;

/**
 * Settles who a streamed ChatClient call bills once, outside the tool-calling loop, while
 * the caller's thread and Reactor context are at hand. Spring AI 2.0 runs the later
 * rounds of a streamed tool-calling conversation on Reactor worker threads, where
 * thread-locals that no context propagation carries (a {@code BillingSubjectResolver}
 * reading Spring Security's context, for one) are gone; those rounds find the answer in
 * the Reactor context.
 * <p>
 * A call needs no such help: its rounds all run on the caller's thread. As every advisor
 * in a chain costs a call what the chain spends on it, this one stays out of calls,
 * unless {@link #onCallsToo} asks for the origin in the request context of calls as well.
 */
class CallOriginAdvisor implements StreamAdvisor {

	/**
	 * Outside the tool-calling loop and chat memory, inside user advisors at default
	 * order.
	 */
	static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 100;

	private final UsageMetering metering;

	private final BillingSubjects subjects;

	CallOriginAdvisor(UsageMetering metering, BillingSubjects subjects) {
		this.metering = metering;
		this.subjects = subjects;
	}

	/**
	 * The companion that also settles calls, for whoever reads the origin off their
	 * request.
	 */
	static CallOriginAdvisor onCallsToo(UsageMetering metering, BillingSubjects subjects) {
		return new OnCallsToo(metering, subjects);
	}

	/**
	 * Hands the origin to the rounds in the Reactor context, which reaches every round
	 * the tool-calling loop subscribes to, rather than in the request context, which
	 * Spring AI's chain copies for every chunk of every advisor.
	 */
	@Override
	public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
		return Flux
			.deferContextual((context) -> origin(request, context).flatMapMany((origin) -> chain.nextStream(request)
				.contextWrite((rounds) -> rounds.put(CallOrigin.CONTEXT_KEY, origin))));
	}

	final CallOrigin origin(ChatClientRequest request) {
		return CallOrigin.of(request.context(), null, this.metering.currentScope(), this.subjects);
	}

	final Mono<CallOrigin> origin(ChatClientRequest request, ContextView context) {
		return CallOrigin.ofStream(request.context(), context, this.metering.currentScope(), this.subjects);
	}

	static ChatClientRequest withOrigin(ChatClientRequest request, CallOrigin origin) {
		return request.mutate().context(CallOrigin.CONTEXT_KEY, origin).build();
	}

	@Override
	public String getName() {
		return "MeteringCallOrigin";
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	private static final class OnCallsToo extends CallOriginAdvisor implements CallAdvisor {

		OnCallsToo(UsageMetering metering, BillingSubjects subjects) {
			super(metering, subjects);
		}

		@Override
		public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
			return chain.nextCall(withOrigin(request, origin(request)));
		}

		/** In the request context, where observations of the rounds find it. */
		@Override
		public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
			return Flux.deferContextual((context) -> origin(request, context)
				.flatMapMany((origin) -> chain.nextStream(withOrigin(request, origin))));
		}

	}

}

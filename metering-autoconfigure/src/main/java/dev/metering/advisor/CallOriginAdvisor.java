package dev.metering.advisor;

import reactor.core.publisher.Flux;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.CallAdvisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisor;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.core.Ordered;

import dev.metering.billing.BillingSubjects;
import dev.metering.billing.UsageMetering;

/**
 * Settles who a ChatClient call bills once, outside the tool-calling loop, while the caller's
 * thread and Reactor context are at hand. Spring AI 2.0.0 runs the later rounds of a streamed
 * tool-calling conversation on Reactor worker threads, where thread-locals that no context
 * propagation carries (a {@code BillingSubjectResolver} reading Spring Security's context, for
 * one) are gone; those rounds find the answer in the request context, which the loop hands to
 * every round.
 */
final class CallOriginAdvisor implements CallAdvisor, StreamAdvisor {

	/** Outside the tool-calling loop and chat memory, inside user advisors at default order. */
	static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 100;

	private final UsageMetering metering;

	private final BillingSubjects subjects;

	CallOriginAdvisor(UsageMetering metering, BillingSubjects subjects) {
		this.metering = metering;
		this.subjects = subjects;
	}

	@Override
	public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
		CallOrigin origin = CallOrigin.of(request.context(), null, this.metering.currentScope(), this.subjects);
		return chain.nextCall(withOrigin(request, origin));
	}

	@Override
	public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
		return Flux.deferContextual((context) -> chain
			.nextStream(withOrigin(request, CallOrigin.of(request.context(), context, this.metering.currentScope(),
					this.subjects))));
	}

	private static ChatClientRequest withOrigin(ChatClientRequest request, CallOrigin origin) {
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

}

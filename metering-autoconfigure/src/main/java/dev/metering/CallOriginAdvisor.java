package dev.metering;

import reactor.core.publisher.Flux;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.CallAdvisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisor;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.core.Ordered;

import dev.metering.billing.UsageMetering;

/**
 * Settles who a ChatClient call bills once, outside the tool-calling loop, while the caller's
 * thread and Reactor context are at hand. Later tool-calling rounds may run on other threads;
 * they find the answer in the request context, which the loop hands to every round.
 */
final class CallOriginAdvisor implements CallAdvisor, StreamAdvisor {

	/** Outside the tool-calling loop and chat memory, inside user advisors at default order. */
	static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 100;

	private final UsageMetering metering;

	CallOriginAdvisor(UsageMetering metering) {
		this.metering = metering;
	}

	@Override
	public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
		CallOrigin origin = CallOrigin.of(request.context(), null, this.metering);
		return chain.nextCall(withOrigin(request, origin));
	}

	@Override
	public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
		return Flux.deferContextual((context) -> chain
			.nextStream(withOrigin(request, CallOrigin.of(request.context(), context, this.metering))));
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

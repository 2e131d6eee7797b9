package dev.metering.benchmarks;

import reactor.core.publisher.Flux;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.CallAdvisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisor;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;

/**
 * An advisor that does nothing: what Spring AI's advisor chain charges for any one
 * advisor (its observation context, and on a stream the aggregation of every chunk), to
 * tell the chain's share of the metering advisor's cost from the advisor's own.
 */
final class PassThroughAdvisor implements CallAdvisor, StreamAdvisor {

	private final int order;

	PassThroughAdvisor(int order) {
		this.order = order;
	}

	@Override
	public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
		return chain.nextCall(request);
	}

	@Override
	public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
		return chain.nextStream(request);
	}

	@Override
	public String getName() {
		return "PassThrough" + this.order;
	}

	@Override
	public int getOrder() {
		return this.order;
	}

}

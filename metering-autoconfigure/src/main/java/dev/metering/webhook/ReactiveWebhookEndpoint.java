package dev.metering.webhook;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Receives one provider's webhooks on WebFlux; {@link WebhookReception} tells how to
 * answer. The reception blocks (receipts and cache changes may be in the database), so it
 * runs on Reactor's bounded elastic threads, never on the server's event loop.
 *
 * @since 0.1.0
 */
public final class ReactiveWebhookEndpoint implements HandlerFunction<ServerResponse> {

	private final WebhookReception reception;

	public ReactiveWebhookEndpoint(WebhookIntake intake) {
		this.reception = intake.reception();
	}

	@Override
	public Mono<ServerResponse> handle(ServerRequest request) {
		return request.bodyToMono(byte[].class)
			.defaultIfEmpty(new byte[0])
			.publishOn(Schedulers.boundedElastic())
			.map((body) -> this.reception.receive((name) -> request.headers().firstHeader(name), body, request.path()))
			.flatMap((answer) -> {
				ServerResponse.BodyBuilder response = ServerResponse.status(answer.status());
				return (answer.problem() != null) ? response.bodyValue(answer.problem()) : response.build();
			});
	}

}

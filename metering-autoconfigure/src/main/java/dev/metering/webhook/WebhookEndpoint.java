package dev.metering.webhook;

import org.springframework.web.servlet.function.HandlerFunction;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * Receives one provider's webhooks on Spring MVC; {@link WebhookReception} tells how to
 * answer.
 *
 * @since 0.1.0
 */
public final class WebhookEndpoint implements HandlerFunction<ServerResponse> {

	private final WebhookReception reception;

	public WebhookEndpoint(WebhookIntake intake) {
		this.reception = intake.reception();
	}

	@Override
	public ServerResponse handle(ServerRequest request) throws Exception {
		WebhookReception.Answer answer = this.reception.receive((name) -> request.headers().firstHeader(name),
				request.body(byte[].class), request.path());
		ServerResponse.BodyBuilder response = ServerResponse.status(answer.status());
		return (answer.problem() != null) ? response.body(answer.problem()) : response.build();
	}

}

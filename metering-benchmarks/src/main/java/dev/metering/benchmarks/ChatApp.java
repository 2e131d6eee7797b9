package dev.metering.benchmarks;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.param.billing.MeterEventCreateParams;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

import dev.metering.BillingSubject;
import dev.metering.BillingSubjectResolver;

/**
 * A web application with one chat endpoint three ways, shaped like the sample app's: a
 * POST of {@code {"message": …}} answered with the model's text and tokens, for the
 * organization the request names in {@code X-Organization} (the sample reads it from the
 * logged-in user). {@code /chat/plain} is not metered, {@code /chat/metered} is metered
 * by the starter (billing Stripe through its durable outbox on H2), and
 * {@code /chat/naive} meters by hand with a synchronous Stripe meter event inside the
 * request, as hand-written integrations do.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(ChatApp.ChatEndpoints.class)
class ChatApp {

	static final int ORGANIZATIONS = 100;

	/**
	 * Starts the application on a free port, billing the Stripe server at
	 * {@code stripeBase}.
	 */
	static ConfigurableApplicationContext start(String stripeBase) {
		Map<String, Object> properties = new HashMap<>();
		properties.put("server.port", "0");
		properties.put("spring.datasource.url", "jdbc:h2:mem:chat-app;DB_CLOSE_DELAY=-1");
		MeteredApplication.limitedOnStripe(properties, stripeBase);
		MeteredApplication.accounts(properties, ORGANIZATIONS, "free");
		properties.put("spring.main.banner-mode", "off");
		return new SpringApplicationBuilder(ChatApp.class).properties(properties).run();
	}

	@Bean
	ChatModel chatModel() {
		return new InstantChatModel();
	}

	/**
	 * The organization the request names, as the sample's resolver names the logged-in
	 * user's.
	 */
	@Bean
	BillingSubjectResolver organizationHeader() {
		return () -> Optional.ofNullable(RequestContextHolder.getRequestAttributes())
			.map((attributes) -> ((ServletRequestAttributes) attributes).getRequest())
			.map((request) -> request.getHeader("X-Organization"))
			.map(BillingSubject::organization);
	}

	@RestController
	static class ChatEndpoints {

		private static final String SYSTEM = "You are a helpful assistant. Answer briefly.";

		private final ChatClient plain;

		private final ChatClient metered;

		private final StripeClient stripe;

		ChatEndpoints(ChatClient.Builder meteredBuilder, ChatModel model,
				@Value("${metering.stripe.api-base}") String stripeBase) {
			this.plain = ChatClient.builder(model).defaultSystem(SYSTEM).build();
			this.metered = meteredBuilder.defaultSystem(SYSTEM).build();
			this.stripe = StripeClient.builder()
				.setApiKey("sk_test_benchmark")
				.setApiBase(stripeBase)
				.setMeterEventsBase(stripeBase)
				.setMaxNetworkRetries(0)
				.build();
		}

		@PostMapping("/chat/plain")
		ChatAnswer plain(@RequestBody ChatRequest request) {
			return answer(this.plain.prompt().user(request.message()).call().chatResponse());
		}

		@PostMapping("/chat/metered")
		ChatAnswer metered(@RequestBody ChatRequest request) {
			return answer(this.metered.prompt().user(request.message()).call().chatResponse());
		}

		@PostMapping("/chat/naive")
		ChatAnswer naive(@RequestBody ChatRequest request, HttpServletRequest http) throws StripeException {
			ChatResponse response = answered(this.plain.prompt().user(request.message()).call().chatResponse());
			Usage usage = response.getMetadata().getUsage();
			String organization = http.getHeader("X-Organization");
			this.stripe.v1()
				.billing()
				.meterEvents()
				.create(MeterEventCreateParams.builder()
					.setEventName("ai_tokens")
					.putPayload("stripe_customer_id", "cus_" + organization.substring("org_".length()))
					.putPayload("value", Integer.toString(usage.getTotalTokens()))
					.setIdentifier(UUID.randomUUID().toString())
					.build());
			return answer(response);
		}

		private static ChatAnswer answer(@Nullable ChatResponse response) {
			ChatResponse answered = answered(response);
			Usage usage = answered.getMetadata().getUsage();
			Generation result = Objects.requireNonNull(answered.getResult(), "the instant model answers");
			return new ChatAnswer(result.getOutput().getText(), usage.getPromptTokens(), usage.getCompletionTokens());
		}

		private static ChatResponse answered(@Nullable ChatResponse response) {
			return Objects.requireNonNull(response, "the instant model answers");
		}

	}

	record ChatRequest(String message) {
	}

	record ChatAnswer(@Nullable String answer, Integer promptTokens, Integer completionTokens) {
	}

}

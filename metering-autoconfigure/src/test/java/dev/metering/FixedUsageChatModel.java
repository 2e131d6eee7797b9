package dev.metering;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.context.ApplicationContext;

/**
 * A model that answers "ok" with fixed usage, and counts how often it was called.
 */
public final class FixedUsageChatModel implements ChatModel {

	private final int promptTokens;

	private final int completionTokens;

	private final AtomicInteger calls = new AtomicInteger();

	public FixedUsageChatModel(int promptTokens, int completionTokens) {
		this.promptTokens = promptTokens;
		this.completionTokens = completionTokens;
	}

	@Override
	public ChatResponse call(Prompt prompt) {
		this.calls.incrementAndGet();
		return ChatResponse.builder()
			.generations(List.of(new Generation(new AssistantMessage("ok"))))
			.metadata(ChatResponseMetadata.builder()
				.usage(new DefaultUsage(this.promptTokens, this.completionTokens))
				.build())
			.build();
	}

	public int calls() {
		return this.calls.get();
	}

	/**
	 * Asks this model, through a ChatClient metered by the application's advisors, on
	 * behalf of an organization, for the named model.
	 */
	public String askMetered(ApplicationContext context, String organization, String model) {
		ChatClient.Builder builder = ChatClient.builder(this);
		context.getBean(ChatClientBuilderCustomizer.class).customize(builder);
		return builder.build()
			.prompt("hi")
			.options(ChatOptions.builder().model(model))
			.advisors((advisors) -> advisors.param(MeteringAdvisor.ORGANIZATION_ID, organization))
			.call()
			.content();
	}

}

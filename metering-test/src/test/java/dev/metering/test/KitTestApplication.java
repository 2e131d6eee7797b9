package dev.metering.test;

import java.time.Duration;
import java.util.List;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

import dev.metering.MeteredUsage;
import dev.metering.MeteringAdvisor;

/**
 * A metered application, as the kit's users have one: a model, and a service that chats.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class KitTestApplication {

	@Bean
	StubChatModel chatModel() {
		return StubChatModel.replying("Hi there").withUsage(12, 5);
	}

	@Bean
	Assistant assistant(ChatClient.Builder chatClient) {
		return new Assistant(chatClient.build());
	}

	static class Assistant {

		private final ChatClient chatClient;

		Assistant(ChatClient chatClient) {
			this.chatClient = chatClient;
		}

		public String ask(String organizationId, String question) {
			return this.chatClient.prompt(question)
				.advisors((advisor) -> advisor.param(MeteringAdvisor.ORGANIZATION_ID, organizationId))
				.call()
				.content();
		}

		public List<String> askStreamed(String organizationId, String question) {
			return this.chatClient.prompt(question)
				.advisors((advisor) -> advisor.param(MeteringAdvisor.ORGANIZATION_ID, organizationId))
				.stream()
				.content()
				.collectList()
				.block(Duration.ofSeconds(10));
		}

		/** Two questions, billed as one event. */
		@MeteredUsage(organization = "#organizationId")
		public String askTwice(String organizationId, String question) {
			return this.chatClient.prompt(question).call().content() + " / "
					+ this.chatClient.prompt(question).call().content();
		}

	}

}

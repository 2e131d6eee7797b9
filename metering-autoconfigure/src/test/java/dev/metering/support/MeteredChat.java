package dev.metering.support;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.context.ApplicationContext;

import dev.metering.FixedUsageChatModel;
import dev.metering.MeteringAdvisor;
import dev.metering.MissingBillingAccountException;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A ChatClient metered by an application context's advisors, asking on behalf of the
 * organization named, for tests that look at who is admitted.
 */
public final class MeteredChat {

	private final ChatClient chat;

	private MeteredChat(ChatClient chat) {
		this.chat = chat;
	}

	/** Through a model that answers "ok" with 20 prompt and 10 completion tokens. */
	public static MeteredChat of(ApplicationContext context) {
		return of(context, new FixedUsageChatModel(20, 10));
	}

	public static MeteredChat of(ApplicationContext context, ChatModel model) {
		ChatClient.Builder builder = ChatClient.builder(model);
		context.getBean(ChatClientBuilderCustomizer.class).customize(builder);
		return new MeteredChat(builder.build());
	}

	public String ask(String organization) {
		return this.chat.prompt("hello")
			.advisors((advisors) -> advisors.param(MeteringAdvisor.ORGANIZATION_ID, organization))
			.call()
			.content();
	}

	/** Whether a call is admitted, rather than refused for want of a billing account. */
	public boolean admitted(String organization) {
		try {
			return "ok".equals(ask(organization));
		}
		catch (MissingBillingAccountException ex) {
			return false;
		}
	}

	public void assertRefused(String organization) {
		assertThatExceptionOfType(MissingBillingAccountException.class).isThrownBy(() -> ask(organization));
	}

}

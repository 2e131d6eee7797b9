package dev.metering.support;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.metering.MeteringAdvisor;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

/**
 * An application's chat endpoint, {@code GET /chat?organization=…}, metered by the
 * starter, for tests that look at what a client gets back (with
 * {@link MockMvcConfiguration} and a {@link ChatModel} bean). The billed organization
 * comes from the request only in tests.
 */
@RestController
public class ChatEndpoint {

	private final ChatClient chat;

	ChatEndpoint(ChatModel model, ChatClientBuilderCustomizer metering) {
		ChatClient.Builder builder = ChatClient.builder(model);
		metering.customize(builder);
		this.chat = builder.build();
	}

	@GetMapping("/chat")
	String chat(@RequestParam String organization) {
		return this.chat.prompt("hello")
			.advisors((advisors) -> advisors.param(MeteringAdvisor.ORGANIZATION_ID, organization))
			.call()
			.content();
	}

	/** Asks the endpoint of a context for an organization. */
	public static MvcResult chat(AssertableWebApplicationContext context, String organization) throws Exception {
		return context.getBean(MockMvc.class).perform(get("/chat").param("organization", organization)).andReturn();
	}

}

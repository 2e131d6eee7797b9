package dev.metering.pricing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.metering.BillingClient;
import dev.metering.MeteringAdvisor;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 10,000 ChatClient calls of two models with fractional prices, for 20 customers, half
 * before and half after a restart on an H2 file database: each customer is billed exactly
 * its priced total rounded once, however the calls fell.
 */
class CreditRoundingTests {

	private static final int CALLS = 10_000;

	private static final int CUSTOMERS = 20;

	private static final BigDecimal MARKUP = new BigDecimal("1.075");

	@TempDir
	Path database;

	@Test
	void creditsRecordedPerCustomerAreTheExactTotalRoundedOnceAcrossARestart() {
		BigDecimal[] exact = new BigDecimal[CUSTOMERS];
		java.util.Arrays.fill(exact, BigDecimal.ZERO);
		try (ConfigurableApplicationContext context = start()) {
			callFrom(context, 0, CALLS / 2, exact);
		}
		List<Long> billed = new ArrayList<>();
		List<Long> expected = new ArrayList<>();
		try (ConfigurableApplicationContext context = start()) {
			callFrom(context, CALLS / 2, CALLS, exact);
			BillingClient billing = context.getBean(BillingClient.class);
			assertThat(billing.flush(Duration.ofSeconds(30))).isTrue();
			for (int customer = 0; customer < CUSTOMERS; customer++) {
				billed.add(billing.getUsage("mtr_credits", "cus_" + customer, null, null).get(0).aggregatedValue());
				expected.add(exact[customer].setScale(0, RoundingMode.HALF_UP).longValueExact());
			}
		}
		assertThat(billed).isEqualTo(expected);
		assertThat(expected).allSatisfy((total) -> assertThat(total).isGreaterThan(100));
	}

	private void callFrom(ConfigurableApplicationContext context, int from, int to, BigDecimal[] exact) {
		ChatClient chatClient = context.getBean(ChatClient.Builder.class).build();
		for (int i = from; i < to; i++) {
			Call call = Call.of(i);
			chatClient.prompt(call.prompt())
				.advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, "org_" + call.customer()))
				.call()
				.content();
			exact[call.customer()] = exact[call.customer()].add(call.priced());
		}
		assertThat(context.getBean(BillingClient.class).flush(Duration.ofSeconds(30))).isTrue();
	}

	private ConfigurableApplicationContext start() {
		List<String> properties = new ArrayList<>(List.of("spring.ai.model.chat=none",
				"spring.ai.openai.api-key=sk-unused",
				"spring.datasource.url=jdbc:h2:file:" + this.database.resolve("metering") + ";WRITE_DELAY=0",
				"metering.jdbc.initialize-schema=always", "metering.default-meter=credits",
				"metering.meters.credits.event-name=ai_credits", "metering.meters.credits.meter-id=mtr_credits",
				"metering.meters.credits.unit=credits", "metering.pricing.markup=7.5",
				"metering.pricing.models.[alpha*].input=333", "metering.pricing.models.[alpha*].cached-input=33.3",
				"metering.pricing.models.[alpha*].output=1234.5", "metering.pricing.models.[beta*].input=77.7",
				"metering.pricing.models.[beta*].output=311.1", "metering.pricing.strict=true",
				"metering.delivery.flush-interval=50ms"));
		for (int customer = 0; customer < CUSTOMERS; customer++) {
			properties.add("metering.accounts.org_" + customer + ".customer-id=cus_" + customer);
		}
		return new SpringApplicationBuilder(Application.class).properties(properties.toArray(String[]::new)).run();
	}

	/**
	 * One call: its customer, model and usage, and its exact price.
	 */
	record Call(int customer, String model, int promptTokens, int cached, int completion) {

		static Call of(int i) {
			int promptTokens = 100 + (i * 37) % 1900;
			return new Call(i % CUSTOMERS, (i % 3 == 0) ? "beta-2" : "alpha-1", promptTokens,
					(i % 5 == 0) ? promptTokens / 2 : 0, 1 + (i * 53) % 700);
		}

		String prompt() {
			return this.model + " " + this.promptTokens + " " + this.cached + " " + this.completion;
		}

		BigDecimal priced() {
			boolean alpha = this.model.startsWith("alpha");
			BigDecimal input = new BigDecimal(alpha ? "333" : "77.7");
			BigDecimal cachedInput = alpha ? new BigDecimal("33.3") : input;
			BigDecimal output = new BigDecimal(alpha ? "1234.5" : "311.1");
			return input.multiply(BigDecimal.valueOf(this.promptTokens - this.cached))
				.add(cachedInput.multiply(BigDecimal.valueOf(this.cached)))
				.add(output.multiply(BigDecimal.valueOf(this.completion)))
				.multiply(MARKUP)
				.movePointLeft(6);
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

		/**
		 * Answers with the model and usage its prompt names: "model prompt cached
		 * completion".
		 */
		@Bean
		ChatModel chatModel() {
			return new ChatModel() {

				@Override
				public ChatResponse call(Prompt prompt) {
					String[] call = prompt.getContents().trim().split(" ");
					int promptTokens = Integer.parseInt(call[1]);
					int completionTokens = Integer.parseInt(call[3]);
					return new ChatResponse(List.of(new Generation(new AssistantMessage("ok"))),
							ChatResponseMetadata.builder()
								.model(call[0])
								.usage(new DefaultUsage(promptTokens, completionTokens, promptTokens + completionTokens,
										null, Long.parseLong(call[2]), null))
								.build());
				}

			};
		}

	}

}

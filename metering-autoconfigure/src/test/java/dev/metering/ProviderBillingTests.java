package dev.metering;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.metering.provider.TokenKind;
import dev.metering.provider.TokenUsage;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Base of tests that run a provider's Spring AI chat model against a stub of its API,
 * metered by the auto-configured advisor onto the local meter, and read back what was
 * billed by type of token. Every subclass shares one application context: the meter
 * counts each type apart (the token-type dimension), and each organization {@code org_x}
 * bills customer {@code cus_x}.
 */
@SpringBootTest(classes = { MeteringTestApplication.class, ProviderBillingTests.Accounts.class },
		properties = { "spring.ai.model.chat=none", "spring.ai.openai.api-key=sk-unused",
				"metering.default-meter=tokens", "metering.meters.tokens.event-name=ai_tokens",
				"metering.meters.tokens.meter-id=mtr_tokens", "metering.meters.tokens.dimensions=token-type",
				"metering.delivery.flush-interval=50ms" })
abstract class ProviderBillingTests {

	@Autowired
	private ChatClientBuilderCustomizer metering;

	@Autowired
	private BillingClient billingClient;

	/** A ChatClient over the model, metered as an auto-configured one is. */
	ChatClient metered(ChatModel model) {
		ChatClient.Builder builder = ChatClient.builder(model);
		this.metering.customize(builder);
		return builder.build();
	}

	static String call(ChatClient chat, String organization) {
		return chat.prompt("Hi")
			.advisors((advisors) -> advisors.param(MeteringAdvisor.ORGANIZATION_ID, organization))
			.call()
			.content();
	}

	static String stream(ChatClient chat, String organization) {
		List<String> pieces = chat.prompt("Hi")
			.advisors((advisors) -> advisors.param(MeteringAdvisor.ORGANIZATION_ID, organization))
			.stream()
			.content()
			.collectList()
			.block(Duration.ofSeconds(10));
		return String.join("", pieces);
	}

	/**
	 * What the local meter holds for the organization, by type of token, once all is
	 * delivered.
	 */
	TokenUsage billed(String organization) {
		assertThat(this.billingClient.flush(Duration.ofSeconds(10))).isTrue();
		String customerId = customerOf(organization);
		TokenUsage billed = new TokenUsage(billed(customerId, TokenKind.INPUT),
				billed(customerId, TokenKind.CACHED_INPUT), billed(customerId, TokenKind.CACHE_WRITE_INPUT),
				billed(customerId, TokenKind.OUTPUT), billed(customerId, TokenKind.REASONING));
		assertThat(sum(this.billingClient.getUsage("mtr_tokens", customerId, null, null, UsageDimensions.none())))
			.as("the meter's total is the sum of its types")
			.isEqualTo(billed.total());
		return billed;
	}

	private long billed(String customerId, TokenKind type) {
		return sum(this.billingClient.getUsage("mtr_tokens", customerId, null, null,
				UsageDimensions.tokenType(type.value())));
	}

	private static long sum(List<MeterUsageSummary> usage) {
		return usage.stream().mapToLong(MeterUsageSummary::aggregatedValue).sum();
	}

	private static String customerOf(String organization) {
		return "cus_" + organization.substring("org_".length());
	}

	@Configuration(proxyBeanMethods = false)
	static class Accounts {

		@Bean
		BillingAccountResolver everyOrganizationIsACustomer() {
			return (subject) -> Optional.of(BillingAccount.of(customerOf(subject.referenceId())));
		}

	}

}

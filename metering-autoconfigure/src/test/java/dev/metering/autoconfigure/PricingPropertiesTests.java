package dev.metering.autoconfigure;

import java.math.BigDecimal;
import java.util.function.Consumer;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.metering.pricing.PriceList;
import dev.metering.provider.TokenKind;
import dev.metering.provider.TokenUsage;
import dev.metering.support.MeteringAutoConfigurations;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code metering.pricing.*} and credits meters are checked at start-up, each mistake
 * failing with a message that names the property.
 */
class PricingPropertiesTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withPropertyValues("metering.meters.credits.event-name=ai_credits", "metering.meters.credits.unit=credits",
				"metering.default-meter=credits");

	@Test
	void ratesPriceEachModelByItsMostSpecificPatternWithTheMarkup() {
		this.contextRunner.withPropertyValues("metering.pricing.models.[gpt-4o*].output=10000",
				"metering.pricing.models.[gpt-4o-mini*].output=600", "metering.pricing.models.[gpt-4o-mini].output=1",
				"metering.pricing.default.output=1000000", "metering.pricing.markup=20")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				PriceList prices = context.getBean(PriceList.class);
				TokenUsage thousandOut = new TokenUsage(0, 0, 0, 1000, 0);
				assertThat(credits(prices, "gpt-4o-2024-08-06", thousandOut)).isEqualTo("12");
				assertThat(credits(prices, "gpt-4o-mini-2024-07-18", thousandOut)).isEqualTo("0.72");
				assertThat(credits(prices, "gpt-4o-mini", thousandOut)).as("an exact name wins").isEqualTo("0.0012");
				assertThat(credits(prices, "o3", thousandOut)).as("default").isEqualTo("1200");
			});
	}

	@Test
	void aBillionTokensArePricedExactEnoughWhateverTheDecimalsOfThePrices() {
		this.contextRunner
			.withPropertyValues("metering.pricing.models.[gpt-4o].output=10000000",
					"metering.pricing.default.input=0.000001", "metering.pricing.markup=33.333333333333")
			.run((context) -> {
				PriceList prices = context.getBean(PriceList.class);
				// 13.33… credits a token, kept to 7 decimals so that a billion tokens fit
				// a long
				String credits = credits(prices, "gpt-4o", new TokenUsage(0, 0, 0, 1_000_000_000, 0));
				assertThat(new BigDecimal(credits)).isCloseTo(new BigDecimal("13333333333.3333"),
						Offset.offset(new BigDecimal("100")));
			});
	}

	@Test
	void negativeRateFailsNamingTheProperty() {
		fails("metering.pricing.models.[gpt-4o].output must not be negative, was -1",
				"metering.pricing.models.[gpt-4o].output=-1", "metering.pricing.default.input=1");
	}

	@Test
	void unknownTypeOfTokenFailsNamingTheProperty() {
		fails("metering.pricing.models.[gpt-4o].cached is not a type of token",
				"metering.pricing.models.[gpt-4o].cached=1", "metering.pricing.default.input=1");
	}

	@Test
	void unknownTokenKindOfAMeterFailsNamingTheProperty() {
		this.contextRunner
			.withPropertyValues("metering.meters.credits.tokens=cached", "metering.pricing.default.input=1")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("Failed to bind properties under 'metering.meters.credits.tokens'"));
	}

	@Test
	void negativeMarkupFailsNamingTheProperty() {
		fails("metering.pricing.markup must not be negative", "metering.pricing.markup=-5",
				"metering.pricing.default.input=1");
	}

	@Test
	void aCreditsMeterWithoutPricesFailsNamingTheProperty() {
		fails("metering.meters.credits.unit is credits, which needs prices");
	}

	@Test
	void aCreditsMeterWithoutDefaultRatesNeedsStrictPrices() {
		fails("metering.pricing.default must be set for credits meter 'credits' unless metering.pricing.strict is true",
				"metering.pricing.models.[gpt-4o].output=1");
	}

	@Test
	void aStrictPatternMatchingNoModelNameFailsNamingTheProperty() {
		fails("metering.pricing.models pattern(s) [gpt 4o] match no model name", "metering.pricing.strict=true",
				"metering.pricing.models.[gpt 4o].output=1");
	}

	@Test
	void strictPricesNeedThePriceOfEveryChatModelsDefaultModel() {
		this.contextRunner.withBean(ChatModel.class, () -> new DefaultModel("claude-sonnet-4"))
			.withPropertyValues("metering.pricing.strict=true", "metering.pricing.models.[gpt-4o*].output=1")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.pricing.models has no pattern for model 'claude-sonnet-4'"));
		this.contextRunner.withBean(ChatModel.class, () -> new DefaultModel("gpt-4o-mini"))
			.withPropertyValues("metering.pricing.strict=true", "metering.pricing.models.[gpt-4o*].output=1")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	private void fails(String message, String... properties) {
		Consumer<AssertableApplicationContext> failure = (
				context) -> assertThat(context).getFailure().rootCause().hasMessageContaining(message);
		this.contextRunner.withPropertyValues(properties).run(failure::accept);
	}

	private static String credits(PriceList prices, String model, TokenUsage tokens) {
		return BigDecimal.valueOf(prices.priceOf(model).units(TokenKind.TOTAL, tokens))
			.divide(BigDecimal.valueOf(prices.unitsPerCredit()))
			.stripTrailingZeros()
			.toPlainString();
	}

	/** A chat model whose default options name a model. */
	private record DefaultModel(String model) implements ChatModel {

		@Override
		public ChatResponse call(Prompt prompt) {
			throw new UnsupportedOperationException();
		}

		@Override
		public ChatOptions getDefaultOptions() {
			return ChatOptions.builder().model(this.model).build();
		}

	}

}

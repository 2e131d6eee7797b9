package dev.metering.autoconfigure;

import java.time.Clock;

import io.micrometer.observation.ObservationFilter;
import org.jspecify.annotations.Nullable;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.tokenizer.JTokkitTokenCountEstimator;
import org.springframework.ai.tokenizer.TokenCountEstimator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import dev.metering.MeteringAdvisor;
import dev.metering.billing.Billing;
import dev.metering.billing.EstimateObservationConvention;
import dev.metering.provider.MeterCatalog;
import dev.metering.pricing.PriceList;

/**
 * Auto-configuration that adds the {@link MeteringAdvisor} and its companion to every
 * auto-configured {@code ChatClient.Builder}, and with
 * {@code metering.observations.organization} the billed organization to Spring AI's chat
 * model observations.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = MeteringAutoConfiguration.class)
@ConditionalOnClass(ChatClient.class)
@ConditionalOnBean(Billing.class)
@EnableConfigurationProperties(MeteringObservationsProperties.class)
public final class MeteringChatClientAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	MeteringAdvisor meteringAdvisor(Billing billing, ObjectProvider<TokenCountEstimator> tokenCountEstimator,
			ObjectProvider<ChatModel> chatModels, MeterCatalog meters, PriceList prices,
			MeteringObservationsProperties properties, MeteringObservations observations,
			ObjectProvider<EstimateObservationConvention> estimateConvention, ObjectProvider<Clock> clock) {
		if (prices.isStrict() && meters.anyInCredits()) {
			chatModels.orderedStream().forEach((chatModel) -> requirePriced(prices, chatModel));
		}
		ChatModel chatModel = chatModels.getIfUnique();
		return billing.chatClientAdvisor(tokenCountEstimator.getIfUnique(JTokkitTokenCountEstimator::new),
				(chatModel != null) ? defaultModelOf(chatModel) : null, properties.organization(),
				observations.registry(), clock.getIfUnique(Clock::systemUTC), estimateConvention.getIfUnique());
	}

	/**
	 * With strict prices, the model a chat model answers with by default must be priced.
	 */
	private static void requirePriced(PriceList prices, ChatModel chatModel) {
		String model = defaultModelOf(chatModel);
		if (model != null && prices.priceOf(model) == null) {
			throw new IllegalStateException("metering.pricing.models has no pattern for model '" + model
					+ "', the default of " + chatModel.getClass().getSimpleName()
					+ ", and metering.pricing.strict is true: price it, or set metering.pricing.default and strict false");
		}
	}

	private static @Nullable String defaultModelOf(ChatModel chatModel) {
		ChatOptions options = chatModel.getDefaultOptions();
		return (options != null) ? options.getModel() : null;
	}

	@Bean
	ChatClientBuilderCustomizer meteringChatClientBuilderCustomizer(MeteringAdvisor advisor) {
		return (builder) -> builder.defaultAdvisors(advisor.callOriginAdvisor(), advisor);
	}

	/**
	 * Tags Spring AI's chat model metrics per organization, when the application opts in:
	 * Spring Boot adds every {@code ObservationFilter} bean to its observation registry.
	 */
	@Bean
	@ConditionalOnBooleanProperty(MeteringProperties.PREFIX + ".observations.organization")
	ObservationFilter meteringOrganizationObservationFilter() {
		return Billing.organizationObservationFilter();
	}

}

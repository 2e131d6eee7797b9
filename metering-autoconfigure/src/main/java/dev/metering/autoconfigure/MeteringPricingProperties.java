package dev.metering.autoconfigure;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.bind.Name;

/**
 * Configuration of the prices of AI usage, for meters in credits.
 *
 * @param models Rates per million tokens by model and type of token (input, cached-input,
 * cache-write-input, output, reasoning). A model is an exact name or a pattern in which *
 * stands for any characters, e.g. [gpt-4o-mini*]; the most specific matching one prices a
 * model. Put names with dots or wildcards in brackets.
 * @param defaultRates Rates per million tokens by type of token of the models no pattern
 * matches. Required for a credits meter unless prices are strict.
 * @param markup Percentage every price is raised by.
 * @param strict Whether a model no pattern matches is an error instead of priced by the
 * default rates: the default model of every ChatModel must be priced at start-up, and a
 * call asking for a model no pattern prices is refused before it runs.
 * @since 0.1.0
 */
@ConfigurationProperties(MeteringPricingProperties.PREFIX)
public record MeteringPricingProperties(Map<String, Map<String, BigDecimal>> models,
		@Name("default") @Nullable Map<String, BigDecimal> defaultRates, @DefaultValue("0") BigDecimal markup,
		@DefaultValue("false") boolean strict) {

	static final String PREFIX = "metering.pricing";

	public MeteringPricingProperties {
		models = (models != null) ? new LinkedHashMap<>(models) : Map.of();
		defaultRates = (defaultRates != null) ? new LinkedHashMap<>(defaultRates) : null;
	}

}

package dev.metering.autoconfigure;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.metering.pricing.PriceList;
import dev.metering.pricing.TokenRates;
import dev.metering.provider.MeterUnit;
import dev.metering.provider.TokenKind;

/**
 * The price list {@code metering.pricing} makes, checked as it is made: every type of
 * token known, no rate or markup negative, strict patterns that can match a model, and
 * prices for every meter in credits.
 */
final class PriceLists {

	private static final String MODELS = MeteringPricingProperties.PREFIX + ".models";

	private static final String DEFAULT = MeteringPricingProperties.PREFIX + ".default";

	private PriceLists() {
	}

	static PriceList of(MeteringPricingProperties pricing, MeteringProperties properties) {
		if (pricing.markup().signum() < 0) {
			throw new InvalidMeteringPropertyException(MeteringPricingProperties.PREFIX + ".markup", pricing.markup(),
					"must not be negative, was " + pricing.markup());
		}
		Map<String, TokenRates> rates = new LinkedHashMap<>();
		pricing.models()
			.forEach((pattern, perType) -> rates.put(pattern, tokenRates(MODELS + ".[" + pattern + "]", perType)));
		TokenRates defaultRates = (pricing.defaultRates() != null) ? tokenRates(DEFAULT, pricing.defaultRates()) : null;
		PriceList prices = PriceList.of(rates, defaultRates, pricing.markup(), pricing.strict());
		if (pricing.strict()) {
			List<String> unmatchable = prices.patternsMatchingNoModelName();
			if (!unmatchable.isEmpty()) {
				throw new InvalidMeteringPropertyException(MODELS, unmatchable, "pattern(s) " + unmatchable
						+ " match no model name: a model name has letters, digits and -._:/@+, and a pattern * and ? "
						+ "besides");
			}
		}
		requirePricesForCredits(pricing, properties.meters());
		return prices;
	}

	/** Meters in credits need prices: for every model, unless prices are strict. */
	private static void requirePricesForCredits(MeteringPricingProperties pricing,
			Map<String, MeteringProperties.Meter> meters) {
		meters.forEach((key, meter) -> {
			if (meter.unit() != MeterUnit.CREDITS) {
				return;
			}
			if (pricing.models().isEmpty() && pricing.defaultRates() == null) {
				throw new InvalidMeteringPropertyException("metering.meters." + key + ".unit", meter.unit(),
						"is credits, which needs prices: set metering.pricing.models.<model>.<token type> or "
								+ "metering.pricing.default.<token type>");
			}
			if (!pricing.strict() && pricing.defaultRates() == null) {
				throw new InvalidMeteringPropertyException(DEFAULT, "", "must be set for credits meter '" + key
						+ "' unless metering.pricing.strict is true: it prices the models no pattern matches");
			}
		});
	}

	/** Rates by type of token, each type known and no rate negative. */
	private static TokenRates tokenRates(String property, Map<String, BigDecimal> rates) {
		Map<TokenKind, BigDecimal> byType = new LinkedHashMap<>();
		rates.forEach((name, rate) -> {
			TokenKind type = tokenType(name);
			if (type == null) {
				throw new InvalidMeteringPropertyException(property + "." + name, rate, "is not a type of token; the "
						+ "types are input, cached-input, cache-write-input, output and reasoning");
			}
			if (rate == null || rate.signum() < 0) {
				throw new InvalidMeteringPropertyException(property + "." + name, rate,
						"must not be negative, was " + rate);
			}
			byType.put(type, rate);
		});
		return new TokenRates(byType);
	}

	private static @Nullable TokenKind tokenType(String name) {
		String canonical = name.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
		for (TokenKind type : TokenKind.types()) {
			if (type.value().replace("-", "").equals(canonical)) {
				return type;
			}
		}
		return null;
	}

}

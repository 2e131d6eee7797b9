package dev.metering.pricing;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Map;

import dev.metering.provider.TokenKind;

/**
 * Rates per million tokens of each type for one model, as configured. A type without a
 * rate costs what its kind costs: cached and cache-write input cost the input rate,
 * reasoning the output rate; a model with neither input nor output rate costs nothing of
 * that kind.
 *
 * <p>
 * What an application that defines its own {@link PriceList} builds it from.
 *
 * @param rates the configured rates by type of token
 * @since 0.1.0
 */
public record TokenRates(Map<TokenKind, BigDecimal> rates) {

	public TokenRates {
		rates = Map.copyOf(rates);
	}

	/** The rate of a type per million tokens, with the fall-backs above. */
	public BigDecimal perMillion(TokenKind type) {
		BigDecimal rate = this.rates.get(type);
		if (rate != null) {
			return rate;
		}
		return switch (type) {
			case CACHED_INPUT, CACHE_WRITE_INPUT -> perMillion(TokenKind.INPUT);
			case REASONING -> perMillion(TokenKind.OUTPUT);
			default -> BigDecimal.ZERO;
		};
	}

	/**
	 * Prices per token of each type, indexed as {@link PriceList#index}, raised by
	 * {@code factor}.
	 */
	BigDecimal[] perToken(BigDecimal factor, BigDecimal tokens) {
		TokenKind[] types = TokenKind.types();
		BigDecimal[] prices = new BigDecimal[types.length];
		for (TokenKind type : types) {
			// exact for any rate and markup of finitely many decimals
			prices[PriceList.index(type)] = perMillion(type).multiply(factor).divide(tokens, MathContext.UNLIMITED);
		}
		return prices;
	}

}

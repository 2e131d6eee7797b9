package dev.metering.pricing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import dev.metering.provider.TokenKind;

/**
 * The price of each model: rates per million tokens of each type, by model pattern (the
 * most specific matching pattern wins), else the default rates, all raised by a markup.
 * Prices are kept per token in whole units of a credit, so that pricing a call is exact:
 * a unit is the largest fraction of a credit in which every configured price is a whole
 * number, at most 10<sup>-{@value #MAX_SCALE}</sup> of a credit.
 * <p>
 * Each model name is resolved once and remembered.
 * <p>
 * Built from {@code metering.pricing}; an application that prices models another way
 * defines a bean of its own, made with {@link #of}.
 *
 * @since 0.1.0
 */
public final class PriceList {

	/** Finest unit kept: a price finer than this is rounded to it. */
	static final int MAX_SCALE = 15;

	/**
	 * Most units a token may cost, so that a billion tokens are priced in a {@code long}.
	 */
	private static final BigDecimal MAX_UNITS_PER_TOKEN = BigDecimal.valueOf(1_000_000_000);

	private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

	/** How many model names are remembered; beyond that each is resolved per call. */
	private static final int MAX_REMEMBERED = 1024;

	/** Remembered for models no pattern prices, since a map holds no {@code null}. */
	private static final ModelPrice UNPRICED = new ModelPrice("unpriced", 0, 0, 0, 0, 0);

	private final List<Entry> entries;

	private final @Nullable ModelPrice defaultPrice;

	private final boolean strict;

	private final long unitsPerCredit;

	private final ModelPrice dearest;

	private final Map<String, ModelPrice> resolved = new ConcurrentHashMap<>();

	private PriceList(List<Entry> entries, @Nullable ModelPrice defaultPrice, boolean strict, long unitsPerCredit) {
		this.entries = entries;
		this.defaultPrice = defaultPrice;
		this.strict = strict;
		this.unitsPerCredit = unitsPerCredit;
		this.dearest = dearest(entries, defaultPrice);
	}

	/**
	 * A price list from configured rates.
	 * @param ratesPerMillion rates per million tokens of each type, by model pattern, in
	 * order
	 * @param defaultRates rates of models no pattern matches, or {@code null} for none
	 * @param markupPercent what every price is raised by, in percent
	 * @param strict whether a model no pattern matches is an error rather than priced by
	 * the default rates
	 */
	public static PriceList of(Map<String, TokenRates> ratesPerMillion, @Nullable TokenRates defaultRates,
			BigDecimal markupPercent, boolean strict) {
		BigDecimal factor = BigDecimal.ONE.add(markupPercent.movePointLeft(2));
		Map<String, BigDecimal[]> perToken = new LinkedHashMap<>();
		ratesPerMillion.forEach((pattern, rates) -> perToken.put(pattern, rates.perToken(factor, MILLION)));
		BigDecimal[] defaultPerToken = (defaultRates != null) ? defaultRates.perToken(factor, MILLION) : null;
		List<BigDecimal[]> all = new ArrayList<>(perToken.values());
		if (defaultPerToken != null) {
			all.add(defaultPerToken);
		}
		int scale = 0;
		BigDecimal dearest = BigDecimal.ZERO;
		for (BigDecimal[] prices : all) {
			scale = Math.max(scale, scaleOf(prices));
			for (BigDecimal price : prices) {
				dearest = dearest.max(price);
			}
		}
		scale = Math.min(scale, MAX_SCALE);
		// no finer than keeps the dearest token within MAX_UNITS_PER_TOKEN, so that a
		// call of up
		// to a billion tokens is priced in a long
		while (scale > 0 && dearest.movePointRight(scale).compareTo(MAX_UNITS_PER_TOKEN) > 0) {
			scale--;
		}
		List<Entry> entries = new ArrayList<>();
		for (Map.Entry<String, BigDecimal[]> entry : perToken.entrySet()) {
			entries.add(new Entry(new ModelPattern(entry.getKey()), price(entry.getKey(), entry.getValue(), scale)));
		}
		return new PriceList(entries, (defaultPerToken != null) ? price("default", defaultPerToken, scale) : null,
				strict, BigDecimal.ONE.movePointRight(scale).longValueExact());
	}

	/** How many units make a credit: 10 to the power of the unit's decimal places. */
	public long unitsPerCredit() {
		return this.unitsPerCredit;
	}

	public boolean isStrict() {
		return this.strict;
	}

	/**
	 * The price of a model: that of the most specific pattern matching it, else the
	 * default rates.
	 * @param model the model's name, or {@code null} when unknown (the default rates
	 * apply)
	 * @return the price, or {@code null} when no pattern matches and there are no default
	 * rates, or the list is strict
	 */
	public @Nullable ModelPrice priceOf(@Nullable String model) {
		if (model == null) {
			return this.strict ? null : this.defaultPrice;
		}
		ModelPrice price = this.resolved.get(model);
		if (price == null) {
			price = resolve(model);
			if (this.resolved.size() < MAX_REMEMBERED) {
				this.resolved.put(model, price);
			}
		}
		return (price != UNPRICED) ? price : null;
	}

	/**
	 * What each type of token costs at most on any configured model: the price of a call
	 * whose model is not named, when prices are strict, so that it is never billed too
	 * little.
	 */
	public ModelPrice dearest() {
		return this.dearest;
	}

	private static ModelPrice dearest(List<Entry> entries, @Nullable ModelPrice defaultPrice) {
		long[] most = new long[TokenKind.types().length];
		List<ModelPrice> prices = new ArrayList<>(entries.stream().map(Entry::price).toList());
		if (defaultPrice != null) {
			prices.add(defaultPrice);
		}
		for (ModelPrice price : prices) {
			for (TokenKind type : TokenKind.types()) {
				most[index(type)] = Math.max(most[index(type)], price.perToken(type));
			}
		}
		return new ModelPrice("dearest", most[0], most[1], most[2], most[3], most[4]);
	}

	/**
	 * The patterns that no model name can match: blank, or with characters model names
	 * never have.
	 */
	public List<String> patternsMatchingNoModelName() {
		return this.entries.stream()
			.map(Entry::pattern)
			.filter((pattern) -> !pattern.canMatchAModelName())
			.map(ModelPattern::text)
			.toList();
	}

	private ModelPrice resolve(String model) {
		Entry best = null;
		for (Entry entry : this.entries) {
			if (entry.pattern().matches(model) && (best == null || entry.pattern().moreSpecificThan(best.pattern()))) {
				best = entry;
			}
		}
		if (best != null) {
			return best.price();
		}
		return (this.defaultPrice != null && !this.strict) ? this.defaultPrice : UNPRICED;
	}

	private static int scaleOf(BigDecimal[] prices) {
		int scale = 0;
		for (BigDecimal price : prices) {
			scale = Math.max(scale, price.stripTrailingZeros().scale());
		}
		return scale;
	}

	private static ModelPrice price(String pattern, BigDecimal[] perToken, int scale) {
		long[] units = new long[perToken.length];
		for (int i = 0; i < perToken.length; i++) {
			units[i] = perToken[i].movePointRight(scale).setScale(0, RoundingMode.HALF_UP).longValueExact();
		}
		return new ModelPrice(pattern, units[0], units[1], units[2], units[3], units[4]);
	}

	/** How a price of a type of token is indexed in {@link TokenRates#perToken}. */
	static int index(TokenKind type) {
		return switch (type) {
			case INPUT -> 0;
			case CACHED_INPUT -> 1;
			case CACHE_WRITE_INPUT -> 2;
			case OUTPUT -> 3;
			case REASONING -> 4;
			default -> throw new IllegalArgumentException(type + " is not a type of token");
		};
	}

	private record Entry(ModelPattern pattern, ModelPrice price) {
	}

}

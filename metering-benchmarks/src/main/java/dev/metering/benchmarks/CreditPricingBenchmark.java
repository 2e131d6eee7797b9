package dev.metering.benchmarks;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.metering.pricing.CreditCarry;
import dev.metering.pricing.ModelPrice;
import dev.metering.pricing.PriceList;
import dev.metering.pricing.TokenRates;
import dev.metering.provider.TokenKind;
import dev.metering.provider.TokenUsage;

/**
 * What pricing adds to a metered call on a credits meter, alone: the price of the model
 * the response names (a name built afresh, as each response's is, so its hash is
 * computed), the exact price of the call's tokens, and the whole credits with the
 * rounding carried for its customer. {@code AdvisorOverheadBenchmark} measures the whole
 * call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CreditPricingBenchmark {

	private static final TokenUsage TOKENS = new TokenUsage(900, 300, 0, 150, 50);

	/** The customers calls are spread over, each with its own carry. */
	private static final String[] CUSTOMERS = new String[16];

	static {
		for (int i = 0; i < CUSTOMERS.length; i++) {
			CUSTOMERS[i] = "cus_" + i;
		}
	}

	private PriceList prices;

	private CreditCarry carry;

	private char[] model;

	private int call;

	@Setup
	public void setUp() {
		Map<String, TokenRates> models = new LinkedHashMap<>();
		models.put("gpt-4o*", rates("2500", "1250", "10000"));
		models.put("gpt-4o-mini*", rates("150", "75", "600"));
		models.put("o4-mini*", rates("1100", "275", "4400"));
		this.prices = PriceList.of(models, rates("1000", "1000", "1000"), new BigDecimal("20"), false);
		this.carry = new CreditCarry(this.prices.unitsPerCredit(), null, Duration.ZERO);
		this.model = "gpt-4o-mini-2024-07-18".toCharArray();
	}

	@Benchmark
	public long priceACall() {
		// the default rates price every model
		ModelPrice price = Objects.requireNonNull(this.prices.priceOf(new String(this.model)));
		long units = price.units(TokenKind.TOTAL, TOKENS);
		return this.carry.settle("ai_credits", CUSTOMERS[this.call++ & 15], units);
	}

	private static TokenRates rates(String input, String cachedInput, String output) {
		return new TokenRates(Map.of(TokenKind.INPUT, new BigDecimal(input), TokenKind.CACHED_INPUT,
				new BigDecimal(cachedInput), TokenKind.OUTPUT, new BigDecimal(output)));
	}

}

package dev.metering.pricing;

import java.math.BigDecimal;
import java.time.Duration;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

import dev.metering.support.StoreJdbc;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whole credits from exact prices, with the rest carried per customer: in memory, split
 * over the events of one call, and through the database across instances and restarts.
 */
class CreditCarryTests {

	/** Prices in hundredths of a credit. */
	private static final long CENTS = 100;

	@Test
	void theRestIsCarriedIntoTheCustomersNextEventRoundingHalfUp() {
		CreditCarry carry = new CreditCarry(CENTS, null, Duration.ZERO);

		assertThat(carry.settle("ai_credits", "cus_1", 27)).isZero();
		assertThat(carry.settle("ai_credits", "cus_1", 27)).isOne();
		assertThat(carry.settle("ai_credits", "cus_2", 27)).as("carried per customer").isZero();
		assertThat(carry.settle("ai_credits", "cus_1", 150)).as("-0.46 + 1.5 = 1.04").isOne();
		assertThat(carry.carried("ai_credits", "cus_1")).isEqualByComparingTo("0.04");
	}

	@Test
	void theEventsOfOneCallRoundOnceTogether() {
		CreditCarry carry = new CreditCarry(CENTS, null, Duration.ZERO);
		long[] first = { 45, 45, 45 };
		long[] second = { 45, 45, 45 };

		assertThat(carry.settle("ai_credits", "cus_1", first)).isOne();
		assertThat(first).containsExactly(0, 1, 0);
		assertThat(carry.settle("ai_credits", "cus_1", second)).isEqualTo(2);
		assertThat(second).containsExactly(1, 0, 1);
	}

	@Test
	void aNegativeCarryNeverMakesANegativeEvent() {
		CreditCarry carry = new CreditCarry(CENTS, null, Duration.ZERO);
		carry.settle("ai_credits", "cus_1", 50);

		assertThat(carry.settle("ai_credits", "cus_1", 0)).isZero();
		assertThat(carry.settle("ai_credits", "cus_1", 40)).as("-0.5 + 0.4").isZero();
		assertThat(carry.settle("ai_credits", "cus_1", 60)).as("-0.1 + 0.6").isOne();
	}

	@Test
	void theCarryOutlivesTheInstanceThroughTheDatabase() throws Exception {
		DataSource database = database();
		try (CreditCarry first = new CreditCarry(CENTS,
				new JdbcCarryStore(StoreJdbc.client(database), StoreJdbc.transactions(database)),
				Duration.ofHours(1))) {
			assertThat(first.settle("ai_credits", "cus_1", 40)).isZero();
		}
		try (CreditCarry restarted = new CreditCarry(CENTS,
				new JdbcCarryStore(StoreJdbc.client(database), StoreJdbc.transactions(database)), Duration.ofHours(1));
				CreditCarry other = new CreditCarry(CENTS,
						new JdbcCarryStore(StoreJdbc.client(database), StoreJdbc.transactions(database)),
						Duration.ofHours(1))) {
			assertThat(restarted.settle("ai_credits", "cus_1", 40)).as("0.4 carried + 0.4").isOne();
			assertThat(other.carried("ai_credits", "cus_1")).isEqualByComparingTo("0.4");
		}
		// 0.8 priced, 1 recorded: -0.2 carried, whatever the other instance read
		assertThat(new JdbcCarryStore(StoreJdbc.client(database), StoreJdbc.transactions(database)).load("ai_credits",
				"cus_1"))
			.isEqualByComparingTo(new BigDecimal("-0.2"));
	}

	private static DataSource database() {
		DataSource dataSource = new DriverManagerDataSource(
				"jdbc:h2:mem:" + CreditCarryTests.class.getSimpleName() + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
		new ResourceDatabasePopulator(new ClassPathResource("META-INF/metering/schema.sql")).execute(dataSource);
		return dataSource;
	}

}

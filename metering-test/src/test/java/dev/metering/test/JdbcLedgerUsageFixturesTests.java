package dev.metering.test;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.metering.limits.JdbcUsageLedger;
import dev.metering.limits.UsageLedger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fixtures on the usage ledger in the application's database (H2 here).
 */
@SpringBootTest(classes = KitTestApplication.class)
@AutoConfigureMeteringTest
class JdbcLedgerUsageFixturesTests extends UsageFixturesContract {

	@Test
	void theLedgerIsInTheDatabase(@Autowired UsageLedger ledger) {
		assertThat(ledger).isInstanceOf(JdbcUsageLedger.class);
	}

}

package dev.metering.test;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.metering.limits.InMemoryUsageLedger;
import dev.metering.limits.UsageLedger;
import dev.metering.outbox.InMemoryUsageOutbox;
import dev.metering.outbox.UsageOutbox;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fixtures on the usage ledger in memory, with usage waiting in memory too.
 */
@SpringBootTest(classes = KitTestApplication.class,
		properties = { "metering.limits.store=memory", "metering.outbox.store=memory" })
@AutoConfigureMeteringTest
class InMemoryLedgerUsageFixturesTests extends UsageFixturesContract {

	@Test
	void theLedgerAndTheOutboxAreInMemory(@Autowired UsageLedger ledger, @Autowired UsageOutbox outbox) {
		assertThat(ledger).isInstanceOf(InMemoryUsageLedger.class);
		assertThat(outbox).isInstanceOf(InMemoryUsageOutbox.class);
	}

}

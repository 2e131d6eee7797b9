package dev.metering.billing;

import java.time.Clock;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.metering.delivery.UsageDispatcher;
import dev.metering.outbox.InMemoryUsageOutbox;
import dev.metering.provider.MeterAggregation;
import dev.metering.provider.MeterCatalog;
import dev.metering.provider.MeterDefinition;
import dev.metering.provider.TokenKind;
import dev.metering.provider.local.InMemoryLocalMeterStore;
import dev.metering.provider.local.LocalMeterProvider;

import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * What {@link Billing}'s builder needs before it builds, named when it is missing.
 */
class BillingTests {

	private final LocalMeterProvider provider = new LocalMeterProvider(new InMemoryLocalMeterStore());

	private final InMemoryUsageOutbox outbox = new InMemoryUsageOutbox(Clock.systemUTC());

	private final MeterCatalog meters = new MeterCatalog(List
		.of(new MeterDefinition("ai-tokens", "ai_tokens", null, TokenKind.TOTAL, null, MeterAggregation.SUM, "value")),
			"ai-tokens");

	private final Billing.Builder builder = Billing.builder(this.provider, this.meters, this.outbox,
			UsageDispatcher.builder(this.outbox, this.provider));

	@Test
	void withoutLimitsTheBuilderNamesWhatIsMissing() {
		assertThatIllegalStateException().isThrownBy(this.builder::build)
			.withMessage("Billing needs limits(periods, ledger)");
	}

}

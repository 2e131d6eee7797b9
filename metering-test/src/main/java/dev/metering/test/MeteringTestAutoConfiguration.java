package dev.metering.test;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.metering.BillingClient;
import dev.metering.autoconfigure.LocalMeteringAutoConfiguration;
import dev.metering.autoconfigure.MeteringAutoConfiguration;
import dev.metering.autoconfigure.MeteringProperties;
import dev.metering.autoconfigure.MetronomeMeteringAutoConfiguration;
import dev.metering.autoconfigure.PolarMeteringAutoConfiguration;
import dev.metering.autoconfigure.StripeMeteringAutoConfiguration;
import dev.metering.limits.UsageLedger;
import dev.metering.provider.MeterProvider;

/**
 * What {@link AutoConfigureMeteringTest} imports: the {@link RecordingMeterProvider},
 * before any provider auto-configuration, so that theirs backs off, and the
 * {@link UsageFixtures}.
 */
@AutoConfiguration(before = { LocalMeteringAutoConfiguration.class, StripeMeteringAutoConfiguration.class,
		PolarMeteringAutoConfiguration.class, MetronomeMeteringAutoConfiguration.class,
		MeteringAutoConfiguration.class })
@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
public final class MeteringTestAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(MeterProvider.class)
	RecordingMeterProvider recordingMeterProvider(ObjectProvider<BillingClient> billing) {
		// the client is looked up when the recorder is read: it depends on the recorder
		return new RecordingMeterProvider(billing);
	}

	@Bean
	@ConditionalOnMissingBean
	UsageFixtures usageFixtures(BillingClient billing, UsageLedger ledger) {
		return new UsageFixtures(billing, ledger);
	}

}

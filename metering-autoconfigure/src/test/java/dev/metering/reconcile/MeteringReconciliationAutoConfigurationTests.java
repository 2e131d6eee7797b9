package dev.metering.reconcile;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.metering.support.MeteringAutoConfigurations;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reconciliation is there when the outbox remembers what it delivered, its schedule only
 * when enabled; a setting that cannot work fails start-up naming the property. The
 * organization key of Spring AI's observations is there only when the application opts
 * in.
 */
class MeteringReconciliationAutoConfigurationTests {

	/** Without a DataSource: the outbox is in memory. */
	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with());

	private ApplicationContextRunner withDatabase() {
		return new ApplicationContextRunner()
			.withConfiguration(MeteringAutoConfigurations.with(DataSourceAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:reconcile-" + UUID.randomUUID());
	}

	@Test
	void withTheOutboxInTheDatabaseReconciliationIsThereAndItsScheduleOnlyWhenEnabled() {
		withDatabase().run((context) -> assertThat(context).hasSingleBean(UsageReconciler.class)
			.doesNotHaveBean(ReconciliationSchedule.class));
		withDatabase().withPropertyValues("metering.reconcile.enabled=true")
			.run((context) -> assertThat(context).hasSingleBean(ReconciliationSchedule.class));
	}

	@Test
	void withTheOutboxInMemoryThereIsNothingToReconcile() {
		this.contextRunner.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(UsageReconciler.class));
		withDatabase().withPropertyValues("metering.outbox.store=memory")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(UsageReconciler.class));
	}

	@Test
	void aScheduleWithTheOutboxInMemoryFailsStartUpNamingTheProperty() {
		this.contextRunner.withPropertyValues("metering.reconcile.enabled=true")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.reconcile.enabled=true needs the outbox in the database"));
	}

	@Test
	void aWindowLongerThanDeliveredEventsAreKeptFailsNamingBothProperties() {
		withDatabase().withPropertyValues("metering.reconcile.window=8d")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining(
						"metering.reconcile.window must not be longer than metering.outbox.retention " + "(PT168H)"));
		withDatabase().withPropertyValues("metering.reconcile.window=8d", "metering.outbox.retention=30d")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void aWindowOfPartMinutesFailsNamingTheProperty() {
		withDatabase().withPropertyValues("metering.reconcile.window=90s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.reconcile.window must be whole minutes"));
	}

	@Test
	void aCronThatIsNoneFailsNamingTheProperty() {
		withDatabase().withPropertyValues("metering.reconcile.enabled=true", "metering.reconcile.cron=daily")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.reconcile.cron is not a cron expression")
				.hasMessageContaining("'daily'"));
	}

	@Test
	void aDeliveryLagThatIsNotPositiveFailsNamingTheProperty() {
		this.contextRunner.withPropertyValues("metering.health.max-delivery-lag=0s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("metering.health.max-delivery-lag must be positive"));
	}

}

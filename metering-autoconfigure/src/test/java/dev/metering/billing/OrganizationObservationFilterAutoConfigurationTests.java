package dev.metering.billing;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.metering.support.MeteringAutoConfigurations;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The filter that adds the billed organization to chat model observations, as the
 * auto-configurations add it.
 */
class OrganizationObservationFilterAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with());

	@Test
	void theOrganizationKeyIsAddedToObservationsOnlyWhenTheApplicationOptsIn() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(OrganizationObservationFilter.class));
		this.contextRunner.withPropertyValues("metering.observations.organization=true")
			.run((context) -> assertThat(context).hasSingleBean(OrganizationObservationFilter.class));
	}

}

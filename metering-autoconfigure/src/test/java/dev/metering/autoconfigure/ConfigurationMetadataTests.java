package dev.metering.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration metadata an IDE shows reads like Spring Boot's own: every property
 * has a full sentence as its description, and enumerated properties list their values.
 */
class ConfigurationMetadataTests {

	private final Object metadata = read("META-INF/spring-configuration-metadata.json");

	@Test
	void everyPropertyHasAFullSentenceCaseDescription() {
		List<Map<String, Object>> properties = JsonPath.read(this.metadata, "$.properties[*]");
		assertThat(properties).hasSizeGreaterThan(30);
		assertThat(properties)
			.allSatisfy((property) -> assertThat((String) property.get("description")).as((String) property.get("name"))
				.matches("^[A-Z].*\\.$"));
		assertThat(description("metering.stripe.api")).startsWith("How meter events are sent");
		assertThat(description("metering.default-meter")).contains("MeteredUsage scope");
	}

	@Test
	void enumeratedPropertiesListTheirValues() {
		List<String> hinted = JsonPath.read(this.metadata, "$.hints[*].name");
		assertThat(hinted).contains("metering.provider", "metering.enforcement", "metering.on-missing-customer",
				"metering.outbox.store", "metering.stripe.api", "metering.jdbc.initialize-schema",
				"metering.meters.values.tokens", "metering.meters.values.aggregation", "metering.meters.values.unit",
				"metering.meters.values.dimensions", "metering.limits.on-store-failure");
	}

	@Test
	void balancePropertiesAreDescribedAndTheRecurrenceOfPlanGrantsListsItsValues() {
		assertThat(description("metering.balances.thresholds")).startsWith("Percentages of a balance's credit left");
		List<Object> defaults = JsonPath.read(this.metadata,
				"$.properties[?(@.name == 'metering.balances.thresholds')].defaultValue");
		assertThat(defaults).containsExactly("[20, 5, 0]");
		List<String> hinted = JsonPath.read(this.metadata, "$.hints[*].name");
		assertThat(hinted).contains("metering.plans.values.grants.values.every");
	}

	private String description(String name) {
		List<String> found = JsonPath.read(this.metadata, "$.properties[?(@.name == '" + name + "')].description");
		return found.get(0);
	}

	private static Object read(String path) {
		try (InputStream json = new ClassPathResource(path).getInputStream()) {
			return JsonPath.parse(json).json();
		}
		catch (IOException ex) {
			throw new IllegalStateException("No configuration metadata at " + path, ex);
		}
	}

}

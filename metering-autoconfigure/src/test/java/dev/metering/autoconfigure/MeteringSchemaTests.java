package dev.metering.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * What the start-up check looks for is read from the scripts that create it: every table
 * under the feature that uses it, with the columns of its CREATE TABLE and of every ADD
 * COLUMN after.
 */
class MeteringSchemaTests {

	private final MeteringSchema bundled = MeteringSchema
		.read(List.of(new ClassPathResource("META-INF/metering/schema.sql")));

	@Test
	void everyTableOfTheBundledScriptBelongsToAFeature() {
		assertThat(this.bundled.features()).containsExactlyInAnyOrder("outbox", "local-meter", "limits", "webhooks",
				"credits", "cache-changes", "locks", "balances");
		assertThat(this.bundled.tablesOf(Set.of("local-meter"))).extracting(MeteringSchema.Table::name)
			.containsExactly("metering_local_usage", "metering_local_dimension_usage", "metering_local_identifier");
	}

	@Test
	void columnsAddedLaterCountLikeThoseATableWasCreatedWith() {
		assertThat(table("outbox", "metering_usage_event").columns()).startsWith("identifier", "event_name")
			.contains("coalesced_into", "recorded_at", "model", "token_type", "subject_id", "subject_type");
	}

	@Test
	void constraintsAndTheCommasInsideTypesAreNotColumns() {
		assertThat(table("credits", "metering_credit_carry").columns()).containsExactly("event_name", "customer_id",
				"carried");
		assertThat(table("limits", "metering_usage_ledger").columns()).containsExactly("reference_id", "limit_key",
				"period_start", "period_end", "used", "leased", "granted");
	}

	@Test
	void theGrantsOfPrepaidBalancesAreTheBalancesFeaturesTable() {
		assertThat(table("balances", "metering_grant").columns()).containsExactly("id", "reference_id", "meter_key",
				"amount", "effective_at", "expires_at", "priority", "source", "consumed_at_end");
	}

	@Test
	void aPlatformScriptAddsToTheTablesOfTheOneBeforeIt() {
		MeteringSchema schema = MeteringSchema.read(List.of(script("""
				-- feature: things
				CREATE TABLE IF NOT EXISTS thing (id BIGINT NOT NULL, PRIMARY KEY (id)); -- ; in a comment
				"""), script("ALTER TABLE thing ADD COLUMN IF NOT EXISTS colour VARCHAR(20);\n"
				+ "CREATE INDEX IF NOT EXISTS thing_colour ON thing (colour);")));
		assertThat(schema.tablesOf(Set.of("things"))).singleElement()
			.satisfies((table) -> assertThat(table.columns()).containsExactly("id", "colour"));
	}

	@Test
	void aTableWithoutAFeatureIsAMistakeOfTheScript() {
		assertThatIllegalStateException()
			.isThrownBy(() -> MeteringSchema.read(List.of(script("CREATE TABLE thing (id BIGINT);"))))
			.withMessageContaining("CREATE TABLE thing has no line '-- feature: <name>' before it");
		assertThatIllegalStateException()
			.isThrownBy(() -> MeteringSchema.read(List.of(script("ALTER TABLE thing ADD COLUMN id BIGINT;"))))
			.withMessageContaining("ADD COLUMN id to thing, which no script creates before");
	}

	private MeteringSchema.Table table(String feature, String name) {
		return this.bundled.tablesOf(Set.of(feature))
			.stream()
			.filter((table) -> table.name().equals(name))
			.findFirst()
			.orElseThrow();
	}

	private static ByteArrayResource script(String text) {
		return new ByteArrayResource(text.getBytes(StandardCharsets.UTF_8), "a test script");
	}

}

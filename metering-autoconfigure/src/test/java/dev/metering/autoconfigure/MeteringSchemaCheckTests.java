package dev.metering.autoconfigure;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.ApplicationContextAssertProvider;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.DependsOn;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.PostgresServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatRuntimeException;

/**
 * Start-up fails, saying what to do, when the tables of a feature in use are missing from
 * a database the starter does not initialize, or lack a column a later version added; it
 * passes once they are there, however and whenever during start-up they were made.
 */
@ExtendWith(OutputCaptureExtension.class)
class MeteringSchemaCheckTests {

	@RegisterExtension
	static final PostgresServer postgres = new PostgresServer();

	/** A meter in credits, which the carry's table is for. */
	private static final String[] CREDITS = { "metering.meters.credits.event-name=credits",
			"metering.meters.credits.unit=credits", "metering.pricing.default.input=1000",
			"metering.default-meter=credits" };

	/** A prepaid meter, whose grants the grants' table keeps. */
	private static final String PREPAID = "metering.meters.credits.prepaid=true";

	@TempDir
	Path directory;

	@Test
	void missingTablesOnAnH2FileFailStartUpWithAnAnalysisOfWhatToDo(CapturedOutput output) {
		SpringApplication application = new SpringApplication(MeteringApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setRegisterShutdownHook(false);
		application.setDefaultProperties(Map.of("spring.datasource.url", h2File(), "spring.datasource.username", "sa"));
		assertThatRuntimeException().isThrownBy(application::run).isInstanceOf(IncompleteMeteringSchemaException.class);
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Spring AI Metering's tables in the application's database (H2) are missing or out of date")
			.contains("- table metering_usage_event is missing (outbox)")
			.contains("- table metering_usage_ledger is missing (limits)")
			.contains("- table metering_local_usage is missing (local-meter)")
			.contains("metering.jdbc.initialize-schema is embedded, which creates them in in-memory databases only, "
					+ "and this one is not")
			.contains("set metering.jdbc.initialize-schema=always")
			.contains("copy META-INF/metering/schema.sql into your Flyway or Liquibase migrations");
	}

	@Test
	void tablesTheStarterCreatesOnAnH2FileAreFoundAtTheNextStart() {
		ApplicationContextRunner h2 = runner(h2File()).withPropertyValues(CREDITS);
		h2.withPropertyValues("metering.jdbc.initialize-schema=always")
			.run((context) -> assertThat(context).hasNotFailed());
		h2.withPropertyValues("metering.jdbc.initialize-schema=never")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void anOlderSchemaOnAnH2FileFailsNamingTheColumnItLacks() {
		String url = h2File();
		createSchema(url);
		jdbc(url).execute("ALTER TABLE metering_usage_event DROP COLUMN subject_id");
		runner(url)
			.run((context) -> assertProblems(context, "column metering_usage_event.subject_id is missing (outbox)"));
	}

	@Test
	void onlyTheTablesOfTheFeaturesInUseAreLookedFor() {
		String url = h2File();
		createSchema(url);
		jdbc(url).execute("DROP TABLE metering_usage_event");
		jdbc(url).execute("DROP TABLE metering_credit_carry");
		runner(url).withPropertyValues("metering.outbox.store=memory")
			.run((context) -> assertThat(context).hasNotFailed());
		runner(url).withPropertyValues(CREDITS)
			.run((context) -> assertProblems(context, "table metering_usage_event is missing (outbox)",
					"table metering_credit_carry is missing (credits)"));
	}

	@Test
	void theGrantsTableIsLookedForOnceAMeterIsPrepaid() {
		String url = h2File();
		createSchema(url);
		jdbc(url).execute("DROP TABLE metering_grant");
		runner(url).withPropertyValues(CREDITS).run((context) -> assertThat(context).hasNotFailed());
		runner(url).withPropertyValues(CREDITS)
			.withPropertyValues(PREPAID)
			.run((context) -> assertProblems(context, "table metering_grant is missing (balances)"));
	}

	@Test
	void theWebhookReceiptsTableIsLookedForWhenWebhooksAreReceived() {
		String url = h2File();
		createSchema(url);
		jdbc(url).execute("DROP TABLE metering_webhook_event");
		WebApplicationContextRunner stripe = new WebApplicationContextRunner()
			.withConfiguration(MeteringAutoConfigurations.with(DataSourceAutoConfiguration.class))
			.withPropertyValues(dataSourceProperties(url))
			.withPropertyValues("metering.provider=stripe", "metering.stripe.api-key=sk_test_schema");
		stripe.run((context) -> assertThat(context).hasNotFailed());
		stripe.withPropertyValues("metering.stripe.webhook.secret=whsec_SchemaCheckSigningSecret")
			.run((context) -> assertProblems(context, "table metering_webhook_event is missing (webhooks)"));
	}

	@Test
	void everyFeatureTheScriptNamesIsLookedForWhenItIsInUse() {
		Set<String> inUse = new HashSet<>();
		String url = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
		runner(url).withPropertyValues(CREDITS)
			.withPropertyValues(PREPAID)
			.withPropertyValues("metering.jdbc.initialize-schema=always")
			.run((context) -> inUse.addAll(featuresInUse(context)));
		new WebApplicationContextRunner()
			.withConfiguration(MeteringAutoConfigurations.with(DataSourceAutoConfiguration.class))
			.withPropertyValues(dataSourceProperties(url))
			.withPropertyValues("metering.provider=stripe", "metering.stripe.api-key=sk_test_schema",
					"metering.stripe.webhook.secret=whsec_SchemaCheckSigningSecret")
			.run((context) -> inUse.addAll(featuresInUse(context)));

		assertThat(inUse)
			.isEqualTo(MeteringSchema.of(new DefaultResourceLoader(), MeteringDatabase.of(dataSource(url))).features());
	}

	private static Set<String> featuresInUse(ConfigurableApplicationContext context) {
		return context.getBeansOfType(MeteringTables.class)
			.values()
			.stream()
			.filter((tables) -> tables.inUse(context.getBeanFactory()))
			.map(MeteringTables::feature)
			.collect(Collectors.toSet());
	}

	@Test
	void tablesThatTheApplicationCreatesAfterTheMeteringBeansAreFound() {
		runner(h2File()).withUserConfiguration(LateMigration.class)
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void missingTablesOnPostgresFailStartUpWithAnAnalysisOfWhatToDo() {
		runner(postgresDatabase()).withPropertyValues("metering.jdbc.initialize-schema=never").run((context) -> {
			assertThat(context).getFailure()
				.isInstanceOfSatisfying(IncompleteMeteringSchemaException.class,
						(ex) -> assertThat(ex.getProblems()).contains("table metering_usage_event is missing (outbox)",
								"table metering_usage_threshold is missing (limits)",
								"table metering_local_identifier is missing (local-meter)"));
			FailureAnalysis analysis = new IncompleteMeteringSchemaFailureAnalyzer()
				.analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("database (PostgreSQL) are missing or out of date")
				.contains("metering.jdbc.initialize-schema is never, so the starter does not create or upgrade them");
			assertThat(analysis.getAction()).contains("metering.jdbc.initialize-schema=always")
				.contains("META-INF/metering/schema.sql");
		});
	}

	@Test
	void anOlderSchemaOnPostgresFailsNamingTheColumnItLacks() {
		String url = postgresDatabase();
		createSchema(url);
		jdbc(url).execute("ALTER TABLE metering_usage_event DROP COLUMN subject_type");
		runner(url)
			.run((context) -> assertProblems(context, "column metering_usage_event.subject_type is missing (outbox)"));
	}

	@Test
	void aTableTheApplicationMayNotReadIsNamedWithTheDatabasesReason() {
		String url = postgresDatabase();
		createSchema(url);
		String role = "reader_" + UUID.randomUUID().toString().replace("-", "");
		jdbc(url).execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + role + "'");
		jdbc(url).execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + role);
		jdbc(url).execute("REVOKE SELECT ON metering_local_usage FROM " + role);
		runner(url).withPropertyValues("spring.datasource.username=" + role, "spring.datasource.password=" + role)
			.run((context) -> assertProblems(context, "table metering_local_usage cannot be read (local-meter): "
					+ "ERROR: permission denied for table metering_local_usage"));
	}

	@Test
	void tablesTheStarterCreatesOnPostgresAreFoundAtTheNextStart() {
		ApplicationContextRunner database = runner(postgresDatabase()).withPropertyValues(CREDITS);
		database.withPropertyValues("metering.jdbc.initialize-schema=always")
			.run((context) -> assertThat(context).hasNotFailed());
		database.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void theSchemaIsCreatedForAnEmbeddedDatabaseOnlyUnlessToldOtherwise() {
		outbox().withPropertyValues("spring.datasource.url=jdbc:h2:mem:schema-embedded")
			.run((context) -> assertThat(rows(context, "P")).isZero());
		String never = "jdbc:h2:mem:schema-never;DB_CLOSE_DELAY=-1";
		outbox().withPropertyValues("spring.datasource.url=" + never, "metering.jdbc.initialize-schema=never")
			.run((context) -> assertThat(context).getFailure()
				.as("the tables it needs are missing")
				.isInstanceOf(IncompleteMeteringSchemaException.class));
		assertThat(new JdbcTemplate(new DriverManagerDataSource(never, "sa", "")).queryForObject(
				"SELECT COUNT(*) FROM information_schema.tables WHERE LOWER(table_name) = 'metering_usage_event'",
				Integer.class))
			.isZero();
	}

	/**
	 * The outbox, with nothing else in the database, as its auto-configuration sets it
	 * up.
	 */
	private static ApplicationContextRunner outbox() {
		return new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(DataSourceAutoConfiguration.class, JdbcOutboxAutoConfiguration.class,
							MeteringAutoConfiguration.class, LocalMeteringAutoConfiguration.class))
			.withPropertyValues("metering.delivery.flush-interval=20ms");
	}

	private static int rows(AssertableApplicationContext context, String status) {
		return new JdbcTemplate(context.getBean(DataSource.class))
			.queryForObject("SELECT COUNT(*) FROM metering_usage_event WHERE status = ?", Integer.class, status);
	}

	private static ApplicationContextRunner runner(String url) {
		return new ApplicationContextRunner()
			.withConfiguration(MeteringAutoConfigurations.with(DataSourceAutoConfiguration.class))
			.withPropertyValues(dataSourceProperties(url));
	}

	private static String[] dataSourceProperties(String url) {
		return new String[] { "spring.datasource.url=" + url, "spring.datasource.username=" + user(url),
				"spring.datasource.password=" + user(url) };
	}

	private static void assertProblems(ApplicationContextAssertProvider<?> context, String... problems) {
		assertThat(context).getFailure()
			.isInstanceOfSatisfying(IncompleteMeteringSchemaException.class,
					(ex) -> assertThat(ex.getProblems()).containsExactlyInAnyOrder(problems));
	}

	private String h2File() {
		return "jdbc:h2:file:" + this.directory.resolve("metering-" + UUID.randomUUID()) + ";DB_CLOSE_ON_EXIT=FALSE";
	}

	/** A database of its own on the server, so that no test sees another's tables. */
	private static String postgresDatabase() {
		String name = "schema_" + UUID.randomUUID().toString().replace("-", "");
		new JdbcTemplate(postgres.getPostgresDatabase()).execute("CREATE DATABASE " + name);
		// without its user parameter, which would win over the data source's username
		return postgres.getJdbcUrl("postgres", name).replaceFirst("\\?.*", "");
	}

	private static String user(String url) {
		return url.startsWith("jdbc:h2:") ? "sa" : "postgres";
	}

	private static JdbcTemplate jdbc(String url) {
		return new JdbcTemplate(dataSource(url));
	}

	private static DataSource dataSource(String url) {
		return new DriverManagerDataSource(url, user(url), user(url));
	}

	/**
	 * The schema as the starter's script creates it, as an application's migrations
	 * would.
	 */
	private static void createSchema(String url) {
		new ResourceDatabasePopulator(new ClassPathResource("META-INF/metering/schema.sql")).execute(dataSource(url));
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, JdbcOutboxAutoConfiguration.class,
			JdbcLimitsAutoConfiguration.class, LocalMeteringAutoConfiguration.class, MeteringAutoConfiguration.class })
	static class MeteringApplication {

	}

	/** Migrations the application runs itself, once the metering beans are made. */
	@Configuration(proxyBeanMethods = false)
	static class LateMigration {

		@Bean
		@DependsOn({ "meteringJdbcDeliveryQueue", "meteringJdbcUsageLedger", "jdbcLocalMeterProvider" })
		InitializingBean lateMigration(DataSource dataSource) {
			return () -> createSchemaIn(dataSource);
		}

		private static void createSchemaIn(DataSource dataSource) {
			new ResourceDatabasePopulator(new ClassPathResource("META-INF/metering/schema.sql")).execute(dataSource);
		}

	}

}

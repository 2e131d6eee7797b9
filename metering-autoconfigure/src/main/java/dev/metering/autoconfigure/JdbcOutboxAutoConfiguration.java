package dev.metering.autoconfigure;

import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import javax.sql.DataSource;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanWrapper;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DatabaseInitializationDependencyConfigurer;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.metering.provider.MeterCatalog;
import dev.metering.lock.InstanceLock;
import dev.metering.outbox.DeliveryQueue;
import dev.metering.outbox.GroupCommitOutbox;
import dev.metering.outbox.JdbcDeliveryQueue;
import dev.metering.outbox.UndeliveredUsage;
import dev.metering.outbox.UsageOutbox;
import dev.metering.outbox.UsageOutboxes;

/**
 * Auto-configuration of the usage outbox in the application's database (H2 or
 * PostgreSQL), when it has a {@link DataSource} bean and spring-jdbc (spring-boot-jdbc is
 * not needed) and {@code metering.outbox.store} is not {@code memory}: recorded events go
 * through a group commit writer (or straight to the table with
 * {@code metering.outbox.sync}), and the dispatcher and operators read the table.
 *
 * @since 0.1.0
 */
@AutoConfiguration(before = MeteringAutoConfiguration.class,
		afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass(JdbcTemplate.class)
@ConditionalOnBean(DataSource.class)
@ConditionalOnBooleanProperty(name = MeteringProperties.PREFIX + ".enabled", matchIfMissing = true)
@Conditional(JdbcOutboxAutoConfiguration.OutboxInDatabaseCondition.class)
@EnableConfigurationProperties({ MeteringProperties.class, MeteringOutboxProperties.class,
		MeteringDeliveryProperties.class })
@Import({ DatabaseInitializationDependencyConfigurer.class, MeteringSchemaConfiguration.class,
		MeteringInstanceConfiguration.class, InstanceLockConfiguration.class })
public final class JdbcOutboxAutoConfiguration {

	private static final Log logger = LogFactory.getLog(JdbcOutboxAutoConfiguration.class);

	private static final String SYNC = MeteringProperties.PREFIX + ".outbox.sync";

	@Bean
	@ConditionalOnMissingBean(UsageOutbox.class)
	@ConditionalOnBooleanProperty(name = SYNC, havingValue = false, matchIfMissing = true)
	@DependsOnDatabaseInitialization
	GroupCommitOutbox meteringGroupCommitOutbox(MeteringJdbc jdbc, MeteringOutboxProperties outbox,
			MeteringDeliveryProperties delivery, MeterCatalog meters, MeteringInstance instance,
			ObjectProvider<Clock> clock) {
		String prefix = MeteringOutboxProperties.PREFIX;
		// what the dispatcher would merge, the writer stores merged when it writes it
		// together
		Set<String> coalesced = delivery.coalesce() ? meters.summedEventNames() : Set.of();
		return UsageOutboxes.groupCommit(
				UsageOutboxes.inDatabase(jdbc.client(), jdbc.operations(), jdbc.transactions(),
						clock.getIfUnique(Clock::systemUTC), coalesced, instance.id()),
				(int) PropertyChecks.atLeastOne(prefix + ".queue-capacity", outbox.queueCapacity()),
				PropertyChecks.notNegative(prefix + ".commit-interval", outbox.commitInterval()),
				PropertyChecks.notNegative(prefix + ".offer-timeout", outbox.offerTimeout()), PropertyChecks
					.notNegative(MeteringDeliveryProperties.PREFIX + ".shutdown-timeout", delivery.shutdownTimeout()));
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = SYNC)
	@DependsOnDatabaseInitialization
	UsageOutbox meteringJdbcOutbox(MeteringJdbc jdbc, MeteringInstance instance, ObjectProvider<Clock> clock) {
		return UsageOutboxes.inDatabase(jdbc.client(), jdbc.operations(), jdbc.transactions(),
				clock.getIfUnique(Clock::systemUTC), Set.of(), instance.id());
	}

	@Bean
	MeteringTables meteringOutboxTables() {
		return new MeteringTables("outbox", "meteringGroupCommitOutbox", "meteringJdbcOutbox",
				"meteringJdbcDeliveryQueue");
	}

	/**
	 * Counts what the group commit writer still holds as pending, so that a flush waits
	 * for it.
	 */
	@Bean
	@ConditionalOnMissingBean({ DeliveryQueue.class, UndeliveredUsage.class })
	@DependsOnDatabaseInitialization
	JdbcDeliveryQueue meteringJdbcDeliveryQueue(MeteringJdbc jdbc, MeteringOutboxProperties outbox,
			ObjectProvider<GroupCommitOutbox> groupCommit, MeteringInstance instance, InstanceLock lock,
			ObjectProvider<Clock> clock) {
		if (requireSupportedDatabase(jdbc.dataSource()).isH2()) {
			warnIfClosedBeforeShutdown(jdbc.dataSource());
		}
		GroupCommitOutbox writer = groupCommit.getIfAvailable();
		return UsageOutboxes.deliveryQueue(jdbc.client(), jdbc.operations(), jdbc.transactions(), instance.id(),
				PropertyChecks.positive(MeteringOutboxProperties.PREFIX + ".lease", outbox.lease()),
				clock.getIfUnique(Clock::systemUTC), (writer != null) ? writer::queuedCount : () -> 0, lock);
	}

	private static MeteringDatabase requireSupportedDatabase(DataSource dataSource) {
		MeteringDatabase database = MeteringDatabase.of(dataSource);
		if (database.platform() == null) {
			throw new IllegalStateException("The metering outbox supports H2 and PostgreSQL, not " + database.product()
					+ "; set metering.outbox.store=memory or define UsageOutbox, DeliveryQueue and "
					+ "UndeliveredUsage beans");
		}
		return database;
	}

	/**
	 * H2 closes a database as soon as the JVM begins to shut down, unless its URL says
	 * not to: before the application has stopped, so that what the outbox holds then is
	 * not written, and its last deliveries fail. Spring Boot's own embedded URLs say not
	 * to; a URL written by hand rarely does. H2 does not tell its settings, so the URL is
	 * read from the pool or data source that holds it, when it does.
	 */
	private static void warnIfClosedBeforeShutdown(DataSource dataSource) {
		String url = configuredUrl(dataSource);
		if (url != null && !url.toUpperCase(Locale.ROOT).replace(" ", "").contains(";DB_CLOSE_ON_EXIT=FALSE")) {
			// up to the first setting: a URL may carry a password
			logger.warn("The metering outbox is on H2 (" + url.split(";", 2)[0] + "), which closes the database "
					+ "as soon as the JVM begins to shut down, before the application stops: usage recorded in "
					+ "its last moments is lost, and what is stored waits for the next start. Add "
					+ ";DB_CLOSE_ON_EXIT=FALSE to spring.datasource.url");
		}
	}

	/**
	 * The URL a pool ({@code jdbcUrl}) or a plain data source ({@code url}) was given, or
	 * {@code null}.
	 */
	private static @Nullable String configuredUrl(DataSource dataSource) {
		BeanWrapper bean = new BeanWrapperImpl(dataSource);
		for (String property : List.of("jdbcUrl", "url")) {
			if (bean.isReadableProperty(property) && bean.getPropertyValue(property) instanceof String url) {
				return url;
			}
		}
		return null;
	}

	/** {@code metering.outbox.store} is {@code auto} (the default) or {@code jdbc}. */
	static final class OutboxInDatabaseCondition extends AnyNestedCondition {

		OutboxInDatabaseCondition() {
			super(ConfigurationPhase.PARSE_CONFIGURATION);
		}

		@ConditionalOnProperty(name = MeteringProperties.PREFIX + ".outbox.store", havingValue = "auto",
				matchIfMissing = true)
		static final class Auto {

		}

		@ConditionalOnProperty(name = MeteringProperties.PREFIX + ".outbox.store", havingValue = "jdbc")
		static final class Jdbc {

		}

	}

}

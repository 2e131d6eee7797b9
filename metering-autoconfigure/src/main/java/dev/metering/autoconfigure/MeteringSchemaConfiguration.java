package dev.metering.autoconfigure;

import javax.sql.DataSource;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The one initializer of the metering tables, imported by every feature that keeps its state
 * in the database (outbox, usage ledger, local meter): whichever applies first creates all of
 * them, from one script.
 */
@Configuration(proxyBeanMethods = false)
class MeteringSchemaConfiguration {

	@Bean
	@ConditionalOnMissingBean
	MeteringDataSourceScriptDatabaseInitializer meteringDataSourceScriptDatabaseInitializer(DataSource dataSource,
			MeteringProperties properties) {
		return new MeteringDataSourceScriptDatabaseInitializer(dataSource, properties.jdbc().initializeSchema());
	}

}

package dev.metering.autoconfigure;

import javax.sql.DataSource;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;

/**
 * The one initializer of the metering tables, imported by every feature that keeps its
 * state in the database (outbox, usage ledger, local meter, webhook receipts): whichever
 * applies first creates all of them, from one script. And the check, once the
 * application's beans are made, that the tables of the features in use are there, however
 * they were created.
 */
@Configuration(proxyBeanMethods = false)
class MeteringSchemaConfiguration {

	@Bean
	@ConditionalOnMissingBean
	MeteringDataSourceScriptDatabaseInitializer meteringDataSourceScriptDatabaseInitializer(DataSource dataSource,
			MeteringProperties properties) {
		return new MeteringDataSourceScriptDatabaseInitializer(dataSource, properties.jdbc().initializeSchema());
	}

	@Bean
	MeteringSchemaCheck meteringSchemaCheck(DataSource dataSource, MeteringProperties properties,
			ObjectProvider<MeteringTables> tables, ListableBeanFactory beans, ResourceLoader resources) {
		return new MeteringSchemaCheck(dataSource, properties.jdbc().initializeSchema(), tables, beans, resources);
	}

}

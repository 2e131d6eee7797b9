package dev.metering.autoconfigure;

import javax.sql.DataSource;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;

/**
 * The one initializer of the metering tables, imported by every feature that keeps its
 * state in the database (outbox, usage ledger, local meter, webhook receipts): whichever
 * applies first creates all of them, from one script. And the check, once the
 * application's beans are made, that the tables of the features in use are there, however
 * they were created. All of them in the database qualified
 * {@link MeteringDataSource @MeteringDataSource} when the application has one.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(MeteringJdbcProperties.class)
class MeteringSchemaConfiguration {

	/**
	 * The database qualified {@link MeteringDataSource @MeteringDataSource}, else the
	 * application's.
	 */
	@Bean
	MeteringJdbc meteringJdbc(ObjectProvider<DataSource> dataSource,
			@MeteringDataSource ObjectProvider<DataSource> meteringDataSource) {
		return new MeteringJdbc(meteringDataSource.getIfAvailable(dataSource::getObject));
	}

	@Bean
	@ConditionalOnMissingBean
	MeteringDataSourceScriptDatabaseInitializer meteringDataSourceScriptDatabaseInitializer(MeteringJdbc jdbc,
			MeteringJdbcProperties properties) {
		return new MeteringDataSourceScriptDatabaseInitializer(jdbc.dataSource(), properties.initializeSchema());
	}

	@Bean
	MeteringSchemaCheck meteringSchemaCheck(MeteringJdbc jdbc, MeteringJdbcProperties properties,
			ObjectProvider<MeteringTables> tables, ListableBeanFactory beans, ResourceLoader resources) {
		return new MeteringSchemaCheck(jdbc, properties.initializeSchema(), tables, beans, resources);
	}

}

package dev.metering.autoconfigure;

import java.util.Set;

import org.springframework.boot.sql.init.dependency.AbstractBeansOfTypeDatabaseInitializerDetector;
import org.springframework.core.Ordered;

/**
 * Tells Spring Boot that {@link MeteringDataSourceScriptDatabaseInitializer} initializes
 * the database, so that beans marked {@code @DependsOnDatabaseInitialization} (the
 * metering stores, and the application's own) are created after it, with or without
 * spring-boot-jdbc, whose detector knows only its own initializers. Registered in
 * {@code META-INF/spring.factories}.
 */
final class MeteringSchemaInitializerDetector extends AbstractBeansOfTypeDatabaseInitializerDetector {

	/**
	 * The order of spring-boot-jdbc's detector of script initializers, so the scripts run
	 * where they did.
	 */
	private static final int ORDER = Ordered.LOWEST_PRECEDENCE - 100;

	@Override
	protected Set<Class<?>> getDatabaseInitializerBeanTypes() {
		return Set.of(MeteringDataSourceScriptDatabaseInitializer.class);
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

}

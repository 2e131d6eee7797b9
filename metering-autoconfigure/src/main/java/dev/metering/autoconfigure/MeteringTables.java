package dev.metering.autoconfigure;

import java.util.List;

import org.springframework.beans.factory.ListableBeanFactory;

/**
 * The tables of one feature that keeps its state in the database (those
 * {@code schema.sql} marks {@code -- feature: <name>}) and the beans that use them:
 * {@link MeteringSchemaCheck} looks for the tables when one of those beans is defined,
 * and not when the application has replaced them with its own.
 *
 * @param feature the name {@code schema.sql} marks the feature's tables with
 * @param users the types of the beans that read and write the tables; none when the
 * feature is off
 */
record MeteringTables(String feature, List<Class<?>> users) {

	MeteringTables(String feature, Class<?>... users) {
		this(feature, List.of(users));
	}

	boolean inUse(ListableBeanFactory beans) {
		return this.users.stream().anyMatch((type) -> beans.getBeanNamesForType(type, true, false).length > 0);
	}

}

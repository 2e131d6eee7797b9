package dev.metering.autoconfigure;

import java.util.List;

import org.springframework.beans.factory.ListableBeanFactory;

/**
 * The tables of one feature that keeps its state in the database (those
 * {@code schema.sql} marks {@code -- feature: <name>}) and the beans that use them:
 * {@link MeteringSchemaCheck} looks for the tables when one of those beans is defined,
 * and not when the application has replaced them with its own. The beans are named, not
 * typed: their types are internal, and the beans that keep the same feature in memory
 * have other names.
 *
 * @param feature the name {@code schema.sql} marks the feature's tables with
 * @param users the names of the beans that read and write the tables; none when the
 * feature is off
 */
record MeteringTables(String feature, List<String> users) {

	MeteringTables(String feature, String... users) {
		this(feature, List.of(users));
	}

	boolean inUse(ListableBeanFactory beans) {
		return this.users.stream().anyMatch(beans::containsBeanDefinition);
	}

}

package dev.metering.autoconfigure;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.io.ResourceLoader;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Fails start-up when a table of a feature that keeps its state in the database is
 * missing, or older than the starter (a column a later version added), instead of letting
 * every delivery pass, limit check or webhook fail on bad SQL afterwards. It looks once
 * every singleton is made, so after Flyway, Liquibase, the starter's own script or any
 * bean of the application's have run, and before the dispatcher starts: one
 * {@code SELECT * … WHERE 1 = 0} per table, whose columns it compares with those the
 * scripts create ({@link MeteringSchema}).
 */
final class MeteringSchemaCheck implements SmartInitializingSingleton {

	/**
	 * SQLSTATEs of a table that does not exist: PostgreSQL's, and H2's (42S04 in a
	 * database that has no table at all).
	 */
	private static final Set<String> UNDEFINED_TABLE = Set.of("42P01", "42S02", "42S04");

	private final MeteringJdbc jdbc;

	private final DatabaseInitializationMode initializeSchema;

	private final ObjectProvider<MeteringTables> tables;

	private final ListableBeanFactory beans;

	private final ResourceLoader resources;

	MeteringSchemaCheck(MeteringJdbc jdbc, DatabaseInitializationMode initializeSchema,
			ObjectProvider<MeteringTables> tables, ListableBeanFactory beans, ResourceLoader resources) {
		this.jdbc = jdbc;
		this.initializeSchema = initializeSchema;
		this.tables = tables;
		this.beans = beans;
		this.resources = resources;
	}

	@Override
	public void afterSingletonsInstantiated() {
		Set<String> features = this.tables.orderedStream()
			.filter((featureTables) -> featureTables.inUse(this.beans))
			.map(MeteringTables::feature)
			.collect(Collectors.toSet());
		if (features.isEmpty()) {
			return;
		}
		MeteringDatabase database = MeteringDatabase.of(this.jdbc.dataSource());
		List<String> problems = new ArrayList<>();
		for (MeteringSchema.Table table : MeteringSchema.of(this.resources, database).tablesOf(features)) {
			problems.addAll(problems(this.jdbc.client(), table));
		}
		if (!problems.isEmpty()) {
			throw new IncompleteMeteringSchemaException(database, problems, this.initializeSchema);
		}
	}

	private static List<String> problems(JdbcClient jdbc, MeteringSchema.Table table) {
		Set<String> present;
		try {
			// a table's name cannot be a parameter: it is one of the schema script's
			present = jdbc.sql("SELECT * FROM " + table.name() + " WHERE 1 = 0").query(MeteringSchemaCheck::columns);
		}
		catch (DataAccessException ex) {
			return List.of(unreadable(table, ex));
		}
		return table.columns()
			.stream()
			.filter((column) -> !present.contains(column))
			.map((column) -> "column " + table.name() + "." + column + " is missing (" + table.feature() + ")")
			.toList();
	}

	/**
	 * Why a table could not be read: it does not exist, or the database refused the query
	 * for another reason of the same class (a privilege, say), in its own words.
	 * @throws DataAccessException when the database failed otherwise (it is down, say)
	 */
	private static String unreadable(MeteringSchema.Table table, DataAccessException ex) {
		if (!(NestedExceptionUtils.getMostSpecificCause(ex) instanceof SQLException sql) || sql.getSQLState() == null
				|| !sql.getSQLState().startsWith("42")) {
			throw ex;
		}
		if (UNDEFINED_TABLE.contains(sql.getSQLState())) {
			return "table " + table.name() + " is missing (" + table.feature() + ")";
		}
		return "table " + table.name() + " cannot be read (" + table.feature() + "): "
				+ Objects.toString(sql.getMessage(), "").lines().findFirst().orElse("");
	}

	private static Set<String> columns(ResultSet rows) throws SQLException {
		ResultSetMetaData metaData = rows.getMetaData();
		Set<String> columns = new HashSet<>();
		for (int i = 1; i <= metaData.getColumnCount(); i++) {
			columns.add(metaData.getColumnName(i).toLowerCase(Locale.ROOT));
		}
		return columns;
	}

}

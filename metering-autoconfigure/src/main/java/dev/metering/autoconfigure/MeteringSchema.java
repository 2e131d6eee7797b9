package dev.metering.autoconfigure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.StreamUtils;

/**
 * The tables and columns the metering scripts create, read from the scripts themselves so
 * that what the start-up check looks for never drifts from what they create: each
 * {@code CREATE TABLE} with its columns, under the feature its {@code -- feature: <name>}
 * line names, and each column an {@code ALTER TABLE … ADD COLUMN} adds to it later. Other
 * statements (indexes, changes to a column) add nothing to look for.
 */
final class MeteringSchema {

	private static final Pattern FEATURE = Pattern.compile("--\\s*feature:\\s*([a-z][a-z-]*)\\s*");

	private static final Pattern CREATE_TABLE = Pattern.compile("CREATE TABLE (?:IF NOT EXISTS )?(\\w+) ?\\((.*)\\)",
			Pattern.CASE_INSENSITIVE);

	private static final Pattern ADD_COLUMN = Pattern.compile(
			"ALTER TABLE (?:IF EXISTS )?(\\w+) ADD COLUMN (?:IF NOT EXISTS )?(\\w+)\\b.*", Pattern.CASE_INSENSITIVE);

	/** The first words of the parts of a table's definition that are not columns. */
	private static final Set<String> CONSTRAINTS = Set.of("primary", "unique", "constraint", "foreign", "check");

	private final Map<String, Table> tables;

	private MeteringSchema(Map<String, Table> tables) {
		this.tables = new LinkedHashMap<>();
		tables.forEach((name, table) -> this.tables.put(name,
				new Table(name, table.feature(), Collections.unmodifiableSet(table.columns()))));
	}

	/**
	 * The schema the starter's scripts create in a database: {@code schema.sql}, then the
	 * database's own script when there is one.
	 */
	static MeteringSchema of(ResourceLoader resources, MeteringDatabase database) {
		List<Resource> scripts = new ArrayList<>(
				List.of(resources.getResource(MeteringDataSourceScriptDatabaseInitializer.SCHEMA_LOCATION)));
		if (database.platform() != null) {
			String location = MeteringDataSourceScriptDatabaseInitializer.PLATFORM_SCHEMA_LOCATION;
			Resource platform = resources.getResource(location.formatted(database.platform()));
			if (platform.exists()) {
				scripts.add(platform);
			}
		}
		return read(scripts);
	}

	/**
	 * Reads scripts in the order they run.
	 * @throws IllegalStateException when a table has no feature, or a column is added to
	 * a table no script creates
	 */
	static MeteringSchema read(List<Resource> scripts) {
		Reader reader = new Reader();
		for (Resource script : scripts) {
			reader.read(script);
		}
		return new MeteringSchema(reader.tables);
	}

	/** The features the scripts name. */
	Set<String> features() {
		Set<String> features = new LinkedHashSet<>();
		this.tables.values().forEach((table) -> features.add(table.feature()));
		return features;
	}

	/** The tables of some features, in the order the scripts create them. */
	List<Table> tablesOf(Set<String> features) {
		return this.tables.values().stream().filter((table) -> features.contains(table.feature())).toList();
	}

	/**
	 * A table as the scripts leave it.
	 *
	 * @param name its name, in lower case
	 * @param feature the feature that keeps its state in it
	 * @param columns its columns, in lower case
	 */
	record Table(String name, String feature, Set<String> columns) {
	}

	/** Reads statements line by line, carrying the feature named for the next table. */
	private static final class Reader {

		private final Map<String, Table> tables = new LinkedHashMap<>();

		private @Nullable String feature;

		void read(Resource script) {
			this.feature = null;
			StringBuilder statement = new StringBuilder();
			for (String line : text(script).lines().toList()) {
				Matcher tag = FEATURE.matcher(line.strip());
				if (tag.matches()) {
					this.feature = tag.group(1);
					continue;
				}
				int comment = line.indexOf("--");
				statement.append((comment >= 0) ? line.substring(0, comment) : line).append(' ');
				for (int end = statement.indexOf(";"); end >= 0; end = statement.indexOf(";")) {
					statement(script, statement.substring(0, end).strip().replaceAll("\\s+", " "));
					statement.delete(0, end + 1);
				}
			}
		}

		private void statement(Resource script, String statement) {
			Matcher create = CREATE_TABLE.matcher(statement);
			if (create.matches()) {
				String table = create.group(1).toLowerCase(Locale.ROOT);
				if (this.feature == null) {
					throw new IllegalStateException(script.getDescription() + ": CREATE TABLE " + table
							+ " has no line '-- feature: <name>' before it, naming the feature that uses it");
				}
				this.tables.put(table, new Table(table, this.feature, columns(create.group(2))));
				this.feature = null;
				return;
			}
			Matcher add = ADD_COLUMN.matcher(statement);
			if (add.matches()) {
				Table table = this.tables.get(add.group(1).toLowerCase(Locale.ROOT));
				if (table == null) {
					throw new IllegalStateException(script.getDescription() + ": ADD COLUMN " + add.group(2) + " to "
							+ add.group(1) + ", which no script creates before");
				}
				table.columns().add(add.group(2).toLowerCase(Locale.ROOT));
			}
		}

		/**
		 * The columns of a table's definition: its parts, split at the commas between
		 * them.
		 */
		private static Set<String> columns(String definition) {
			Set<String> columns = new LinkedHashSet<>();
			int depth = 0;
			int start = 0;
			for (int i = 0; i <= definition.length(); i++) {
				char c = (i < definition.length()) ? definition.charAt(i) : ',';
				depth += (c == '(') ? 1 : (c == ')') ? -1 : 0;
				if (c == ',' && depth == 0) {
					String name = definition.substring(start, i).strip().split(" ", 2)[0].toLowerCase(Locale.ROOT);
					if (!CONSTRAINTS.contains(name)) {
						columns.add(name);
					}
					start = i + 1;
				}
			}
			return columns;
		}

		private static String text(Resource script) {
			try {
				return StreamUtils.copyToString(script.getInputStream(), StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Could not read " + script.getDescription(), ex);
			}
		}

	}

}

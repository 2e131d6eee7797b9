package dev.metering.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import javax.sql.DataSource;

/**
 * Statements one database of the embedded PostgreSQL ran, from {@code pg_stat_statements}
 * (loaded at the server's start), by the part of metering whose tables they touch, and
 * its commits from {@code pg_stat_database}.
 */
final class PostgresStatements {

	static final String LEDGER = "ledger";

	static final String OUTBOX = "outbox";

	static final String OTHER_METERING = "other metering tables";

	static final String OTHER = "other (transactions, set-up)";

	static final String COMMITS = "commits";

	private final DataSource server;

	private final String database;

	private long commitsBefore;

	/**
	 * @param server a data source of the server's {@code postgres} database, in which the
	 * extension is created
	 * @param database the database whose statements are counted
	 */
	PostgresStatements(DataSource server, String database) throws SQLException {
		this.server = server;
		this.database = database;
		try (Connection connection = server.getConnection(); Statement statement = connection.createStatement()) {
			statement.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
		}
	}

	/** Counts from now on. */
	void reset() throws SQLException {
		try (Connection connection = this.server.getConnection(); Statement statement = connection.createStatement()) {
			statement.execute("SELECT pg_stat_statements_reset()");
		}
		this.commitsBefore = commits();
	}

	/** Statements by part, and commits, since {@link #reset()}. */
	Map<String, Long> read() throws SQLException {
		Map<String, Long> counts = new TreeMap<>();
		try (Connection connection = this.server.getConnection();
				PreparedStatement statements = connection
					.prepareStatement("SELECT query, calls FROM pg_stat_statements "
							+ "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = ?)")) {
			statements.setString(1, this.database);
			try (ResultSet rows = statements.executeQuery()) {
				while (rows.next()) {
					counts.merge(part(rows.getString(1)), rows.getLong(2), Long::sum);
				}
			}
		}
		counts.put(COMMITS, commits() - this.commitsBefore);
		return counts;
	}

	private long commits() throws SQLException {
		try (Connection connection = this.server.getConnection();
				PreparedStatement commits = connection
					.prepareStatement("SELECT xact_commit FROM pg_stat_database WHERE datname = ?")) {
			commits.setString(1, this.database);
			try (ResultSet rows = commits.executeQuery()) {
				return rows.next() ? rows.getLong(1) : 0;
			}
		}
	}

	private static String part(String query) {
		String lower = query.toLowerCase(Locale.ROOT);
		if (lower.contains("metering_usage_ledger") || lower.contains("metering_ledger_hold")
				|| lower.contains("metering_usage_threshold")) {
			return LEDGER;
		}
		if (lower.contains("metering_usage_event")) {
			return OUTBOX;
		}
		return lower.contains("metering_") ? OTHER_METERING : OTHER;
	}

}

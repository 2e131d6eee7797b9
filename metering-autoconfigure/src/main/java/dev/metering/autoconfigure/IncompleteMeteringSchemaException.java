package dev.metering.autoconfigure;

import java.util.List;

import org.springframework.boot.sql.init.DatabaseInitializationMode;

/**
 * Thrown at start-up when tables or columns that metering's features in use need are not
 * in the application's database; {@link IncompleteMeteringSchemaFailureAnalyzer} says how
 * to create them.
 */
final class IncompleteMeteringSchemaException extends IllegalStateException {

	private final String database;

	private final List<String> problems;

	private final DatabaseInitializationMode initializeSchema;

	private final boolean inMemory;

	IncompleteMeteringSchemaException(MeteringDatabase database, List<String> problems,
			DatabaseInitializationMode initializeSchema) {
		super("The metering tables in " + database.product() + " are missing or out of date: "
				+ String.join("; ", problems));
		this.database = database.product();
		this.problems = List.copyOf(problems);
		this.initializeSchema = initializeSchema;
		this.inMemory = database.inMemory();
	}

	/** The database product, as its driver names it. */
	public String getDatabase() {
		return this.database;
	}

	/**
	 * What is missing, one table or column each, e.g.
	 * {@code column metering_usage_event.subject_id is missing (outbox)}.
	 */
	public List<String> getProblems() {
		return this.problems;
	}

	/** {@code metering.jdbc.initialize-schema}, which did not create them. */
	public DatabaseInitializationMode getInitializeSchema() {
		return this.initializeSchema;
	}

	/** Whether the database lives in memory, which {@code embedded} initializes. */
	public boolean isInMemory() {
		return this.inMemory;
	}

}

package dev.metering.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a start-up that found metering tables missing or out of date: which ones, why
 * the starter did not create them, and the two ways to have them, the starter's script at
 * every start or the application's own migrations.
 */
class IncompleteMeteringSchemaFailureAnalyzer extends AbstractFailureAnalyzer<IncompleteMeteringSchemaException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, IncompleteMeteringSchemaException cause) {
		String lineSeparator = System.lineSeparator();
		StringBuilder description = new StringBuilder("Spring AI Metering's tables in the application's database ("
				+ cause.getDatabase() + ") are missing or out of date:" + lineSeparator + lineSeparator);
		cause.getProblems().forEach((problem) -> description.append("\t- ").append(problem).append(lineSeparator));
		description.append(lineSeparator).append(why(cause));
		return new FailureAnalysis(description.toString(), "Create or upgrade them before the application starts: "
				+ "set metering.jdbc.initialize-schema=always, so that the starter runs META-INF/metering/schema.sql "
				+ "(in the metering-autoconfigure jar; safe to run again, it adds what later versions need) at every "
				+ "start, or copy META-INF/metering/schema.sql into your Flyway or Liquibase migrations (the "
				+ "additions of a later version as a new migration).", cause);
	}

	private static String why(IncompleteMeteringSchemaException cause) {
		return switch (cause.getInitializeSchema()) {
			case NEVER -> "metering.jdbc.initialize-schema is never, so the starter does not create or upgrade them.";
			case EMBEDDED -> cause.isInMemory()
					? "metering.jdbc.initialize-schema is embedded, yet the starter's script did not create them."
					: "metering.jdbc.initialize-schema is embedded, which creates them in in-memory databases only, "
							+ "and this one is not.";
			case ALWAYS -> "metering.jdbc.initialize-schema is always, yet the starter's script did not create them "
					+ "where the application's database user sees them.";
		};
	}

}

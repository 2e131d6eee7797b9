package dev.metering.autoconfigure;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.sql.init.DatabaseInitializationMode;

/**
 * Configuration of the database that keeps the outbox.
 *
 * @param initializeSchema When to create the metering tables at start-up if they are
 * missing: "embedded" for an in-memory database only, "always", or "never" when the
 * application's own migrations create them.
 * @since 0.1.0
 */
@ConfigurationProperties("metering.jdbc")
public record MeteringJdbcProperties(@DefaultValue("embedded") DatabaseInitializationMode initializeSchema) {

}

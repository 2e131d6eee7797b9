package dev.metering.provider.local;

import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;

/**
 * The local meter in an H2 file, as the sample keeps it.
 */
class H2DurableLocalMeterTests extends DurableLocalMeterContract {

	@TempDir
	Path directory;

	@Override
	String[] dataSourceProperties() {
		return new String[] {
				"spring.datasource.url=jdbc:h2:file:" + this.directory.resolve("metering") + ";WRITE_DELAY=0" };
	}

}

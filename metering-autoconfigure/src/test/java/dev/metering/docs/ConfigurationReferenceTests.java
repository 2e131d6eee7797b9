package dev.metering.docs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docs/configuration.md} is what {@link ConfigurationReference} renders from the
 * configuration metadata on the class path: a property added, renamed or described anew
 * fails the build until the page is regenerated. With {@code -Dmetering.docs.write=true}
 * the test writes the page instead.
 */
class ConfigurationReferenceTests {

	@Test
	void theConfigurationReferenceIsTheMetadataRendered() throws IOException {
		String rendered = ConfigurationReference.render(ConfigurationReference.metadataOnClassPath());
		if (Boolean.getBoolean("metering.docs.write")) {
			Files.writeString(ConfigurationReference.PAGE, rendered, StandardCharsets.UTF_8);
		}
		String onDisk = Files.exists(ConfigurationReference.PAGE)
				? Files.readString(ConfigurationReference.PAGE, StandardCharsets.UTF_8) : "";
		assertThat(onDisk)
			.as("docs/configuration.md is stale: regenerate it from the module's metadata with %s",
					ConfigurationReference.REGENERATE)
			.isEqualTo(rendered);
	}

	@Test
	void typesAreShownWithSimpleNames() {
		assertThat(ConfigurationReference.type("java.util.Map<java.lang.String,dev.metering.Outer$Inner>"))
			.isEqualTo("Map<String, Inner>");
		assertThat(ConfigurationReference.type("java.time.Duration")).isEqualTo("Duration");
	}

	@Test
	void cellTextIsOneLineWithItsPipesEscaped() {
		assertThat(ConfigurationReference.text("a | b\n  c <d>")).isEqualTo("a \\| b c &lt;d&gt;");
	}

}

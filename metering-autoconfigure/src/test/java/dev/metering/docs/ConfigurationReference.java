package dev.metering.docs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Renders {@code docs/configuration.md}, the configuration reference, from the metadata
 * that {@code spring-boot-configuration-processor} writes at compile time
 * ({@code META-INF/spring-configuration-metadata.json}, merged with
 * {@code additional-spring-configuration-metadata.json}): one table per group of
 * properties, each property with its type, default and description, and the values its
 * hints name. {@code ConfigurationReferenceTests} fails when the page on disk is not what
 * this renders.
 */
public final class ConfigurationReference {

	/** The page, from the module's directory, where Maven runs the tests. */
	static final Path PAGE = Path.of("..", "docs", "configuration.md");

	static final String METADATA = "META-INF/spring-configuration-metadata.json";

	static final String REGENERATE = "./mvnw -pl metering-autoconfigure test -Dtest=ConfigurationReferenceTests "
			+ "-Dmetering.docs.write=true";

	private static final String INTRO = """
			# Configuration reference

			Every property of the starter, with its type, default and description, as an IDE shows them.
			This page is generated from the configuration metadata that `spring-boot-configuration-processor`
			writes when the starter is compiled (`META-INF/spring-configuration-metadata.json`: the
			properties' Javadoc, merged with `additional-spring-configuration-metadata.json`); do not edit
			it by hand. `ConfigurationReferenceTests` fails when it is stale; regenerate it with:

			```shell
			%s
			```

			The entries of `metering.meters`, `metering.accounts` and `metering.plans`, which the metadata
			knows only as maps, and the checks made at start-up are in
			[How it works → Configuration](how-it-works.md#configuration).
			""".formatted(REGENERATE);

	/** A qualified Java type name, of which only the simple name is shown. */
	private static final Pattern QUALIFIED_NAME = Pattern.compile("[\\w$]+(?:\\.[\\w$]+)*");

	private static final String ALL_KEYS = ".*";

	private ConfigurationReference() {
	}

	/**
	 * Writes the reference from the metadata on the class path.
	 * @param args the page to write, {@code ../docs/configuration.md} (from the module's
	 * directory) when none is given
	 * @throws IOException when the page cannot be written
	 */
	public static void main(String[] args) throws IOException {
		Path page = (args.length > 0) ? Path.of(args[0]) : PAGE;
		Files.writeString(page, render(metadataOnClassPath()), StandardCharsets.UTF_8);
	}

	/**
	 * The starter's metadata: of the class path's metadata files (every Spring Boot
	 * module has one), the one that describes {@code metering.*} properties.
	 * @return the metadata's JSON
	 */
	static JsonNode metadataOnClassPath() {
		JsonMapper json = JsonMapper.builder().build();
		List<JsonNode> found = new ArrayList<>();
		try {
			for (URL url : Collections.list(ConfigurationReference.class.getClassLoader().getResources(METADATA))) {
				try (InputStream in = url.openStream()) {
					JsonNode metadata = json.readTree(in);
					if (metadata.path("properties")
						.values()
						.stream()
						.anyMatch((property) -> property.path("name").asString().startsWith("metering."))) {
						found.add(metadata);
					}
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		if (found.size() != 1) {
			throw new IllegalStateException(
					"Expected one " + METADATA + " with metering properties on the class path, found " + found.size()
							+ ": compile metering-autoconfigure first");
		}
		return found.get(0);
	}

	/**
	 * Renders the reference.
	 * @param metadata the metadata's JSON
	 * @return the page, Markdown with a line feed at the end of every line
	 */
	static String render(JsonNode metadata) {
		Map<String, JsonNode> hints = new TreeMap<>();
		for (JsonNode hint : metadata.path("hints").values()) {
			hints.put(hint.path("name").asString(), hint);
		}
		List<String> groupNames = metadata.path("groups")
			.values()
			.stream()
			.map((group) -> group.path("name").asString())
			.toList();
		Map<String, List<JsonNode>> groups = new TreeMap<>();
		for (JsonNode property : metadata.path("properties").values()) {
			String name = property.path("name").asString();
			groups.computeIfAbsent(groupOf(name, groupNames), (group) -> new ArrayList<>()).add(property);
		}
		StringBuilder page = new StringBuilder(INTRO);
		groups.forEach((group, properties) -> {
			page.append("\n## `").append(group).append("`\n\n");
			page.append("| property | type | default | description |\n");
			page.append("|---|---|---|---|\n");
			properties.stream()
				.sorted(Comparator.comparing((JsonNode property) -> property.path("name").asString()))
				.forEach((property) -> page.append(row(property, hints.get(property.path("name").asString()))));
		});
		List<JsonNode> entryHints = hints.values()
			.stream()
			.filter((hint) -> hint.path("name").asString().contains(".values."))
			.toList();
		if (!entryHints.isEmpty()) {
			page.append("\n## Values of map entries\n\n");
			page.append("Properties of each entry of a map (`*` stands for its key) whose values are named.\n\n");
			page.append("| property | values |\n");
			page.append("|---|---|\n");
			for (JsonNode hint : entryHints) {
				String name = hint.path("name").asString().replace(".values.", ALL_KEYS + ".");
				page.append("| `").append(name).append("` | ").append(values(hint).substring("<br>".length()));
				page.append(" |\n");
			}
		}
		return page.toString();
	}

	/**
	 * The longest group name the property's name starts with, else its name without its
	 * last part.
	 */
	private static String groupOf(String name, List<String> groupNames) {
		return groupNames.stream()
			.filter((group) -> name.startsWith(group + "."))
			.max(Comparator.comparingInt(String::length))
			.orElse(name.substring(0, Math.max(name.lastIndexOf('.'), 0)));
	}

	private static String row(JsonNode property, JsonNode hint) {
		StringBuilder description = new StringBuilder();
		JsonNode deprecation = property.path("deprecation");
		if (!deprecation.isMissingNode()) {
			description.append("Deprecated");
			if (deprecation.hasNonNull("replacement")) {
				description.append(", use `").append(deprecation.path("replacement").asString()).append('`');
			}
			description.append(". ");
			if (deprecation.hasNonNull("reason")) {
				description.append(text(deprecation.path("reason").asString())).append(' ');
			}
		}
		description.append(text(property.path("description").asString("")));
		if (hint != null) {
			description.append(values(hint));
		}
		return "| `" + property.path("name").asString() + "` | " + code(type(property.path("type").asString("")))
				+ " | " + code(defaultValue(property.path("defaultValue"))) + " | " + description.toString().strip()
				+ " |\n";
	}

	/** The hint's values, each on a line of its own, with what it means. */
	private static String values(JsonNode hint) {
		StringBuilder values = new StringBuilder();
		for (JsonNode value : hint.path("values").values()) {
			values.append("<br>`").append(value.path("value").asString()).append('`');
			String description = text(value.path("description").asString(""));
			if (!description.isEmpty()) {
				values.append(": ").append(description);
			}
		}
		return values.toString();
	}

	/** A Java type with simple names: {@code Map<String, Account>}. */
	static String type(String type) {
		Matcher name = QUALIFIED_NAME.matcher(type);
		StringBuilder simple = new StringBuilder();
		while (name.find()) {
			String qualified = name.group();
			String last = qualified.substring(qualified.lastIndexOf('.') + 1);
			name.appendReplacement(simple, Matcher.quoteReplacement(last.substring(last.lastIndexOf('$') + 1)));
		}
		name.appendTail(simple);
		return simple.toString().replace(",", ", ");
	}

	private static String defaultValue(JsonNode value) {
		if (value.isMissingNode() || value.isNull()) {
			return "";
		}
		if (value.isArray()) {
			return String.join(", ", value.values().stream().map(JsonNode::asString).toList());
		}
		return value.asString();
	}

	private static String code(String text) {
		return text.isEmpty() ? "" : "`" + text.replace("|", "\\|") + "`";
	}

	/** Text for a table cell: one line, its pipes and angle brackets escaped. */
	static String text(String text) {
		return text.replaceAll("\\s+", " ")
			.strip()
			.replace("&", "&amp;")
			.replace("<", "&lt;")
			.replace(">", "&gt;")
			.replace("|", "\\|");
	}

}

package dev.metering;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The library's public surface: every public type outside {@code dev.metering} is listed
 * in {@code public-types.txt}, so that a type made public by mistake fails the build, and
 * every public type of the API says since when it is there.
 */
class PublicApiTests {

	private static final String API = "api";

	private static final String FACTORIES = "factories";

	private static final String SERVICE_LOADED = "service-loaded";

	private static final JavaClasses LIBRARY = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.metering");

	private static final Pattern SECTION = Pattern.compile("^\\[(.+)]$");

	private final Set<String> publicTypes = publicTopLevelTypes();

	private final Map<String, Set<String>> listed = listedTypes();

	@Test
	void everyPublicTypeOutsideTheRootPackageIsListed() {
		Set<String> unlisted = new TreeSet<>(this.publicTypes);
		unlisted.removeIf((type) -> packageOf(type).equals("dev.metering"));
		this.listed.values().forEach(unlisted::removeAll);
		assertThat(unlisted)
			.as("public types not in public-types.txt: make them package-private, or list them "
					+ "under [api] when applications may use or replace them")
			.isEmpty();
	}

	@Test
	void everyListedTypeIsPublic() {
		Set<String> notPublic = new TreeSet<>();
		this.listed.values().forEach(notPublic::addAll);
		notPublic.removeAll(this.publicTypes);
		assertThat(notPublic).as("types listed in public-types.txt that are not public: take them off the list")
			.isEmpty();
	}

	@Test
	void everyTypeOfTheApiSaysSinceWhenItIsThere() throws IOException {
		Set<String> api = new TreeSet<>(this.listed.get(API));
		api.addAll(this.listed.get(FACTORIES));
		this.publicTypes.stream().filter((type) -> packageOf(type).equals("dev.metering")).forEach(api::add);
		List<String> withoutSince = new ArrayList<>();
		for (String type : api) {
			if (!javadocOf(type).contains("@since ")) {
				withoutSince.add(type);
			}
		}
		assertThat(withoutSince).as("public types whose Javadoc has no @since").isEmpty();
	}

	/**
	 * A bean backs off for the application's own only where the application may name its
	 * type: the API, Spring's and other libraries' types, and the auto-configurations'
	 * own arrangements.
	 */
	@Test
	void beansBackOffOnlyForTypesApplicationsMayReplace() {
		Set<String> replaceable = this.listed.get(API);
		List<String> internal = new ArrayList<>();
		for (JavaClass type : LIBRARY) {
			for (JavaMethod method : type.getMethods()) {
				if (!method.isAnnotatedWith(ConditionalOnMissingBean.class)) {
					continue;
				}
				for (String named : namedTypes(method)) {
					if (named.startsWith("dev.metering.") && !packageOf(named).equals("dev.metering")
							&& !packageOf(named).equals("dev.metering.autoconfigure") && !replaceable.contains(named)) {
						internal.add(method.getFullName() + " backs off for " + named);
					}
				}
			}
		}
		assertThat(internal).as("beans that back off for a type applications cannot replace").isEmpty();
	}

	private static List<String> namedTypes(JavaMethod method) {
		ConditionalOnMissingBean condition = method.getAnnotationOfType(ConditionalOnMissingBean.class);
		List<String> named = new ArrayList<>();
		Arrays.stream(condition.value()).map(Class::getName).forEach(named::add);
		named.addAll(Arrays.asList(condition.type()));
		if (named.isEmpty() && condition.name().length == 0 && condition.annotation().length == 0) {
			named.add(method.getRawReturnType().getName());
		}
		return named;
	}

	private static Set<String> publicTopLevelTypes() {
		Set<String> types = new TreeSet<>();
		for (JavaClass type : LIBRARY) {
			if (type.isTopLevelClass() && type.getModifiers().contains(JavaModifier.PUBLIC)
					&& !type.getSimpleName().equals("package-info")) {
				types.add(type.getName());
			}
		}
		return types;
	}

	private static Map<String, Set<String>> listedTypes() {
		Map<String, Set<String>> sections = new LinkedHashMap<>();
		sections.put(API, new TreeSet<>());
		sections.put(FACTORIES, new TreeSet<>());
		sections.put(SERVICE_LOADED, new TreeSet<>());
		try (InputStream input = PublicApiTests.class.getResourceAsStream("public-types.txt")) {
			Set<String> section = null;
			for (String line : new String(input.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
				String entry = line.strip();
				Matcher heading = SECTION.matcher(entry);
				if (heading.matches()) {
					section = sections.get(heading.group(1));
				}
				else if (!entry.isEmpty() && !entry.startsWith("#")) {
					section.add(entry);
				}
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		return sections;
	}

	/** The Javadoc just before the type's declaration in its source file. */
	private static String javadocOf(String type) throws IOException {
		String source = Files.readString(Path.of("src/main/java", type.replace('.', '/') + ".java"));
		Matcher declaration = Pattern
			.compile("(?m)^public .*(class|interface|record|enum) "
					+ Pattern.quote(type.substring(type.lastIndexOf('.') + 1)) + "\\b")
			.matcher(source);
		if (!declaration.find()) {
			return "";
		}
		String before = source.substring(0, declaration.start());
		int start = before.lastIndexOf("/**");
		int end = before.lastIndexOf("*/");
		return (start >= 0 && end > start) ? before.substring(start, end) : "";
	}

	private static String packageOf(String type) {
		return type.substring(0, type.lastIndexOf('.'));
	}

}

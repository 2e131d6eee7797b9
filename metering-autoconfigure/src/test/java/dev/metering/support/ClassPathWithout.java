package dev.metering.support;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

import org.springframework.boot.test.context.FilteredClassLoader;

/**
 * A class path without some of Spring's modules, as far as an application context can
 * tell: Spring Boot's {@link FilteredClassLoader} hiding their packages, and their jars'
 * resources too, since a {@code META-INF/spring.factories} that names hidden classes
 * would fail the context where an application without the module never sees it.
 */
public final class ClassPathWithout extends FilteredClassLoader {

	private final List<String> jars;

	private ClassPathWithout(List<String> jars, String... packages) {
		super(packages);
		this.jars = jars;
	}

	/**
	 * Without spring-boot-jdbc: no DataSourceAutoConfiguration, DatabaseDriver or script
	 * initializers.
	 */
	public static ClassPathWithout springBootJdbc() {
		return new ClassPathWithout(List.of("spring-boot-jdbc-"), "org.springframework.boot.jdbc.");
	}

	/** Without spring-jdbc, and so without spring-boot-jdbc, which needs it. */
	public static ClassPathWithout springJdbc() {
		return new ClassPathWithout(List.of("spring-jdbc-", "spring-boot-jdbc-"), "org.springframework.jdbc.",
				"org.springframework.boot.jdbc.");
	}

	@Override
	public Enumeration<URL> getResources(String name) throws IOException {
		List<URL> urls = Collections.list(super.getResources(name));
		urls.removeIf(this::inHiddenJar);
		return Collections.enumeration(urls);
	}

	private boolean inHiddenJar(URL url) {
		String path = url.getPath();
		return this.jars.stream().anyMatch((jar) -> path.contains("/" + jar));
	}

}

package dev.metering.support;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.ImportCandidates;

/**
 * Every auto-configuration the starter registers, as an application would get them, for
 * {@code ApplicationContextRunner} tests.
 */
public final class MeteringAutoConfigurations {

	private MeteringAutoConfigurations() {
	}

	/**
	 * The starter's auto-configurations, plus {@code others} (e.g. Boot's DataSource).
	 */
	public static AutoConfigurations with(Class<?>... others) {
		List<Class<?>> classes = new ArrayList<>(List.of(others));
		ClassLoader classLoader = MeteringAutoConfigurations.class.getClassLoader();
		for (String name : ImportCandidates.load(AutoConfiguration.class, classLoader)) {
			if (name.startsWith("dev.metering.")) {
				try {
					classes.add(Class.forName(name, false, classLoader));
				}
				catch (ClassNotFoundException ex) {
					throw new IllegalStateException(ex);
				}
			}
		}
		return AutoConfigurations.of(classes.toArray(Class<?>[]::new));
	}

}

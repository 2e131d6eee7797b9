package dev.metering;

import java.util.List;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

/**
 * The library's packages form one-way layers: a package uses its own classes and those of
 * the layers below it, never those of its own layer's other packages or of a layer above.
 * The layers of docs/architecture.md draw the same picture.
 */
class PackageLayeringTests {

	/** Bottom first. */
	static final List<List<String>> LAYERS = List.of(List.of("dev.metering"),
			List.of("dev.metering.provider", "dev.metering.lock"),
			List.of("dev.metering.provider.local", "dev.metering.provider.stripe", "dev.metering.provider.polar",
					"dev.metering.provider.metronome", "dev.metering.outbox", "dev.metering.limits",
					"dev.metering.pricing", "dev.metering.balance"),
			List.of("dev.metering.delivery", "dev.metering.reconcile"), List.of("dev.metering.billing"),
			List.of("dev.metering.admin", "dev.metering.web", "dev.metering.metrics", "dev.metering.webhook"),
			List.of("dev.metering.actuate"), List.of("dev.metering.autoconfigure"),
			// the metering-test module's, for the tests of applications
			List.of("dev.metering.test"));

	private final JavaClasses library = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.metering");

	@Test
	void noPackageUsesOneAboveItOrBesideIt() {
		classes().should(useOnlyTheirPackageAndLayersBelow()).check(this.library);
	}

	private static ArchCondition<JavaClass> useOnlyTheirPackageAndLayersBelow() {
		return new ArchCondition<>("use only their own package and the layers below it") {

			@Override
			public void check(JavaClass item, ConditionEvents events) {
				int layer = layerOf(item.getPackageName());
				if (layer < 0) {
					events.add(SimpleConditionEvent.violated(item,
							item.getPackageName() + " is in no layer: add it to PackageLayeringTests.LAYERS and the "
									+ "layers of docs/architecture.md"));
					return;
				}
				for (Dependency dependency : item.getDirectDependenciesFromSelf()) {
					String target = dependency.getTargetClass().getPackageName();
					if (!inLibrary(target) || target.equals(item.getPackageName())) {
						continue;
					}
					int targetLayer = layerOf(target);
					if (targetLayer < 0 || targetLayer >= layer) {
						events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()
								+ ((targetLayer == layer) ? " (same layer)" : " (a layer above, or none)")));
					}
				}
			}

		};
	}

	/** The layer of a package, or -1 when no layer holds it. */
	static int layerOf(String packageName) {
		for (int i = 0; i < LAYERS.size(); i++) {
			if (LAYERS.get(i).contains(packageName)) {
				return i;
			}
		}
		return -1;
	}

	static boolean inLibrary(String packageName) {
		return packageName.equals("dev.metering") || packageName.startsWith("dev.metering.");
	}

}

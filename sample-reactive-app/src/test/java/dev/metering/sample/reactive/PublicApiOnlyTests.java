package dev.metering.sample.reactive;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The sample app is what users copy: it uses the library only through its public API, the
 * package {@code dev.metering}.
 */
class PublicApiOnlyTests {

	private final JavaClasses sample = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.metering.sample.reactive");

	@Test
	void theSampleUsesNothingOfTheLibraryButItsPublicApi() {
		noClasses().should()
			.dependOnClassesThat(resideInAPackage("dev.metering..").and(not(resideInAPackage("dev.metering")))
				.and(not(resideInAPackage("dev.metering.sample.reactive.."))))
			.check(this.sample);
	}

}

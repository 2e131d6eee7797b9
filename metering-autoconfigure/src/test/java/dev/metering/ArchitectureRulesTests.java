package dev.metering;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaConstructor;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;

import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.util.ResourceUtils;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.members;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The conventions of Spring Boot's own modules that fit a starter, checked on the
 * library's classes as Spring Boot's build checks its own (beside
 * {@link PackageLayeringTests}).
 */
@TestInstance(Lifecycle.PER_CLASS)
class ArchitectureRulesTests {

	/** Read once for all rules: reading the classes is what takes time. */
	private final JavaClasses library = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.metering");

	/**
	 * Nullness is declared, and NullAway checks it in the build, only in packages marked
	 * {@code @NullMarked}: a package without it would escape the check.
	 */
	@Test
	void packagesAreNullMarked() {
		classes().should(beInANullMarkedPackage()).check(this.library);
	}

	@Test
	void autoConfigurationsArePublicAndFinal() {
		classes().that()
			.areAnnotatedWith(AutoConfiguration.class)
			.should()
			.bePublic()
			.andShould()
			.haveModifier(JavaModifier.FINAL)
			.check(this.library);
	}

	/**
	 * What an auto-configuration declares is for Spring to call, not for applications.
	 */
	@Test
	void autoConfigurationsHaveNoPublicMembers() {
		members().that()
			.areDeclaredInClassesThat()
			.areAnnotatedWith(AutoConfiguration.class)
			.and(DescribedPredicate.not(defaultConstructors()))
			.and(DescribedPredicate.not(constants()))
			.should()
			.notBePublic()
			.allowEmptyShould(true)
			.check(this.library);
	}

	@Test
	void conditionsAreNotPublic() {
		classes().that()
			.areAssignableTo(Condition.class)
			.should()
			.notBePublic()
			.allowEmptyShould(true)
			.check(this.library);
	}

	/** A post-processor made by an instance method would make its configuration early. */
	@Test
	void postProcessorBeanMethodsAreStatic() {
		methods().that()
			.areAnnotatedWith(Bean.class)
			.and()
			.haveRawReturnType(assignableToAny(BeanPostProcessor.class, BeanFactoryPostProcessor.class))
			.should()
			.beStatic()
			.allowEmptyShould(true)
			.check(this.library);
	}

	/**
	 * The method's return type is what the annotation backs off for without naming it.
	 */
	@Test
	void conditionalOnMissingBeanNamesNoTypeThatIsTheMethodsReturnType() {
		methods().that()
			.areAnnotatedWith(ConditionalOnMissingBean.class)
			.should(notNameOnlyTheirReturnType())
			.allowEmptyShould(true)
			.check(this.library);
	}

	/**
	 * Upper or lower case in the default locale turns "i" into "İ" on a Turkish machine.
	 */
	@Test
	void caseIsChangedInAGivenLocale() {
		noClasses().should()
			.callMethod(String.class, "toUpperCase")
			.orShould()
			.callMethod(String.class, "toLowerCase")
			.check(this.library);
	}

	@Test
	void streamsAreCollectedWithToList() {
		noClasses().should().callMethod(Collectors.class, "toList").check(this.library);
	}

	@Test
	void resourcesAreNotLoadedThroughResourceUtils() {
		noClasses().should().dependOnClassesThat().areAssignableTo(ResourceUtils.class).check(this.library);
	}

	private static DescribedPredicate<JavaMember> defaultConstructors() {
		return DescribedPredicate.describe("default constructors",
				(member) -> member instanceof JavaConstructor constructor
						&& constructor.getRawParameterTypes().isEmpty());
	}

	private static DescribedPredicate<JavaMember> constants() {
		return DescribedPredicate.describe("constants", (member) -> member instanceof JavaField
				&& member.getModifiers().containsAll(Set.of(JavaModifier.STATIC, JavaModifier.FINAL)));
	}

	private static DescribedPredicate<JavaClass> assignableToAny(Class<?>... types) {
		return DescribedPredicate.describe("assignable to any of " + Arrays.toString(types),
				(type) -> Arrays.stream(types).anyMatch(type::isAssignableTo));
	}

	private static ArchCondition<JavaClass> beInANullMarkedPackage() {
		return new ArchCondition<>("be in a @NullMarked package") {

			@Override
			public void check(JavaClass type, ConditionEvents events) {
				if (!type.getPackage().isAnnotatedWith(NullMarked.class)) {
					events.add(SimpleConditionEvent.violated(type,
							type.getPackageName() + " has no package-info.java marked @NullMarked"));
				}
			}

		};
	}

	private static ArchCondition<JavaMethod> notNameOnlyTheirReturnType() {
		return new ArchCondition<>("not name only their return type in @ConditionalOnMissingBean") {

			@Override
			public void check(JavaMethod method, ConditionEvents events) {
				Class<?>[] named = method.getAnnotationOfType(ConditionalOnMissingBean.class).value();
				if (named.length == 1 && named[0].getName().equals(method.getRawReturnType().getName())) {
					events.add(SimpleConditionEvent.violated(method,
							method.getFullName() + " names its own return type in @ConditionalOnMissingBean"));
				}
			}

		};
	}

}

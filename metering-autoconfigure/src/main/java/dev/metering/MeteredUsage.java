package dev.metering;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Meters one invocation of the annotated method as one usage event.
 * <p>
 * Without a {@link #quantity()}, the tokens of all ChatClient calls made inside the
 * method are summed and recorded when it returns or throws (tokens the model already
 * spent are billed). With a quantity, that value is recorded when the method returns
 * normally. Expressions are SpEL over the method's arguments, evaluated in a restricted
 * context: no type references, no bean access, no method calls.
 *
 * @since 0.1.0
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface MeteredUsage {

	/**
	 * Meter key under {@code metering.meters}; empty means
	 * {@code metering.default-meter}.
	 */
	String value() default "";

	/**
	 * SpEL for the organization ID, e.g. {@code "#orgId"}; empty means the current
	 * context.
	 */
	String organization() default "";

	/**
	 * SpEL for the quantity, e.g. {@code "1"} or {@code "#result.size"}; empty means the
	 * tokens of the ChatClient calls made inside the method.
	 */
	String quantity() default "";

}

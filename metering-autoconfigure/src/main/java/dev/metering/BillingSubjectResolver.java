package dev.metering;

import java.util.Optional;

/**
 * Tells who is billed for the current call, for example from the authenticated user.
 * Beans of this type are asked in order when no organization was named explicitly.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface BillingSubjectResolver {

	Optional<BillingSubject> resolve();

}

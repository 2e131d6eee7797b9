package dev.metering;

import java.util.Objects;

/**
 * Who is billed: an organization, or a single user billed personally.
 *
 * @since 0.1.0
 */
public record BillingSubject(String referenceId, Type type) {

	public enum Type {

		PERSONAL, ORGANIZATION

	}

	public BillingSubject {
		if (referenceId == null || referenceId.isBlank()) {
			throw new IllegalArgumentException("referenceId must not be blank");
		}
		Objects.requireNonNull(type, "type must not be null");
	}

	public static BillingSubject organization(String id) {
		return new BillingSubject(id, Type.ORGANIZATION);
	}

	public static BillingSubject personal(String userId) {
		return new BillingSubject(userId, Type.PERSONAL);
	}

}

package dev.metering.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * How the properties' {@code toString} shows a secret: that it is set, never what it is.
 */
final class SecretMask {

	private SecretMask() {
	}

	/** {@code ******} for a secret that is set, else empty. */
	static String of(@Nullable String secret) {
		return (secret != null && !secret.isBlank()) ? "******" : "";
	}

}

package dev.metering.provider.polar;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.metering.provider.InvalidWebhookException;

/**
 * The Standard Webhooks signature (standardwebhooks.com) that Polar signs with: headers
 * {@code webhook-id}, {@code webhook-timestamp} (Unix seconds) and
 * {@code webhook-signature} (space-separated {@code v1,<base64>}), each signature an
 * HMAC-SHA256 of {@code <id>.<timestamp>.<body>}.
 * <p>
 * Polar keys the HMAC in one of two ways, by when the endpoint's secret was generated:
 * with the key that a Standard Webhooks secret {@code whsec_<base64>} encodes, or, for
 * older secrets, with the UTF-8 bytes of the whole secret (which Polar's SDKs get by
 * base64-encoding the secret before handing it to a Standard Webhooks library). A
 * signature made either way with one of the secrets is accepted.
 */
final class StandardWebhookSignature {

	static final String ID = "webhook-id";

	static final String TIMESTAMP = "webhook-timestamp";

	static final String SIGNATURE = "webhook-signature";

	private static final String PREFIX = "whsec_";

	private static final String ALGORITHM = "HmacSHA256";

	private final List<byte[]> keys = new ArrayList<>();

	private final Duration tolerance;

	private final Clock clock;

	/**
	 * @param secrets the endpoint's signing secrets
	 * @param tolerance how far a timestamp may be from now, either way
	 * @param clock tells now
	 */
	StandardWebhookSignature(List<String> secrets, Duration tolerance, Clock clock) {
		for (String secret : secrets) {
			this.keys.add(secret.getBytes(StandardCharsets.UTF_8));
			if (secret.startsWith(PREFIX)) {
				try {
					byte[] key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
					if (key.length > 0) {
						this.keys.add(key);
					}
				}
				catch (IllegalArgumentException ex) {
					// not base64: a secret of Polar's older kind, keyed by its bytes only
				}
			}
		}
		this.tolerance = tolerance;
		this.clock = clock;
	}

	/**
	 * @return the delivery's {@code webhook-id}
	 * @throws InvalidWebhookException when a header is missing, the timestamp is outside
	 * the tolerance, or no signature matches
	 */
	String verify(Function<String, String> headers, byte[] body) {
		String id = required(headers, ID);
		String timestamp = required(headers, TIMESTAMP);
		String signatures = required(headers, SIGNATURE);
		Instant signedAt;
		try {
			signedAt = Instant.ofEpochSecond(Long.parseLong(timestamp.trim()));
		}
		catch (NumberFormatException | DateTimeException ex) {
			throw new InvalidWebhookException("its " + TIMESTAMP + " header is not a Unix time");
		}
		Duration age = Duration.between(signedAt, this.clock.instant()).abs();
		if (age.compareTo(this.tolerance) > 0) {
			throw new InvalidWebhookException(
					"it was signed at " + signedAt + ", outside the tolerance of " + this.tolerance + " from now");
		}
		byte[] signed = signedContent(id, timestamp.trim(), body);
		for (byte[] key : this.keys) {
			byte[] expected = hmac(key, signed);
			for (String signature : signatures.trim().split(" +")) {
				if (signature.startsWith("v1,") && MessageDigest.isEqual(expected, decode(signature.substring(3)))) {
					return id;
				}
			}
		}
		throw new InvalidWebhookException("no signature matches its body with the " + this.keys.size() + " key"
				+ ((this.keys.size() == 1) ? "" : "s") + " of the signing secrets");
	}

	private static String required(Function<String, String> headers, String name) {
		String value = headers.apply(name);
		if (value == null || value.isBlank()) {
			throw new InvalidWebhookException("it has no " + name + " header");
		}
		return value;
	}

	private static byte[] signedContent(String id, String timestamp, byte[] body) {
		byte[] head = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
		byte[] content = new byte[head.length + body.length];
		System.arraycopy(head, 0, content, 0, head.length);
		System.arraycopy(body, 0, content, head.length, body.length);
		return content;
	}

	private static byte[] decode(String signature) {
		try {
			return Base64.getDecoder().decode(signature);
		}
		catch (IllegalArgumentException ex) {
			return new byte[0];
		}
	}

	private static byte[] hmac(byte[] key, byte[] content) {
		try {
			Mac mac = Mac.getInstance(ALGORITHM);
			mac.init(new SecretKeySpec(key, ALGORITHM));
			return mac.doFinal(content);
		}
		catch (NoSuchAlgorithmException | InvalidKeyException ex) {
			throw new IllegalStateException("HMAC-SHA256 is not available", ex);
		}
	}

}

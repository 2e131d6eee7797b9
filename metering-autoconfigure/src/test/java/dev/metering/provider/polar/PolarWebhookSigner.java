package dev.metering.provider.polar;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs a body as Polar does (Standard Webhooks: HMAC-SHA256 of
 * {@code id.timestamp.body}, base64, after {@code v1,}), written from the specification
 * apart from the code under test.
 */
final class PolarWebhookSigner {

	private PolarWebhookSigner() {
	}

	/**
	 * With the key a {@code whsec_<base64>} secret encodes, as Polar signs for new
	 * endpoints.
	 */
	static String sign(String secret, String id, long timestamp, byte[] body) {
		return sign(Base64.getDecoder().decode(secret.substring("whsec_".length())), id, timestamp, body);
	}

	static String sign(byte[] key, String id, long timestamp, byte[] body) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(key, "HmacSHA256"));
			mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
			return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}

package dev.metering.provider.metronome;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs a body as Metronome does (the hexadecimal HMAC-SHA256 of the date, a newline and
 * the body, keyed by the webhook's secret), written from Metronome's documentation apart
 * from the code under test.
 */
final class MetronomeWebhookSigner {

	private MetronomeWebhookSigner() {
	}

	static String sign(String secret, String date, byte[] body) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
			mac.update((date + "\n").getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(mac.doFinal(body));
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}

package dev.metering.provider.metronome;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.metering.provider.InvalidWebhookException;

/**
 * Metronome's webhook signature: header {@code Metronome-Webhook-Signature}, the
 * hexadecimal HMAC-SHA256 of the delivery's date, a newline and the body's bytes, keyed
 * by the webhook's secret. The date is the {@code X-Metronome-Date} header, which
 * intermediaries leave alone; the {@code Date} header carries the same value and is taken
 * too, as Metronome still supports it. A delivery dated further from now than the
 * tolerance, either way, is refused as a replay.
 */
final class MetronomeWebhookSignature {

	static final String SIGNATURE = "Metronome-Webhook-Signature";

	static final String METRONOME_DATE = "X-Metronome-Date";

	static final String DATE = "Date";

	private static final String ALGORITHM = "HmacSHA256";

	private final List<byte[]> keys = new ArrayList<>();

	private final Duration tolerance;

	private final Clock clock;

	/**
	 * @param secrets the secret of each webhook that posts to this application
	 * @param tolerance how far a delivery's date may be from now, either way
	 * @param clock tells now
	 */
	MetronomeWebhookSignature(List<String> secrets, Duration tolerance, Clock clock) {
		secrets.forEach((secret) -> this.keys.add(secret.getBytes(StandardCharsets.UTF_8)));
		this.tolerance = tolerance;
		this.clock = clock;
	}

	/**
	 * @throws InvalidWebhookException when the signature or both dates are missing, no
	 * signature matches, or the delivery is dated outside the tolerance
	 */
	void verify(Function<String, String> headers, byte[] body) {
		String signature = headers.apply(SIGNATURE);
		if (signature == null || signature.isBlank()) {
			throw new InvalidWebhookException("it has no " + SIGNATURE + " header");
		}
		Set<String> dates = new LinkedHashSet<>();
		for (String header : List.of(METRONOME_DATE, DATE)) {
			String date = headers.apply(header);
			if (date != null && !date.isBlank()) {
				dates.add(date);
			}
		}
		if (dates.isEmpty()) {
			throw new InvalidWebhookException("it has neither an " + METRONOME_DATE + " nor a " + DATE + " header");
		}
		byte[] given = signature.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
		for (String date : dates) {
			if (signedWithAKey(date, body, given)) {
				checkRecent(date);
				return;
			}
		}
		throw new InvalidWebhookException("no signature matches its body with the " + this.keys.size() + " secret"
				+ ((this.keys.size() == 1) ? "" : "s") + " of the webhooks");
	}

	private boolean signedWithAKey(String date, byte[] body, byte[] given) {
		byte[] signed = signedContent(date, body);
		for (byte[] key : this.keys) {
			byte[] expected = HexFormat.of().formatHex(hmac(key, signed)).getBytes(StandardCharsets.US_ASCII);
			if (MessageDigest.isEqual(expected, given)) {
				return true;
			}
		}
		return false;
	}

	private void checkRecent(String date) {
		Instant signedAt = parse(date);
		Duration age = Duration.between(signedAt, this.clock.instant()).abs();
		if (age.compareTo(this.tolerance) > 0) {
			throw new InvalidWebhookException(
					"it was signed at " + signedAt + ", outside the tolerance of " + this.tolerance + " from now");
		}
	}

	/** An HTTP date, as Metronome sends it, or an RFC 3339 one. */
	private static Instant parse(String date) {
		try {
			return ZonedDateTime.parse(date.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
		}
		catch (DateTimeParseException ex) {
			// not an HTTP date
		}
		try {
			return OffsetDateTime.parse(date.trim()).toInstant();
		}
		catch (DateTimeParseException ex) {
			throw new InvalidWebhookException("its date '" + date + "' is neither an HTTP date nor RFC 3339");
		}
	}

	private static byte[] signedContent(String date, byte[] body) {
		byte[] head = (date + "\n").getBytes(StandardCharsets.UTF_8);
		byte[] content = new byte[head.length + body.length];
		System.arraycopy(head, 0, content, 0, head.length);
		System.arraycopy(body, 0, content, head.length, body.length);
		return content;
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

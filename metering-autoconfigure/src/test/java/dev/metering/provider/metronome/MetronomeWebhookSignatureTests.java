package dev.metering.provider.metronome;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import dev.metering.provider.InvalidWebhookException;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Metronome's webhook signature, checked against the example its webhook guide publishes.
 */
class MetronomeWebhookSignatureTests {

	/** The guide's example: its secret, date, body and signature. */
	static final String SECRET = "correct-horse-battery-staple";

	static final String DATE = "Mon, 02 Jan 2006 22:04:05 GMT";

	static final String BODY = """
			{
			  "id": "b2c9e307-624e-4e7d-a5a4-1b74107d78c4",
			  "type": "widget_created",
			  "properties": {
			    "customer_id": "5f794d50-085a-4db6-8d15-286e518b7225",
			    "widget_id": "0891458d-b6f0-4fdd-a41e-380aae1a1e38"
			  }
			}""";

	static final String SIGNATURE = "b82652fa2246cf1d8a27e591f155c865f68b46c19b9213fd9c052f2419b4742b";

	static final Instant SENT = Instant.parse("2006-01-02T22:04:05Z");

	private final byte[] body = BODY.getBytes(StandardCharsets.UTF_8);

	@Test
	void theGuidesExampleIsSignedByItsSecret() {
		assertThatCode(() -> signature(SENT, SECRET)
			.verify(headers(Map.of("X-Metronome-Date", DATE, "Metronome-Webhook-Signature", SIGNATURE)), this.body))
			.doesNotThrowAnyException();
	}

	@Test
	void theDateHeaderServesWhenXMetronomeDateIsMissingAndOneOfSeveralSecretsSuffices() {
		assertThatCode(() -> signature(SENT, "another-webhooks-secret", SECRET)
			.verify(headers(Map.of("Date", DATE, "Metronome-Webhook-Signature", SIGNATURE.toUpperCase())), this.body))
			.doesNotThrowAnyException();
	}

	@Test
	void anotherSecretOrAChangedBodyMatchesNoSignature() {
		Map<String, String> headers = Map.of("X-Metronome-Date", DATE, "Metronome-Webhook-Signature", SIGNATURE);
		assertThatExceptionOfType(InvalidWebhookException.class)
			.isThrownBy(() -> signature(SENT, "wrong-secret").verify(headers(headers), this.body))
			.withMessage("no signature matches its body with the 1 secret of the webhooks");
		assertThatExceptionOfType(InvalidWebhookException.class)
			.isThrownBy(() -> signature(SENT, SECRET).verify(headers(headers),
					BODY.replace("widget_created", "widget_deleted").getBytes(StandardCharsets.UTF_8)))
			.withMessageStartingWith("no signature matches");
	}

	@Test
	void aDeliveryDatedOutsideTheToleranceIsRefusedEitherWay() {
		Map<String, String> headers = Map.of("X-Metronome-Date", DATE, "Metronome-Webhook-Signature", SIGNATURE);
		assertThatExceptionOfType(InvalidWebhookException.class)
			.isThrownBy(() -> signature(SENT.plus(Duration.ofMinutes(6)), SECRET).verify(headers(headers), this.body))
			.withMessage("it was signed at 2006-01-02T22:04:05Z, outside the tolerance of PT5M from now");
		assertThatExceptionOfType(InvalidWebhookException.class)
			.isThrownBy(() -> signature(SENT.minus(Duration.ofMinutes(6)), SECRET).verify(headers(headers), this.body))
			.withMessageContaining("outside the tolerance");
	}

	@Test
	void aDeliveryWithoutSignatureOrDateIsRefused() {
		assertThatExceptionOfType(InvalidWebhookException.class)
			.isThrownBy(() -> signature(SENT, SECRET).verify(headers(Map.of("X-Metronome-Date", DATE)), this.body))
			.withMessage("it has no Metronome-Webhook-Signature header");
		assertThatExceptionOfType(InvalidWebhookException.class)
			.isThrownBy(() -> signature(SENT, SECRET).verify(headers(Map.of("Metronome-Webhook-Signature", SIGNATURE)),
					this.body))
			.withMessage("it has neither an X-Metronome-Date nor a Date header");
	}

	private static MetronomeWebhookSignature signature(Instant now, String... secrets) {
		return new MetronomeWebhookSignature(List.of(secrets), Duration.ofMinutes(5), Clock.fixed(now, ZoneOffset.UTC));
	}

	private static Function<String, String> headers(Map<String, String> headers) {
		return headers::get;
	}

}

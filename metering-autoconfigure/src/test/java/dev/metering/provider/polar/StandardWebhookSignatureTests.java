package dev.metering.provider.polar;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.metering.provider.InvalidWebhookException;
import dev.metering.support.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The Standard Webhooks signature as Polar signs it: the specification's published
 * example, Polar's older secrets keyed by their UTF-8 bytes, several signatures in one
 * header, and the tolerance both ways.
 */
class StandardWebhookSignatureTests {

	/** The example of the Standard Webhooks specification (standardwebhooks.com). */
	private static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

	private static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";

	private static final long SPEC_TIMESTAMP = 1614265330;

	private static final byte[] SPEC_BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);

	private static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

	private final MutableClock clock = new MutableClock(Instant.ofEpochSecond(SPEC_TIMESTAMP));

	@Test
	void theSpecificationsExampleIsAcceptedAndTellsItsId() {
		assertThat(signature(SPEC_SECRET).verify(headers(SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE), SPEC_BODY))
			.isEqualTo(SPEC_ID);
	}

	@Test
	void anOlderPolarSecretIsKeyedByItsUtf8BytesAsPolarsSdksDo() {
		String secret = "polar_whs_9zQyJm3sB1xLk0Aw";
		String signed = PolarWebhookSigner.sign(secret.getBytes(StandardCharsets.UTF_8), SPEC_ID, SPEC_TIMESTAMP,
				SPEC_BODY);

		assertThat(signature(secret).verify(headers(SPEC_ID, SPEC_TIMESTAMP, signed), SPEC_BODY)).isEqualTo(SPEC_ID);
	}

	@Test
	void oneMatchingSignatureAmongSeveralIsEnough() {
		String header = "v1,bm90IGl0 v1a,ignored " + SPEC_SIGNATURE;

		assertThat(signature(SPEC_SECRET).verify(headers(SPEC_ID, SPEC_TIMESTAMP, header), SPEC_BODY))
			.isEqualTo(SPEC_ID);
	}

	@Test
	void anotherSecretATamperedBodyOrAnotherIdIsRefusedWithoutQuotingTheSecret() {
		assertThatExceptionOfType(InvalidWebhookException.class)
			.isThrownBy(() -> signature("whsec_" + "b3RoZXIgc2VjcmV0IGtleQ==")
				.verify(headers(SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE), SPEC_BODY))
			.withMessageStartingWith("no signature matches its body")
			.withMessageNotContaining("b3RoZXIgc2VjcmV0IGtleQ");
		assertThatExceptionOfType(InvalidWebhookException.class).isThrownBy(() -> signature(SPEC_SECRET)
			.verify(headers(SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE), "{\"test\": 2432232315}".getBytes()));
		assertThatExceptionOfType(InvalidWebhookException.class).isThrownBy(
				() -> signature(SPEC_SECRET).verify(headers("msg_other", SPEC_TIMESTAMP, SPEC_SIGNATURE), SPEC_BODY));
	}

	@Test
	void aTimestampOutsideTheToleranceEitherWayIsRefusedEvenWhenSigned() {
		StandardWebhookSignature signature = signature(SPEC_SECRET);

		this.clock.set(Instant.ofEpochSecond(SPEC_TIMESTAMP).plus(Duration.ofMinutes(5)));
		assertThat(signature.verify(headers(SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE), SPEC_BODY)).isEqualTo(SPEC_ID);

		this.clock.set(Instant.ofEpochSecond(SPEC_TIMESTAMP).plus(Duration.ofMinutes(5)).plusSeconds(1));
		assertThatExceptionOfType(InvalidWebhookException.class)
			.isThrownBy(() -> signature.verify(headers(SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE), SPEC_BODY))
			.withMessage("it was signed at 2021-02-25T15:02:10Z, outside the tolerance of PT5M from now");

		this.clock.set(Instant.ofEpochSecond(SPEC_TIMESTAMP).minus(Duration.ofMinutes(6)));
		assertThatExceptionOfType(InvalidWebhookException.class)
			.isThrownBy(() -> signature.verify(headers(SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE), SPEC_BODY))
			.withMessageContaining("outside the tolerance");
	}

	@Test
	void missingHeadersAndATimestampThatIsNoNumberAreRefused() {
		StandardWebhookSignature signature = signature(SPEC_SECRET);

		assertThatExceptionOfType(InvalidWebhookException.class)
			.isThrownBy(() -> signature.verify(Map.of("webhook-id", SPEC_ID)::get, SPEC_BODY))
			.withMessage("it has no webhook-timestamp header");
		assertThatExceptionOfType(InvalidWebhookException.class)
			.isThrownBy(() -> signature.verify(Map.of("webhook-id", SPEC_ID, "webhook-timestamp", "soon",
					"webhook-signature", SPEC_SIGNATURE)::get, SPEC_BODY))
			.withMessage("its webhook-timestamp header is not a Unix time");
	}

	private StandardWebhookSignature signature(String secret) {
		return new StandardWebhookSignature(List.of(secret), Duration.ofMinutes(5), this.clock);
	}

	private static java.util.function.Function<String, String> headers(String id, long timestamp, String signature) {
		return Map.of("webhook-id", id, "webhook-timestamp", Long.toString(timestamp), "webhook-signature",
				signature)::get;
	}

}

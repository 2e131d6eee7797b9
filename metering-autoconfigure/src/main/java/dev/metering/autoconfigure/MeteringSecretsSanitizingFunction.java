package dev.metering.autoconfigure;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;

/**
 * Masks metering's secrets: the properties that hold them, under any of the names relaxed
 * binding accepts ({@code metering.stripe.api-key}, {@code metering.stripe.apiKey},
 * {@code METERING_STRIPE_API_KEY}), each element of a list of them
 * ({@code metering.stripe.webhook.secret[0]}), and any value shaped like a Stripe secret
 * or restricted key, a Stripe webhook secret or a Polar token, wherever it comes from
 * (such as the environment variable a property refers to). Metronome's API tokens and
 * webhook secrets have no shape of their own: only their properties tell them.
 */
final class MeteringSecretsSanitizingFunction implements SanitizingFunction {

	/**
	 * The secret properties, lower case with separators removed, as relaxed binding
	 * matches them.
	 */
	private static final List<String> SECRET_PROPERTIES = List.of("meteringstripeapikey", "meteringpolaraccesstoken",
			"meteringmetronomeapitoken", "meteringstripewebhooksecret", "meteringpolarwebhooksecret",
			"meteringmetronomewebhooksecret");

	private static final Pattern SEPARATORS = Pattern.compile("[^a-z0-9]");

	/** The index of a list's element: {@code secret[0]}, {@code SECRET_0}. */
	private static final Pattern INDEX = Pattern.compile("[0-9]+$");

	private static final Pattern SECRET_VALUE = Pattern
		.compile("^(sk_(live|test)_|rk_(live|test)_|whsec_|polar_(oat|pat|at|whs)_).+");

	@Override
	public SanitizableData apply(SanitizableData data) {
		String key = INDEX.matcher(SEPARATORS.matcher(data.getLowerCaseKey()).replaceAll("")).replaceAll("");
		boolean secretProperty = SECRET_PROPERTIES.stream().anyMatch(key::endsWith);
		boolean secretValue = data.getValue() instanceof CharSequence value
				&& SECRET_VALUE.matcher(value.toString().trim().toLowerCase(Locale.ROOT)).matches();
		return (secretProperty || secretValue) ? data.withSanitizedValue() : data;
	}

}

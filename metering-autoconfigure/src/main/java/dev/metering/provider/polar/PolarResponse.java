package dev.metering.provider.polar;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One answer of Polar's API.
 *
 * @param status the HTTP status
 * @param retryAfter the {@code Retry-After} header, or {@code null}
 * @param body the JSON body, a missing node when there was none
 */
record PolarResponse(int status, @Nullable String retryAfter, JsonNode body) {

	boolean successful() {
		return this.status >= 200 && this.status < 300;
	}

	/**
	 * Polar's message: the {@code detail} of its errors, whether a sentence or a list of
	 * validation problems; never a token.
	 */
	@Nullable String message() {
		JsonNode detail = this.body.path("detail");
		if (detail.isString()) {
			return PolarErrors.redacted(detail.stringValue());
		}
		if (detail.isArray()) {
			List<String> problems = new ArrayList<>();
			detail.values().forEach((problem) -> problems.add(PolarErrors.problem(problem)));
			return PolarErrors.redacted(String.join("; ", problems));
		}
		return "no message";
	}

	/**
	 * The status and Polar's name and message of the error, for logs and retry reasons.
	 */
	String describe() {
		String error = this.body.path("error").asString("");
		return this.status + (error.isEmpty() ? "" : " " + error) + ": " + message();
	}

}

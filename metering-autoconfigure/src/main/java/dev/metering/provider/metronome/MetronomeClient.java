package dev.metering.provider.metronome;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.MissingNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.lang.Contract;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.util.UriBuilder;

import dev.metering.provider.ProviderHttpClients;

/**
 * Speaks Metronome's REST API: JSON in and out, every request authenticated with the API
 * token. It never retries: the dispatcher decides when to try again, with the same
 * transaction IDs. Answers of every status come back as they are, for the caller to sort;
 * only a request that got no answer (timeout, connection refused) throws. Whatever it
 * passes on of an answer or a failure has the token masked.
 *
 * @since 0.1.0
 */
public final class MetronomeClient {

	private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)\\S+");

	private static final String MASK = "******";

	private final RestClient rest;

	private final String apiToken;

	private final JsonMapper json = JsonMapper.shared();

	/**
	 * @param rest a client with Metronome's base URL and the
	 * {@code Authorization: Bearer} header set, whose HTTP client does not retry; see
	 * {@link #create}
	 * @param apiToken the token the client sends, masked wherever Metronome might quote
	 * it
	 */
	public MetronomeClient(RestClient rest, String apiToken) {
		this.rest = rest;
		this.apiToken = apiToken;
	}

	/**
	 * A client of Metronome's API on the JDK's HTTP client, which does not retry a POST.
	 * @param builder the builder to start from: the application's, with its customizers
	 * and observations, or a plain one
	 * @param baseUrl e.g. {@code https://api.metronome.com}
	 * @param apiToken the API token
	 * @param connectTimeout how long to wait for a connection
	 * @param readTimeout how long to wait for an answer
	 */
	public static MetronomeClient create(RestClient.Builder builder, String baseUrl, String apiToken,
			Duration connectTimeout, Duration readTimeout) {
		ClientHttpRequestFactory requests = ProviderHttpClients.requestFactory(connectTimeout, readTimeout);
		return new MetronomeClient(builder.baseUrl(baseUrl).requestFactory(requests).defaultHeaders((headers) -> {
			headers.setBearerAuth(apiToken);
			headers.setAccept(List.of(MediaType.APPLICATION_JSON));
		}).build(), apiToken);
	}

	ObjectNode object() {
		return this.json.createObjectNode();
	}

	ArrayNode array() {
		return this.json.createArrayNode();
	}

	/**
	 * Posts a JSON body, sent with its length.
	 * @throws RestClientException when no answer came
	 */
	MetronomeResponse post(Function<UriBuilder, URI> uri, JsonNode body) {
		byte[] bytes = this.json.writeValueAsBytes(body);
		return this.rest.post()
			.uri(uri)
			.contentType(MediaType.APPLICATION_JSON)
			.contentLength(bytes.length)
			.body(bytes)
			.exchange((request, response) -> answer(response.getStatusCode().value(), response.getHeaders(),
					response.getBody()));
	}

	/**
	 * @throws RestClientException when no answer came
	 */
	MetronomeResponse get(Function<UriBuilder, URI> uri) {
		return this.rest.get()
			.uri(uri)
			.exchange((request, response) -> answer(response.getStatusCode().value(), response.getHeaders(),
					response.getBody()));
	}

	/** The text with the API token, and any bearer credential, masked. */
	@Contract("!null -> !null")
	@Nullable String redacted(@Nullable String text) {
		if (text == null) {
			return null;
		}
		String masked = (this.apiToken != null && !this.apiToken.isEmpty()) ? text.replace(this.apiToken, MASK) : text;
		return BEARER.matcher(masked).replaceAll("$1" + MASK);
	}

	/**
	 * What a request that got no answer met, for logs and retry reasons; never the token.
	 */
	String describe(RestClientException failure) {
		return failure.getClass().getSimpleName() + ": " + redacted(failure.getMessage());
	}

	private MetronomeResponse answer(int status, HttpHeaders headers, InputStream body) throws IOException {
		byte[] bytes = body.readAllBytes();
		JsonNode parsed;
		try {
			parsed = (bytes.length > 0) ? this.json.readTree(bytes) : MissingNode.getInstance();
		}
		catch (JacksonException ex) {
			// not JSON (a proxy's error page): the status says enough
			parsed = MissingNode.getInstance();
		}
		return new MetronomeResponse(status, headers.getFirst(HttpHeaders.RETRY_AFTER), parsed,
				redacted(parsed.path("message").asString("")));
	}

	@Override
	public String toString() {
		return "MetronomeClient[apiToken=" + MASK + "]";
	}

}

package dev.metering.provider.polar;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.function.Function;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.util.UriBuilder;

import dev.metering.provider.ProviderHttpClients;

/**
 * Speaks Polar's REST API: JSON in and out, every request authenticated with the
 * organization access token and pinned to one API version. It never retries: the
 * dispatcher decides when to try again, with the same event IDs. Answers of every status
 * come back as they are, for the caller to sort; only a request that got no answer
 * (timeout, connection refused) throws.
 *
 * @since 0.1.0
 */
public final class PolarClient {

	/** The {@code Polar-Version} every request is pinned to. */
	public static final String API_VERSION = "2026-04";

	static final String VERSION_HEADER = "Polar-Version";

	private final RestClient rest;

	private final JsonMapper json = JsonMapper.shared();

	/**
	 * @param rest a client with Polar's base URL and the {@code Authorization: Bearer}
	 * header set, whose HTTP client does not retry; see {@link #create}
	 */
	public PolarClient(RestClient rest) {
		this.rest = rest;
	}

	/**
	 * A client of Polar's API on the JDK's HTTP client, which does not retry a POST.
	 * @param builder the builder to start from: the application's, with its customizers
	 * and observations, or a plain one
	 * @param baseUrl e.g. {@code https://api.polar.sh}
	 * @param accessToken the organization access token
	 * @param connectTimeout how long to wait for a connection
	 * @param readTimeout how long to wait for an answer
	 */
	public static PolarClient create(RestClient.Builder builder, String baseUrl, String accessToken,
			Duration connectTimeout, Duration readTimeout) {
		ClientHttpRequestFactory requests = ProviderHttpClients.requestFactory(connectTimeout, readTimeout);
		return new PolarClient(builder.baseUrl(baseUrl).requestFactory(requests).defaultHeaders((headers) -> {
			headers.setBearerAuth(accessToken);
			headers.set(VERSION_HEADER, API_VERSION);
			headers.setAccept(java.util.List.of(MediaType.APPLICATION_JSON));
		}).build());
	}

	ObjectNode object() {
		return this.json.createObjectNode();
	}

	/**
	 * Posts a JSON body, sent with its length: Polar answers a POST without
	 * {@code Content-Length} with 411.
	 * @throws RestClientException when no answer came
	 */
	PolarResponse post(String path, ObjectNode body) {
		byte[] bytes = this.json.writeValueAsBytes(body);
		return this.rest.post()
			.uri(path)
			.contentType(MediaType.APPLICATION_JSON)
			.contentLength(bytes.length)
			.body(bytes)
			.exchange((request, response) -> answer(response.getStatusCode().value(), response.getHeaders(),
					response.getBody()));
	}

	/**
	 * @throws RestClientException when no answer came
	 */
	PolarResponse get(Function<UriBuilder, URI> uri) {
		return this.rest.get()
			.uri(uri)
			.exchange((request, response) -> answer(response.getStatusCode().value(), response.getHeaders(),
					response.getBody()));
	}

	private PolarResponse answer(int status, HttpHeaders headers, InputStream body) throws IOException {
		byte[] bytes = body.readAllBytes();
		JsonNode parsed;
		try {
			parsed = (bytes.length > 0) ? this.json.readTree(bytes) : MissingNode.getInstance();
		}
		catch (JacksonException ex) {
			// not JSON (a proxy's error page): the status says enough
			parsed = MissingNode.getInstance();
		}
		return new PolarResponse(status, headers.getFirst(HttpHeaders.RETRY_AFTER), parsed);
	}

}

package dev.metering.provider;

import java.net.http.HttpClient;
import java.time.Duration;

import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.HttpRedirects;
import org.springframework.http.client.ClientHttpRequestFactory;

/**
 * The HTTP client of the providers spoken to over plain HTTP (Polar, Metronome): the
 * JDK's, on HTTP/1.1, following no redirect and retrying nothing itself, since the
 * dispatcher retries with the same identifiers.
 * <p>
 * Used by the clients of the provider implementations spoken to over plain HTTP, the
 * built-in ones and an application's own.
 *
 * @since 0.1.0
 */
public final class ProviderHttpClients {

	private ProviderHttpClients() {
	}

	/**
	 * @param connectTimeout how long to wait for a connection
	 * @param readTimeout how long to wait for an answer
	 */
	public static ClientHttpRequestFactory requestFactory(Duration connectTimeout, Duration readTimeout) {
		return ClientHttpRequestFactoryBuilder.jdk()
			.withHttpClientCustomizer((http) -> http.version(HttpClient.Version.HTTP_1_1))
			.build(HttpClientSettings.defaults()
				.withTimeouts(connectTimeout, readTimeout)
				.withRedirects(HttpRedirects.DONT_FOLLOW));
	}

}

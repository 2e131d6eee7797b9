package dev.metering.support;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A WireMock server standing in for a provider for one test class: started when made, so
 * that its base URL can go into a context runner's properties as the class is built, with
 * no stubs and an empty journal before each test, and stopped after the last. <pre>
 * &#64;RegisterExtension
 * static final StubServer stripe = new StubServer();
 * </pre>
 */
public final class StubServer extends WireMockServer implements BeforeEachCallback, AfterAllCallback {

	public StubServer() {
		super(WireMockConfiguration.options().dynamicPort());
		start();
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		resetAll();
	}

	@Override
	public void afterAll(ExtensionContext context) {
		stop();
	}

}

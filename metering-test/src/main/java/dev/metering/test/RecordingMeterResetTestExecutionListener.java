package dev.metering.test;

import org.springframework.core.Ordered;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestExecutionListener;

/**
 * Empties the {@link RecordingMeterProvider} before each test method, as Spring resets
 * Mockito mocks: one application context serves many tests, and the usage one test
 * recorded must not count in the next. Registered in {@code META-INF/spring.factories};
 * does nothing before a context is loaded or in one without a recorder.
 */
final class RecordingMeterResetTestExecutionListener implements TestExecutionListener, Ordered {

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE - 100;
	}

	@Override
	public void beforeTestMethod(TestContext testContext) {
		if (testContext.hasApplicationContext()) {
			testContext.getApplicationContext()
				.getBeanProvider(RecordingMeterProvider.class)
				.orderedStream()
				.forEach(RecordingMeterProvider::reset);
		}
	}

}

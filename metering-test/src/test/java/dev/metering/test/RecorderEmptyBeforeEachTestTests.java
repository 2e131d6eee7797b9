package dev.metering.test;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.metering.BillingClient;

import static dev.metering.test.MeteringAssertions.assertThatUsage;

/**
 * Usage one test method recorded is gone in the next, though they share the application
 * context and so the recorder.
 */
@SpringBootTest(classes = KitTestApplication.class)
@AutoConfigureMeteringTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RecorderEmptyBeforeEachTestTests {

	@Autowired
	private RecordingMeterProvider recorder;

	@Autowired
	private BillingClient billing;

	@Test
	@Order(1)
	void recordsUsageAndLeavesItUndelivered() {
		// not read here, so still on its way to the recorder when this test ends
		this.billing.recordUsage("api_calls", "cus_1", 5);
	}

	@Test
	@Order(2)
	void startsWithNoUsage() {
		assertThatUsage(this.recorder).hasNoUsage();
	}

}

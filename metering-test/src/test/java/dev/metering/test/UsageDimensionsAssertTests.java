package dev.metering.test;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static dev.metering.test.MeteringAssertions.assertThatUsage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * On a meter with dimensions, recorded events carry the model that answered and the type
 * of token, and the assertions narrow usage by them.
 */
@SpringBootTest(classes = KitTestApplication.class,
		properties = "metering.meters.ai-tokens.dimensions=model,token-type")
@AutoConfigureMeteringTest
class UsageDimensionsAssertTests {

	@Autowired
	private RecordingMeterProvider recorder;

	@Autowired
	private KitTestApplication.Assistant assistant;

	@Test
	void usageNarrowsByModelAndTypeOfToken() {
		this.assistant.ask("org_1", "Hello?");

		assertThat(this.recorder.events())
			.allSatisfy((event) -> assertThat(event.dimensions().model()).isEqualTo("stub"));
		assertThatUsage(this.recorder).forOrganization("org_1").forModel("stub").hasTotal(17);
		assertThatUsage(this.recorder).forModel("stub").ofTokenType("input").hasValues(12);
		assertThatUsage(this.recorder).forModel("stub").ofTokenType("output").hasValues(5);
		assertThatUsage(this.recorder).forModel("gpt-4o").hasNoUsage();
	}

	@Test
	void aFailureNamesTheModelAndTypeOfEveryEvent() {
		this.assistant.ask("org_1", "Hello?");

		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> assertThatUsage(this.recorder).forModel("stub").ofTokenType("output").hasTotal(6))
			.withMessageStartingWith(
					"Expected usage of model 'stub' in output tokens to total 6, but it totals 5 in 1 event.")
			.withMessageContaining("\n  ai_tokens 12 for cus_1 of model stub in input tokens at ")
			.withMessageContaining("\n  ai_tokens 5 for cus_1 of model stub in output tokens at ");
	}

}

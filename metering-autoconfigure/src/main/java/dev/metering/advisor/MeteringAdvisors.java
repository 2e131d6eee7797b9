package dev.metering.advisor;

import java.time.Clock;

import io.micrometer.observation.ObservationFilter;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.ai.tokenizer.TokenCountEstimator;

import dev.metering.MeteringAdvisor;
import dev.metering.billing.BillingSubjects;
import dev.metering.billing.EstimateObservationConvention;
import dev.metering.billing.UsageMetering;

/**
 * Makes metering's advisor for Spring AI's chat clients, and the filter that adds the
 * billed organization to the chat model observations.
 *
 * @since 0.1.0
 */
public final class MeteringAdvisors {

	private MeteringAdvisors() {
	}

	/**
	 * The advisor, with its companion, that admits, meters and records the calls of a
	 * chat client.
	 * @param defaultModel the model of a request whose options name none (the
	 * application's chat model's default), or {@code null} when unknown
	 * @param originOnCalls whether the companion also puts who a call bills in the
	 * request context of calls, not only of streams, for observations that read it there
	 * @param observations where round trips billed by estimate are observed
	 * @param clock paces the warnings of round trips billed by estimate
	 * @param estimateConvention the application's convention of the estimate
	 * observations, or {@code null} for the default one
	 */
	public static MeteringAdvisor chatClient(UsageMetering metering, BillingSubjects subjects,
			TokenCountEstimator estimator, @Nullable String defaultModel, boolean originOnCalls,
			ObservationRegistry observations, Clock clock, @Nullable EstimateObservationConvention estimateConvention) {
		ChatClientMeteringAdvisor advisor = new ChatClientMeteringAdvisor(metering, subjects, estimator, defaultModel,
				originOnCalls, observations, clock);
		if (estimateConvention != null) {
			advisor.setEstimateObservationConvention(estimateConvention);
		}
		return advisor;
	}

	/** The filter that adds the billed organization to chat model observations. */
	public static ObservationFilter organizationFilter() {
		return new OrganizationObservationFilter();
	}

}

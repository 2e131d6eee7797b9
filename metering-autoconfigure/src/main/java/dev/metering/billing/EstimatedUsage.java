package dev.metering.billing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.metering.MeteringAdvisor;

/**
 * Says when a round trip is billed by estimate, so that no estimate goes unseen: every
 * one is observed ({@link BillingObservationDocumentation#ESTIMATE}), and so counted by
 * {@code metering.usage.estimated}, and a model that answers without reporting its usage
 * (an OpenAI-compatible server that leaves it out, a stream without its usage chunk) is
 * named in a warning, at most once a minute per model, so that a model that never reports
 * does not flood the log. A stream cut short (cancelled, or failed) is no fault of the
 * model's: it is counted, and logged at debug level only.
 */
final class EstimatedUsage {

	/** How often a model that keeps answering without usage is warned about. */
	static final Duration WARNING_INTERVAL = Duration.ofMinutes(1);

	private static final Log logger = LogFactory.getLog(MeteringAdvisor.class);

	private static final EstimateObservationConvention DEFAULT_CONVENTION = new DefaultEstimateObservationConvention();

	private final ObservationRegistry observations;

	private final Clock clock;

	/**
	 * When each model was last warned about: the application's models, so a handful of
	 * keys.
	 */
	private final ConcurrentMap<String, Instant> lastWarnings = new ConcurrentHashMap<>();

	/** {@code null} for the default. */
	private @Nullable EstimateObservationConvention convention;

	EstimatedUsage(ObservationRegistry observations, Clock clock) {
		this.observations = observations;
		this.clock = clock;
	}

	void setObservationConvention(EstimateObservationConvention convention) {
		this.convention = convention;
	}

	/** A response came whole without usage, and {@code tokens} were billed for it. */
	void unreported(String model, long tokens) {
		estimate(model, "unreported", tokens).observe(() -> {
			if (logger.isWarnEnabled() && claimWarning(model)) {
				logger.warn("Model '" + model + "' answered without reporting its usage; billed an estimate of "
						+ tokens + " tokens. Said at most once a minute per model; metering.usage.estimated counts "
						+ "every one");
			}
		});
	}

	/**
	 * A stream ended early ({@code cancelled} or {@code failed}) without usage, and
	 * {@code tokens} were billed.
	 */
	void cutShort(String model, String reason, long tokens) {
		estimate(model, reason, tokens).observe(() -> {
			if (logger.isDebugEnabled()) {
				logger.debug("Stream of model '" + model + "' ended (" + reason
						+ ") without reported usage; billing an estimate of " + tokens + " tokens");
			}
		});
	}

	/** The observation of a round trip billed by estimate. */
	private Observation estimate(String model, String reason, long tokens) {
		return BillingObservationDocumentation.ESTIMATE.observation(this.convention, DEFAULT_CONVENTION,
				() -> new EstimateObservationContext(model, reason, tokens), this.observations);
	}

	/** Whether a warning about the model is due now; if so, the next is a minute away. */
	private boolean claimWarning(String model) {
		Instant now = this.clock.instant();
		Instant last = this.lastWarnings.get(model);
		if (last != null && now.isBefore(last.plus(WARNING_INTERVAL))) {
			return false;
		}
		return (last != null) ? this.lastWarnings.replace(model, last, now)
				: this.lastWarnings.putIfAbsent(model, now) == null;
	}

}

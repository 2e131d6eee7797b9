package dev.metering.billing;

import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationFilter;
import io.micrometer.observation.ObservationView;

import org.springframework.ai.chat.client.advisor.observation.AdvisorObservationContext;
import org.springframework.ai.chat.observation.ChatModelObservationContext;

/**
 * Adds the billed organization to Spring AI's chat model observations as the
 * low-cardinality key {@code metering.organization}, so that
 * {@code gen_ai.client.token.usage} and {@code gen_ai.client.operation} are tagged per
 * organization. Every chat model observation gets the key, {@code none} when no
 * organization is billed (a model called outside a {@code ChatClient}, say), as metrics
 * registries want one set of tags per metric.
 * <p>
 * The organization is the one the {@link CallOriginAdvisor} settled for the call, found
 * on the advisor observations the model's observation runs in; with this filter on, the
 * companion settles calls as well as streams.
 */
final class OrganizationObservationFilter implements ObservationFilter {

	/** The key. */
	public static final String KEY = "metering.organization";

	static final String NONE = "none";

	@Override
	public Observation.Context map(Observation.Context context) {
		if (context instanceof ChatModelObservationContext) {
			context.addLowCardinalityKeyValue(KeyValue.of(KEY, organization(context)));
		}
		return context;
	}

	private static String organization(Observation.ContextView context) {
		for (ObservationView parent = context.getParentObservation(); parent != null; parent = parent.getContextView()
			.getParentObservation()) {
			if (parent.getContextView() instanceof AdvisorObservationContext advisor && advisor.getChatClientRequest()
				.context()
				.get(CallOrigin.CONTEXT_KEY) instanceof CallOrigin origin) {
				return (origin.subject() != null) ? origin.subject().referenceId() : NONE;
			}
		}
		return NONE;
	}

}

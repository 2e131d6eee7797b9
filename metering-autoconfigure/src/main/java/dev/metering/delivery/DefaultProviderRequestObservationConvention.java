package dev.metering.delivery;

import java.util.List;
import java.util.Locale;

import io.micrometer.common.KeyValues;
import org.jspecify.annotations.Nullable;

import dev.metering.delivery.DeliveryObservationDocumentation.ProviderRequestHighCardinalityKeyNames;
import dev.metering.delivery.DeliveryObservationDocumentation.ProviderRequestKeyNames;
import dev.metering.provider.DeliveryOutcome;

/**
 * Names provider request observations {@value #NAME}, contextually after the provider
 * ({@code stripe deliver}), with the low-cardinality keys {@code provider} and, once the
 * request answered or threw, {@code outcome}; and the high-cardinality key
 * {@code metering.events}, how many events it carried.
 *
 * @since 0.1.0
 */
public class DefaultProviderRequestObservationConvention implements ProviderRequestObservationConvention {

	/** The name of provider request observations. */
	public static final String NAME = "metering.provider.requests";

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(ProviderRequestObservationContext context) {
		return context.getProvider() + " deliver";
	}

	/**
	 * No outcome while the request is in flight, so that the timer of requests in flight
	 * has none.
	 */
	@Override
	public KeyValues getLowCardinalityKeyValues(ProviderRequestObservationContext context) {
		KeyValues keyValues = KeyValues.of(ProviderRequestKeyNames.PROVIDER.withValue(context.getProvider()));
		String outcome = outcome(context);
		return (outcome != null) ? keyValues.and(ProviderRequestKeyNames.OUTCOME.withValue(outcome)) : keyValues;
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(ProviderRequestObservationContext context) {
		return KeyValues
			.of(ProviderRequestHighCardinalityKeyNames.EVENTS.withValue(Integer.toString(context.getEvents())));
	}

	private static @Nullable String outcome(ProviderRequestObservationContext context) {
		if (context.getError() != null) {
			return "error";
		}
		List<DeliveryOutcome> outcomes = context.getOutcomes();
		if (outcomes == null) {
			return null;
		}
		List<String> kinds = outcomes.stream()
			.map((outcome) -> outcome.getClass().getSimpleName().toLowerCase(Locale.ROOT))
			.distinct()
			.toList();
		return (kinds.size() == 1) ? kinds.get(0) : "partial";
	}

}

package dev.metering.delivery;

import io.micrometer.common.KeyValues;

import dev.metering.delivery.DeliveryObservationDocumentation.DeliveryKeyNames;

/**
 * Names delivery observations {@value #NAME}, contextually after the provider and what
 * settled the events ({@code stripe delivery pass}, {@code stripe late refusals}), with
 * the low-cardinality keys {@code provider} and {@code trigger}.
 *
 * @since 0.1.0
 */
public class DefaultDeliveryObservationConvention implements DeliveryObservationConvention {

	/** The name of delivery observations. */
	public static final String NAME = "metering.delivery";

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(DeliveryObservationContext context) {
		return context.getProvider() + ((context.getTrigger() == DeliveryObservationContext.Trigger.PASS)
				? " delivery pass" : " late refusals");
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(DeliveryObservationContext context) {
		return KeyValues.of(DeliveryKeyNames.PROVIDER.withValue(context.getProvider()),
				DeliveryKeyNames.TRIGGER.withValue(context.getTrigger().value()));
	}

}

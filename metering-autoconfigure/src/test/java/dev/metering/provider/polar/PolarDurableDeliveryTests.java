package dev.metering.provider.polar;

import java.util.List;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.metering.autoconfigure.PolarMeteringAutoConfiguration;
import dev.metering.support.DurableDeliveryContract;

/**
 * Durable delivery to a Polar stub, in batches.
 */
class PolarDurableDeliveryTests extends DurableDeliveryContract {

	private static final String UNKNOWN_CUSTOMER = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

	@Override
	protected Class<?> providerAutoConfiguration() {
		return PolarMeteringAutoConfiguration.class;
	}

	@Override
	protected String[] providerProperties(String baseUrl) {
		return new String[] { "metering.provider=polar", "metering.polar.access-token=polar_oat_durable",
				"metering.polar.base-url=" + baseUrl, "metering.polar.read-timeout=300ms" };
	}

	@Override
	protected MappingBuilder deliveries() {
		return PolarStub.ingest();
	}

	@Override
	protected ResponseDefinitionBuilder accepted() {
		// the counts do not matter to the client
		return PolarStub.ingested(1, 0);
	}

	@Override
	protected ResponseDefinitionBuilder serverError() {
		return PolarStub.error(500, "InternalServerError", "Internal Server Error");
	}

	@Override
	protected ResponseDefinitionBuilder rateLimited() {
		return PolarStub.rateLimited(1);
	}

	@Override
	protected Refusal unknownCustomer() {
		return new Refusal(UNKNOWN_CUSTOMER,
				PolarStub.invalidEvent(0, "customer_id", "customer_id", "Customer not found."), "customer_id",
				"customer_id: Customer not found.");
	}

	@Override
	protected List<SentEvent> eventsOf(LoggedRequest request) {
		return PolarStub.events(request)
			.stream()
			.map((event) -> new SentEvent(event.path("external_id").asString(),
					event.has("customer_id") ? event.path("customer_id").asString()
							: event.path("external_customer_id").asString(),
					event.path("metadata").path("value").asLong()))
			.toList();
	}

	@Override
	protected String patientReadTimeout() {
		return "metering.polar.read-timeout=30s";
	}

}

package dev.metering.provider.metronome;

import java.util.List;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.metering.autoconfigure.MetronomeMeteringAutoConfiguration;
import dev.metering.support.DurableDeliveryContract;

/**
 * Durable delivery to a Metronome stub, in batches.
 */
class MetronomeDurableDeliveryTests extends DurableDeliveryContract {

	private static final String REFUSED_CUSTOMER = "org_refused";

	@Override
	protected Class<?> providerAutoConfiguration() {
		return MetronomeMeteringAutoConfiguration.class;
	}

	@Override
	protected String[] providerProperties(String baseUrl) {
		return new String[] { "metering.provider=metronome", "metering.metronome.api-token=durable-token",
				"metering.metronome.base-url=" + baseUrl, "metering.metronome.read-timeout=300ms" };
	}

	@Override
	protected String patientReadTimeout() {
		return "metering.metronome.read-timeout=30s";
	}

	@Override
	protected MappingBuilder deliveries() {
		return MetronomeStub.ingest();
	}

	@Override
	protected ResponseDefinitionBuilder accepted() {
		return MetronomeStub.ingested();
	}

	@Override
	protected ResponseDefinitionBuilder serverError() {
		return MetronomeStub.error(500, "Internal server error");
	}

	@Override
	protected ResponseDefinitionBuilder rateLimited() {
		return MetronomeStub.rateLimited(1);
	}

	@Override
	protected Refusal unknownCustomer() {
		return new Refusal(REFUSED_CUSTOMER,
				MetronomeStub.error(400, "customer_id org_refused is archived and takes no usage"), "http_400",
				"customer_id org_refused is archived and takes no usage");
	}

	@Override
	protected List<SentEvent> eventsOf(LoggedRequest request) {
		return MetronomeStub.events(request)
			.stream()
			.map((event) -> new SentEvent(event.path("transaction_id").asString(), event.path("customer_id").asString(),
					Long.parseLong(event.path("properties").path("value").asString())))
			.toList();
	}

}

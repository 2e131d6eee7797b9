package dev.metering.provider.stripe;

import java.util.List;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.metering.autoconfigure.StripeMeteringAutoConfiguration;
import dev.metering.support.DurableDeliveryContract;

/**
 * Durable delivery to a Stripe stub, one meter event a request.
 */
class StripeDurableDeliveryTests extends DurableDeliveryContract {

	@Override
	protected Class<?> providerAutoConfiguration() {
		return StripeMeteringAutoConfiguration.class;
	}

	@Override
	protected String[] providerProperties(String baseUrl) {
		return new String[] { "metering.provider=stripe", "metering.stripe.api-key=sk_test_durable",
				"metering.stripe.api-base=" + baseUrl, "metering.stripe.meter-events-base=" + baseUrl,
				"metering.stripe.read-timeout=300ms" };
	}

	@Override
	protected MappingBuilder deliveries() {
		return StripeStub.meterEvents();
	}

	@Override
	protected ResponseDefinitionBuilder accepted() {
		return StripeStub.meterEventCreated();
	}

	@Override
	protected ResponseDefinitionBuilder serverError() {
		return StripeStub.error(500, "api_error", null, "An unknown error occurred");
	}

	@Override
	protected ResponseDefinitionBuilder rateLimited() {
		return StripeStub.error(429, "invalid_request_error", "rate_limit", "Too many requests");
	}

	@Override
	protected Refusal unknownCustomer() {
		return new Refusal("cus_late",
				StripeStub.error(400, "invalid_request_error", "resource_missing", "No such customer: 'cus_late'"),
				"resource_missing", "No such customer: 'cus_late'");
	}

	@Override
	protected List<SentEvent> eventsOf(LoggedRequest request) {
		return List.of(new SentEvent(request.formParameter("identifier").firstValue(),
				request.formParameter("payload[stripe_customer_id]").firstValue(),
				Long.parseLong(request.formParameter("payload[value]").firstValue())));
	}

	@Override
	protected String patientReadTimeout() {
		return "metering.stripe.read-timeout=30s";
	}

}

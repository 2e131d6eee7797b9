package dev.metering.test;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

import org.assertj.core.api.AbstractAssert;

/**
 * AssertJ assertions on recorded usage: narrow it to a customer, an organization, an
 * event name, a model or a type of token, then assert its total, its events or that there
 * is none. A failure message shows every event the recorder received.
 */
public final class UsageAssert extends AbstractAssert<UsageAssert, List<RecordedEvent>> {

	/** Everything the recorder received, for failure messages. */
	private final List<RecordedEvent> recorded;

	/**
	 * What this assertion is about, e.g. "usage of customer 'cus_1' on event
	 * 'ai_tokens'".
	 */
	private final String subject;

	private final Function<String, Optional<String>> customers;

	private UsageAssert(List<RecordedEvent> recorded, List<RecordedEvent> selected, String subject,
			Function<String, Optional<String>> customers) {
		super(selected, UsageAssert.class);
		this.recorded = recorded;
		this.subject = subject;
		this.customers = customers;
	}

	static UsageAssert of(List<RecordedEvent> recorded, Function<String, Optional<String>> customers) {
		return new UsageAssert(recorded, recorded, "usage", customers);
	}

	/** Only the usage billed to this provider customer ID. */
	public UsageAssert forCustomer(String customerId) {
		return narrowed((event) -> event.customerId().equals(customerId), "of customer '" + customerId + "'");
	}

	/**
	 * Only the usage billed to this organization's customer, as the application's billing
	 * accounts name it; fails when the organization has none.
	 */
	public UsageAssert forOrganization(String organizationId) {
		Optional<String> customerId = this.customers.apply(organizationId);
		if (customerId.isEmpty()) {
			failWithMessage("%s", "Expected " + this.subject + " of organization '" + organizationId
					+ "', but the organization has no billing account, so no usage can be billed to it");
		}
		String customer = customerId.get();
		return narrowed((event) -> event.customerId().equals(customer),
				"of organization '" + organizationId + "' (customer '" + customer + "')");
	}

	/** Only the usage of this event name (case-sensitive, as providers match them). */
	public UsageAssert onEvent(String eventName) {
		return narrowed((event) -> event.eventName().equals(eventName), "on event '" + eventName + "'");
	}

	/**
	 * Only the usage of this model, as the events of a meter with the {@code model}
	 * dimension carry it (the model that answered).
	 */
	public UsageAssert forModel(String model) {
		return narrowed((event) -> model.equals(event.dimensions().model()), "of model '" + model + "'");
	}

	/**
	 * Only the usage of this type of token ({@code input}, {@code cached-input},
	 * {@code cache-write-input}, {@code output} or {@code reasoning}), as the events of a
	 * meter with the {@code token-type} dimension carry it.
	 */
	public UsageAssert ofTokenType(String tokenType) {
		return narrowed((event) -> tokenType.equals(event.dimensions().tokenType()), "in " + tokenType + " tokens");
	}

	/** The values of the events add up to {@code expected}. */
	public UsageAssert hasTotal(long expected) {
		long total = total();
		if (total != expected) {
			fail("to total " + expected + ", but it totals " + total + " in " + events(this.actual.size()));
		}
		return this;
	}

	/** There are {@code expected} events. */
	public UsageAssert hasEventCount(int expected) {
		if (this.actual.size() != expected) {
			fail("to be " + events(expected) + ", but it is " + events(this.actual.size()));
		}
		return this;
	}

	/** The events carry exactly these values, in any order. */
	public UsageAssert hasValues(long... expected) {
		List<Long> values = this.actual.stream().map(RecordedEvent::value).sorted().toList();
		List<Long> wanted = Arrays.stream(expected).sorted().boxed().toList();
		if (!values.equals(wanted)) {
			fail("to have the values " + wanted + " in any order, but it has " + values);
		}
		return this;
	}

	/** There is no usage at all. */
	public UsageAssert hasNoUsage() {
		if (!this.actual.isEmpty()) {
			fail("to be none, but it is " + events(this.actual.size()) + " totalling " + total());
		}
		return this;
	}

	private UsageAssert narrowed(Predicate<RecordedEvent> filter, String scope) {
		UsageAssert narrowed = new UsageAssert(this.recorded, this.actual.stream().filter(filter).toList(),
				this.subject + " " + scope, this.customers);
		if (this.info.hasDescription()) {
			narrowed.as(this.info.description());
		}
		return narrowed;
	}

	private long total() {
		return this.actual.stream().mapToLong(RecordedEvent::value).sum();
	}

	private void fail(String expectation) {
		StringBuilder message = new StringBuilder("Expected ").append(this.subject)
			.append(' ')
			.append(expectation)
			.append(".\nRecorded usage: ");
		if (this.recorded.isEmpty()) {
			message.append("none");
		}
		else {
			message.append(events(this.recorded.size())).append(':');
			this.recorded.forEach((event) -> message.append("\n  ").append(event));
		}
		failWithMessage("%s", message);
	}

	private static String events(int count) {
		return count + ((count == 1) ? " event" : " events");
	}

}

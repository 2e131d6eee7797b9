package dev.metering;

import org.springframework.ai.chat.client.advisor.api.Advisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisor;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisor;
import org.springframework.core.Ordered;

/**
 * The advisor that meters every model round trip of a ChatClient: before it, checks that
 * the billed organization has an account and is within its plan limit; after it, counts
 * the prompt and completion tokens and records them. It sits next to the model, inside
 * every advisor that calls the model more than once for one call — the tool-calling loop,
 * the structured output validation's repeated attempts — so every round trip is counted
 * once, with the usage the model reported for it.
 * <p>
 * The auto-configuration adds it, with its {@link #callOriginAdvisor() companion}, to
 * every auto-configured {@code ChatClient.Builder}. A {@code ChatClient} built by hand
 * needs both: {@code builder.defaultAdvisors(advisor.callOriginAdvisor(), advisor)}.
 *
 * @since 0.1.0
 */
public interface MeteringAdvisor extends CallAdvisor, StreamAdvisor {

	/**
	 * Advisor param naming the organization (ID or {@link BillingSubject}) to bill for
	 * one call.
	 */
	String ORGANIZATION_ID = "metering.organization-id";

	/**
	 * Next to the model ({@link Ordered#LOWEST_PRECEDENCE}), inside the advisors that
	 * repeat the model call: Spring AI's tool-calling advisor
	 * ({@code HIGHEST_PRECEDENCE + 300}) and structured output validation
	 * ({@code LOWEST_PRECEDENCE - 2000}), so that each round trip is seen as the model
	 * reported it, before any of them sums the usage of several.
	 */
	int DEFAULT_ORDER = Ordered.LOWEST_PRECEDENCE - 1000;

	/**
	 * The companion advisor that settles who a stream bills once, outside the
	 * tool-calling loop, while the caller's thread is at hand (the rounds of a call all
	 * run on the caller's thread and need no help).
	 */
	Advisor callOriginAdvisor();

}

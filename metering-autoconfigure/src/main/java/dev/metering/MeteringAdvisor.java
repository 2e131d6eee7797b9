package dev.metering;

import org.springframework.ai.chat.client.advisor.ToolCallingAdvisor;
import org.springframework.ai.chat.client.advisor.api.Advisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisor;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisor;

/**
 * The advisor that meters every model round trip of a ChatClient: before it, checks that the
 * billed organization has an account and is within its plan limit; after it, counts the prompt
 * and completion tokens and records them. It sits inside the tool-calling loop, so every round
 * of a tool-calling conversation is counted.
 * <p>
 * The auto-configuration adds it, with its {@link #callOriginAdvisor() companion}, to every
 * auto-configured {@code ChatClient.Builder}. A {@code ChatClient} built by hand needs both:
 * {@code builder.defaultAdvisors(advisor.callOriginAdvisor(), advisor)}.
 */
public interface MeteringAdvisor extends CallAdvisor, StreamAdvisor {

	/** Advisor param naming the organization (ID or {@link BillingSubject}) to bill for one call. */
	String ORGANIZATION_ID = "metering.organization-id";

	/** Inside the tool-calling loop, so that each round is seen. */
	int DEFAULT_ORDER = ToolCallingAdvisor.DEFAULT_ORDER + 100;

	/**
	 * The companion advisor that settles who a stream bills once, outside the tool-calling
	 * loop, while the caller's thread is at hand (the rounds of a call all run on the caller's
	 * thread and need no help).
	 */
	Advisor callOriginAdvisor();

}

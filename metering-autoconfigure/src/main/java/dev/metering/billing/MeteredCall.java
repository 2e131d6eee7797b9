package dev.metering.billing;

import org.jspecify.annotations.Nullable;

import dev.metering.pricing.ModelPrice;
import dev.metering.provider.MeterDefinition;
import dev.metering.provider.TokenUsage;

/**
 * A model round trip admitted by {@link UsageMetering}, waiting for its token count.
 * Exactly one of {@link #complete} or {@link #abandon} should be called.
 */
final class MeteredCall {

	private final UsageMetering metering;

	private final @Nullable Account account;

	private final MeterDefinition meter;

	private final @Nullable UsageScope scope;

	private final @Nullable CallHold hold;

	private final @Nullable String requestModel;

	private final @Nullable ModelPrice requestPrice;

	private final @Nullable Integer completionCap;

	/**
	 * @param account the account billed, or {@code null} when the call runs unbilled
	 * @param scope the scope collecting the call's tokens, or {@code null}
	 * @param hold what the call holds under its plan limit and on its balance, or
	 * {@code null}
	 * @param requestModel the model the request asked for, or {@code null}
	 * @param requestPrice that model's price on a credits meter, else {@code null}
	 * @param completionCap the completion tokens the budget pays for, when it is less
	 * than the call may use and {@code metering.limits.on-limit} is {@code cap}; else
	 * {@code null}
	 */
	MeteredCall(UsageMetering metering, @Nullable Account account, MeterDefinition meter, @Nullable UsageScope scope,
			@Nullable CallHold hold, @Nullable String requestModel, @Nullable ModelPrice requestPrice,
			@Nullable Integer completionCap) {
		this.metering = metering;
		this.account = account;
		this.meter = meter;
		this.scope = scope;
		this.hold = hold;
		this.requestModel = requestModel;
		this.requestPrice = requestPrice;
		this.completionCap = completionCap;
	}

	/**
	 * The most completion tokens the call may be let produce: the request's max-tokens
	 * option must be lowered to it before the call runs.
	 * @return the cap, or {@code null} when the request may stay as it is
	 */
	public @Nullable Integer completionCap() {
		return this.completionCap;
	}

	/**
	 * The call ended with these tokens used.
	 * @param model the model that answered, as the response names it, or {@code null}:
	 * the model the request asked for is priced then
	 */
	public void complete(TokenUsage tokens, @Nullable String model) {
		this.metering.complete(this, tokens, model);
	}

	/** The call produced no tokens: release what it reserved, bill nothing. */
	public void abandon() {
		this.metering.settle(this, 0);
	}

	@Nullable Account account() {
		return this.account;
	}

	MeterDefinition meter() {
		return this.meter;
	}

	@Nullable UsageScope scope() {
		return this.scope;
	}

	@Nullable CallHold hold() {
		return this.hold;
	}

	@Nullable String requestModel() {
		return this.requestModel;
	}

	@Nullable ModelPrice requestPrice() {
		return this.requestPrice;
	}

}

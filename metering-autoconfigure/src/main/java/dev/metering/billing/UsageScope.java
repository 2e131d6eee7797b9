package dev.metering.billing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import dev.metering.BillingSubject;
import dev.metering.UsageDimensions;
import dev.metering.provider.MeterDefinition;

/**
 * One {@code @MeteredUsage} invocation: the meter it bills, the subject it settled on
 * when it opened, and the usage of the ChatClient calls made inside it so far (tokens or
 * credits, as its meter counts), per billing account and event dimensions: a call that
 * names another organization is billed to that one.
 */
final class UsageScope {

	static final ThreadLocal<UsageScope> CURRENT = new ThreadLocal<>();

	private final MeterDefinition meter;

	private final @Nullable BillingSubject subject;

	private final boolean named;

	private final @Nullable Account quantityAccount;

	private final @Nullable Map<Collected, Long> tokens;

	private boolean closed;

	private UsageScope(MeterDefinition meter, @Nullable BillingSubject subject, boolean named,
			@Nullable Account quantityAccount, boolean collectsTokens) {
		this.meter = meter;
		this.subject = subject;
		this.named = named;
		this.quantityAccount = quantityAccount;
		this.tokens = collectsTokens ? new LinkedHashMap<>() : null;
	}

	static UsageScope collectingTokens(MeterDefinition meter, @Nullable BillingSubject subject, boolean named) {
		return new UsageScope(meter, subject, named, null, true);
	}

	/**
	 * @param account the account billed the quantity, or {@code null} when it runs
	 * unbilled
	 */
	static UsageScope recordingQuantity(MeterDefinition meter, @Nullable BillingSubject subject, boolean named,
			@Nullable Account account) {
		return new UsageScope(meter, subject, named, account, false);
	}

	/** The scope current on this thread, or {@code null}. */
	static UsageScope current() {
		return CURRENT.get();
	}

	/**
	 * Makes {@code scope} (possibly none) current on this thread; returns the one it
	 * replaced.
	 */
	static UsageScope enter(UsageScope scope) {
		UsageScope previous = CURRENT.get();
		if (scope == null) {
			CURRENT.remove();
		}
		else {
			CURRENT.set(scope);
		}
		return previous;
	}

	MeterDefinition meter() {
		return this.meter;
	}

	/**
	 * The subject settled on when the scope opened, or {@code null} when nothing named
	 * one.
	 */
	@Nullable BillingSubject subject() {
		return this.subject;
	}

	/** Whether the annotation named the subject, which then wins over each call's own. */
	boolean named() {
		return this.named;
	}

	/** Whether ChatClient tokens inside are summed into this scope's event(s). */
	boolean collectsTokens() {
		return this.tokens != null;
	}

	@Nullable Account quantityAccount() {
		return this.quantityAccount;
	}

	/**
	 * Adds usage billed to an account, with the dimensions of its event, unless the scope
	 * already closed (then the caller records it).
	 */
	synchronized boolean tryAdd(Account account, UsageDimensions dimensions, long amount) {
		if (this.closed) {
			return false;
		}
		Objects.requireNonNull(this.tokens, "a scope that collects tokens")
			.merge(new Collected(account, dimensions), amount, Long::sum);
		return true;
	}

	/** Closes the scope; returns the usage collected, per account and dimensions. */
	synchronized Map<Collected, Long> close() {
		this.closed = true;
		return (this.tokens != null) ? new LinkedHashMap<>(this.tokens) : Map.of();
	}

	/**
	 * Usage collected for one event at the scope's end: an account, and its event's
	 * dimensions.
	 */
	record Collected(Account account, UsageDimensions dimensions) {
	}

}

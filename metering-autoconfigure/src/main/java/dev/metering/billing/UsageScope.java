package dev.metering.billing;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import dev.metering.BillingSubject;
import dev.metering.provider.MeterDefinition;

/**
 * One {@code @MeteredUsage} invocation: the meter it bills, the subject it names, and the
 * tokens of the ChatClient calls made inside it so far.
 */
public final class UsageScope {

	/** Reactor context key under which a publisher carries its scope. */
	public static final String REACTOR_KEY = UsageScope.class.getName();

	private static final ThreadLocal<UsageScope> CURRENT = new ThreadLocal<>();

	private final MeterDefinition meter;

	private final BillingSubject subject;

	private final boolean collectsTokens;

	private final AtomicLong tokens = new AtomicLong();

	private volatile BillingAccount account;

	private volatile boolean closed;

	UsageScope(MeterDefinition meter, BillingSubject subject, boolean collectsTokens) {
		this.meter = meter;
		this.subject = subject;
		this.collectsTokens = collectsTokens;
	}

	public static Optional<UsageScope> current() {
		return Optional.ofNullable(CURRENT.get());
	}

	/** Makes {@code scope} (possibly none) current on this thread; returns the one it replaced. */
	public static UsageScope enter(UsageScope scope) {
		UsageScope previous = CURRENT.get();
		if (scope == null) {
			CURRENT.remove();
		}
		else {
			CURRENT.set(scope);
		}
		return previous;
	}

	public MeterDefinition meter() {
		return this.meter;
	}

	/** The subject named by the annotation, or {@code null} to use the context's. */
	public BillingSubject subject() {
		return this.subject;
	}

	/** Whether ChatClient tokens inside are summed into this scope's one event. */
	boolean collectsTokens() {
		return this.collectsTokens;
	}

	/** Adds tokens to this scope, unless it already closed (then the caller records them). */
	synchronized boolean tryAdd(BillingAccount account, long amount) {
		if (this.closed) {
			return false;
		}
		if (this.account == null) {
			this.account = account;
		}
		this.tokens.addAndGet(amount);
		return true;
	}

	synchronized long close() {
		this.closed = true;
		return this.tokens.get();
	}

	BillingAccount account() {
		return this.account;
	}

}

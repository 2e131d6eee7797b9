package dev.metering.billing;

import io.micrometer.context.ThreadLocalAccessor;

/**
 * Lets Micrometer's context propagation carry the current {@code @MeteredUsage} scope to
 * other threads, like {@link dev.metering.MeteringContextAccessor} does for the subject.
 * Registered through {@code META-INF/services}.
 */
public final class UsageScopeAccessor implements ThreadLocalAccessor<UsageScope> {

	/** The key of the scope in a context snapshot and in a Reactor context. */
	public static final String KEY = "metering.scope";

	@Override
	public Object key() {
		return KEY;
	}

	@Override
	public UsageScope getValue() {
		return UsageScope.CURRENT.get();
	}

	@Override
	public void setValue(UsageScope scope) {
		UsageScope.CURRENT.set(scope);
	}

	@Override
	public void setValue() {
		UsageScope.CURRENT.remove();
	}

	@Override
	public void restore(UsageScope previous) {
		UsageScope.enter(previous);
	}

}

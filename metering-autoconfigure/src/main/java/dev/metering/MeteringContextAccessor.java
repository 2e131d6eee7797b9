package dev.metering;

import io.micrometer.context.ThreadLocalAccessor;

/**
 * Lets Micrometer's context propagation carry the subject of {@link MeteringContext} to
 * other threads: tasks of executors decorated with Spring's
 * {@code ContextPropagatingTaskDecorator} (the auto-configuration registers one), and
 * Reactor operators when the application turns on automatic context propagation.
 * Registered through {@code META-INF/services}.
 *
 * @since 0.1.0
 */
public final class MeteringContextAccessor implements ThreadLocalAccessor<BillingSubject> {

	/** The key of the subject in a context snapshot and in a Reactor context. */
	public static final String KEY = "metering.subject";

	@Override
	public Object key() {
		return KEY;
	}

	@Override
	public BillingSubject getValue() {
		return MeteringContext.CURRENT.get();
	}

	@Override
	public void setValue(BillingSubject subject) {
		MeteringContext.CURRENT.set(subject);
	}

	@Override
	public void setValue() {
		MeteringContext.CURRENT.remove();
	}

	@Override
	public void restore(BillingSubject previous) {
		MeteringContext.restore(previous);
	}

}

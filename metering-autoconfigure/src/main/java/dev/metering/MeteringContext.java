package dev.metering;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Names the billed subject for a block of code.
 * <p>
 * The subject is visible to ChatClient calls made on this thread, to tasks submitted to
 * Spring-managed executors (through the auto-configured task decorator) and, when the block
 * returns a {@link Flux} or {@link Mono}, to that publisher wherever it is subscribed. It is
 * removed when the block ends, so it never leaks to the next request served by the thread.
 */
public final class MeteringContext {

	/** Reactor context key under which a publisher carries its billing subject. */
	static final String REACTOR_KEY = MeteringContext.class.getName();

	private static final ThreadLocal<BillingSubject> CURRENT = new ThreadLocal<>();

	private MeteringContext() {
	}

	public static <T> T callAs(BillingSubject subject, Supplier<T> action) {
		Objects.requireNonNull(subject, "subject must not be null");
		Objects.requireNonNull(action, "action must not be null");
		BillingSubject previous = CURRENT.get();
		CURRENT.set(subject);
		try {
			return carryInto(action.get(), subject);
		}
		finally {
			restore(previous);
		}
	}

	public static void runAs(BillingSubject subject, Runnable action) {
		Objects.requireNonNull(action, "action must not be null");
		callAs(subject, () -> {
			action.run();
			return null;
		});
	}

	/** The subject named by the innermost enclosing {@code callAs}/{@code runAs}, if any. */
	public static Optional<BillingSubject> current() {
		return Optional.ofNullable(CURRENT.get());
	}

	@SuppressWarnings("unchecked")
	private static <T> T carryInto(T result, BillingSubject subject) {
		if (result instanceof Flux<?> flux) {
			return (T) flux.contextWrite(ctx -> ctx.put(REACTOR_KEY, subject));
		}
		if (result instanceof Mono<?> mono) {
			return (T) mono.contextWrite(ctx -> ctx.put(REACTOR_KEY, subject));
		}
		return result;
	}

	private static void restore(BillingSubject subject) {
		if (subject == null) {
			CURRENT.remove();
		}
		else {
			CURRENT.set(subject);
		}
	}

}

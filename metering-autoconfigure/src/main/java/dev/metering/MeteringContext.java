package dev.metering;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Names the billed subject for a block of code.
 * <p>
 * The subject is visible to ChatClient calls made on this thread, to tasks of
 * Spring-managed executors (through Micrometer's context propagation, see
 * {@link MeteringContextAccessor}) and, when the block returns a {@link Flux} or
 * {@link Mono}, to that publisher wherever it is subscribed. It is removed when the block
 * ends, so it never leaks to the next request served by the thread.
 *
 * @since 0.1.0
 */
public final class MeteringContext {

	static final ThreadLocal<BillingSubject> CURRENT = new ThreadLocal<>();

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

	/**
	 * The subject named by the innermost enclosing {@code callAs}/{@code runAs}, if any.
	 */
	public static Optional<BillingSubject> current() {
		return Optional.ofNullable(CURRENT.get());
	}

	@SuppressWarnings("unchecked")
	private static <T> T carryInto(T result, BillingSubject subject) {
		if (result instanceof Flux<?> flux) {
			return (T) flux.contextWrite((context) -> context.put(MeteringContextAccessor.KEY, subject));
		}
		if (result instanceof Mono<?> mono) {
			return (T) mono.contextWrite((context) -> context.put(MeteringContextAccessor.KEY, subject));
		}
		return result;
	}

	static void restore(BillingSubject subject) {
		if (subject == null) {
			CURRENT.remove();
		}
		else {
			CURRENT.set(subject);
		}
	}

}

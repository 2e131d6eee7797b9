package dev.metering.context;

import java.util.Optional;

import org.springframework.core.task.TaskDecorator;

import dev.metering.BillingSubject;
import dev.metering.MeteringContext;
import dev.metering.billing.UsageScope;

/**
 * Carries the billing subject and {@code @MeteredUsage} scope of the submitting thread to
 * the task, and takes them away again when the task ends, so that pooled threads never keep
 * another request's subject.
 */
public final class MeteringTaskDecorator implements TaskDecorator {

	@Override
	public Runnable decorate(Runnable runnable) {
		Optional<BillingSubject> subject = MeteringContext.current();
		UsageScope scope = UsageScope.current().orElse(null);
		if (subject.isEmpty() && scope == null) {
			return runnable;
		}
		return () -> {
			UsageScope previous = UsageScope.enter(scope);
			try {
				subject.ifPresentOrElse((s) -> MeteringContext.runAs(s, runnable), runnable);
			}
			finally {
				UsageScope.enter(previous);
			}
		};
	}

}

package dev.metering.billing;

import java.lang.reflect.Method;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.aop.support.AopUtils;

import dev.metering.BillingSubject;
import dev.metering.MeteredUsage;

/**
 * Meters each invocation of a {@link MeteredUsage} method as one usage event.
 */
final class MeteredUsageInterceptor implements MethodInterceptor {

	private static final Log logger = LogFactory.getLog(MeteredUsageInterceptor.class);

	private final Supplier<UsageMetering> metering;

	private final RestrictedExpressions expressions = new RestrictedExpressions();

	MeteredUsageInterceptor(Supplier<UsageMetering> metering) {
		this.metering = metering;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Object target = invocation.getThis();
		Method method = (target != null)
				? AopUtils.getMostSpecificMethod(invocation.getMethod(), AopUtils.getTargetClass(target))
				: invocation.getMethod();
		MeteredUsage meteredUsage = method.getAnnotation(MeteredUsage.class);
		if (meteredUsage == null) {
			return invocation.proceed();
		}
		Object[] args = invocation.getArguments();
		UsageMetering metering = this.metering.get();
		boolean collectsTokens = meteredUsage.quantity().isEmpty();
		if (!collectsTokens) {
			// vet the quantity now, so that a forbidden expression fails before the work
			// is done
			this.expressions.parse("quantity", meteredUsage.quantity(), method);
		}
		UsageScope scope = metering.openScope(meteredUsage.value(), organization(meteredUsage, method, args),
				collectsTokens);
		UsageScope previous = metering.enter(scope);
		@Nullable Object result;
		try {
			result = invocation.proceed();
		}
		catch (Throwable ex) {
			metering.closeScope(scope, null);
			throw ex;
		}
		finally {
			metering.enter(previous);
		}
		if (result instanceof Flux<?> flux) {
			return flux.contextWrite((context) -> context.put(UsageScopeAccessor.KEY, scope))
				.doFinally((signal) -> close(scope, meteredUsage, method, args, result));
		}
		if (result instanceof Mono<?> mono) {
			return mono.contextWrite((context) -> context.put(UsageScopeAccessor.KEY, scope))
				.doFinally((signal) -> close(scope, meteredUsage, method, args, result));
		}
		close(scope, meteredUsage, method, args, result);
		return result;
	}

	private void close(UsageScope scope, MeteredUsage meteredUsage, Method method, Object[] args,
			@Nullable Object result) {
		Long quantity = null;
		if (!meteredUsage.quantity().isEmpty()) {
			quantity = quantity(meteredUsage.quantity(), method, args, result);
		}
		this.metering.get().closeScope(scope, quantity);
	}

	private @Nullable BillingSubject organization(MeteredUsage meteredUsage, Method method, Object[] args) {
		if (meteredUsage.organization().isEmpty()) {
			return null;
		}
		Object value = this.expressions
			.evaluate(this.expressions.parse("organization", meteredUsage.organization(), method), method, args, null);
		if (value instanceof BillingSubject subject) {
			return subject;
		}
		if (value instanceof String id && !id.isBlank()) {
			return BillingSubject.organization(id);
		}
		throw new IllegalArgumentException("@MeteredUsage(organization = \"" + meteredUsage.organization() + "\") on "
				+ method.getDeclaringClass().getSimpleName() + "." + method.getName()
				+ " must give an organization ID or a BillingSubject, gave " + value);
	}

	/**
	 * The quantity to record, or {@code null} (logged) when the expression gives no
	 * usable one.
	 */
	private @Nullable Long quantity(String text, Method method, Object[] args, @Nullable Object result) {
		Object value;
		try {
			value = this.expressions.evaluate(this.expressions.parse("quantity", text, method), method, args, result);
		}
		catch (RuntimeException ex) {
			logger.error("@MeteredUsage(quantity = \"" + text + "\") on " + method.getName()
					+ " could not be evaluated; nothing recorded: " + ex.getMessage());
			return null;
		}
		if (value instanceof Number number && number.doubleValue() >= 0
				&& number.doubleValue() == Math.rint(number.doubleValue())) {
			return number.longValue();
		}
		logger.error("@MeteredUsage(quantity = \"" + text + "\") on " + method.getName()
				+ " must give a whole number >= 0, gave " + value + "; nothing recorded");
		return null;
	}

}

package dev.metering.aop;

import java.lang.reflect.Method;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.aspectj.lang.ProceedingJoinPoint;
import org.aspectj.lang.annotation.Around;
import org.aspectj.lang.annotation.Aspect;
import org.aspectj.lang.reflect.MethodSignature;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.metering.BillingSubject;
import dev.metering.MeteredUsage;
import dev.metering.billing.UsageMetering;
import dev.metering.billing.UsageScope;
import dev.metering.billing.UsageScopeAccessor;

/**
 * Meters each invocation of a {@link MeteredUsage} method as one usage event.
 */
@Aspect
public final class MeteredUsageAspect {

	private static final Log logger = LogFactory.getLog(MeteredUsageAspect.class);

	private final UsageMetering metering;

	private final RestrictedExpressions expressions = new RestrictedExpressions();

	public MeteredUsageAspect(UsageMetering metering) {
		this.metering = metering;
	}

	@Around("@annotation(meteredUsage)")
	public Object meter(ProceedingJoinPoint joinPoint, MeteredUsage meteredUsage) throws Throwable {
		Method method = ((MethodSignature) joinPoint.getSignature()).getMethod();
		Object[] args = joinPoint.getArgs();
		boolean collectsTokens = meteredUsage.quantity().isEmpty();
		if (!collectsTokens) {
			// vet the quantity now, so that a forbidden expression fails before the work
			// is done
			this.expressions.parse("quantity", meteredUsage.quantity(), method);
		}
		UsageScope scope = this.metering.openScope(meteredUsage.value(), organization(meteredUsage, method, args),
				collectsTokens);
		UsageScope previous = this.metering.enter(scope);
		Object result;
		try {
			result = joinPoint.proceed();
		}
		catch (Throwable ex) {
			this.metering.closeScope(scope, null);
			throw ex;
		}
		finally {
			this.metering.enter(previous);
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

	private void close(UsageScope scope, MeteredUsage meteredUsage, Method method, Object[] args, Object result) {
		Long quantity = null;
		if (!meteredUsage.quantity().isEmpty()) {
			quantity = quantity(meteredUsage.quantity(), method, args, result);
		}
		this.metering.closeScope(scope, quantity);
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
	private @Nullable Long quantity(String text, Method method, Object[] args, Object result) {
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

package dev.metering.billing;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.core.convert.TypeDescriptor;
import org.springframework.expression.AccessException;
import org.springframework.expression.EvaluationContext;
import org.springframework.expression.Expression;
import org.springframework.expression.MethodExecutor;
import org.springframework.expression.MethodResolver;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.SpelNode;
import org.springframework.expression.spel.ast.Assign;
import org.springframework.expression.spel.ast.BeanReference;
import org.springframework.expression.spel.ast.ConstructorReference;
import org.springframework.expression.spel.ast.FunctionReference;
import org.springframework.expression.spel.ast.MethodReference;
import org.springframework.expression.spel.ast.TypeReference;
import org.springframework.expression.spel.standard.SpelExpression;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.ReflectiveMethodResolver;
import org.springframework.expression.spel.support.SimpleEvaluationContext;

/**
 * SpEL for {@code @MeteredUsage}, restricted to reading method arguments and the result:
 * property reads, literals and operators, plus the size-like methods {@code size()},
 * {@code length()} and {@code isEmpty()}. Type references, bean references, constructors,
 * assignments and any other method call are refused before anything is evaluated.
 */
final class RestrictedExpressions {

	private static final Set<String> ALLOWED_METHODS = Set.of("size", "length", "isEmpty");

	private final SpelExpressionParser parser = new SpelExpressionParser();

	private final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();

	private final Map<String, Expression> cache = new ConcurrentHashMap<>();

	/**
	 * Parses and vets an expression.
	 * @throws IllegalArgumentException naming the expression and what it may not do
	 */
	Expression parse(String attribute, String text, Method method) {
		return this.cache.computeIfAbsent(attribute + '\0' + text, (key) -> {
			SpelExpression expression;
			try {
				expression = this.parser.parseRaw(text);
			}
			catch (ParseException ex) {
				throw invalid(attribute, text, method, ex.getSimpleMessage());
			}
			String refused = refusedNode(expression.getAST());
			if (refused != null) {
				throw invalid(attribute, text, method, refused + " are not allowed; only method arguments, "
						+ "#result, their properties, literals and operators");
			}
			return expression;
		});
	}

	@Nullable Object evaluate(Expression expression, Method method, Object[] args, @Nullable Object result) {
		SimpleEvaluationContext context = SimpleEvaluationContext.forReadOnlyDataBinding()
			.withMethodResolvers(new SizeLikeMethodResolver())
			.build();
		bindArguments(context, method, args);
		context.setVariable("result", result);
		return expression.getValue(context);
	}

	private void bindArguments(EvaluationContext context, Method method, Object[] args) {
		String[] names = this.parameterNames.getParameterNames(method);
		for (int i = 0; i < args.length; i++) {
			context.setVariable("p" + i, args[i]);
			context.setVariable("a" + i, args[i]);
			if (names != null && i < names.length) {
				context.setVariable(names[i], args[i]);
			}
		}
	}

	private static @Nullable String refusedNode(SpelNode node) {
		if (node instanceof TypeReference) {
			return "type references (T(...))";
		}
		if (node instanceof BeanReference) {
			return "bean references (@...)";
		}
		if (node instanceof ConstructorReference) {
			return "constructors (new ...)";
		}
		if (node instanceof Assign) {
			return "assignments";
		}
		if (node instanceof FunctionReference) {
			return "function calls";
		}
		if (node instanceof MethodReference method && !ALLOWED_METHODS.contains(method.getName())) {
			return "method calls other than size(), length() and isEmpty()";
		}
		for (int i = 0; i < node.getChildCount(); i++) {
			String refused = refusedNode(node.getChild(i));
			if (refused != null) {
				return refused;
			}
		}
		return null;
	}

	private static IllegalArgumentException invalid(String attribute, String text, Method method, String why) {
		return new IllegalArgumentException("@MeteredUsage(" + attribute + " = \"" + text + "\") on "
				+ method.getDeclaringClass().getSimpleName() + "." + method.getName() + " is not allowed: " + why);
	}

	/** Resolves only the size-like methods, whatever the vetting let through. */
	private static final class SizeLikeMethodResolver implements MethodResolver {

		private final ReflectiveMethodResolver delegate = new ReflectiveMethodResolver();

		@Override
		public @Nullable MethodExecutor resolve(EvaluationContext context, Object target, String name,
				List<TypeDescriptor> argumentTypes) throws AccessException {
			if (!ALLOWED_METHODS.contains(name) || !argumentTypes.isEmpty() || target instanceof Class) {
				return null;
			}
			return this.delegate.resolve(context, target, name, argumentTypes);
		}

	}

}

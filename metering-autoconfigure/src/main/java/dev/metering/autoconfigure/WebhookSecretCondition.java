package dev.metering.autoconfigure;

import java.util.List;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * A provider's webhook signing secret is set: a list property, which may be given as one
 * value, comma-separated, or indexed ({@code secret[0]}), so
 * {@code @ConditionalOnProperty} does not see every form. A blank value, such as an unset
 * environment variable's default, is not a secret.
 */
abstract class WebhookSecretCondition extends SpringBootCondition {

	private final String property;

	WebhookSecretCondition(String property) {
		this.property = property;
	}

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		ConditionMessage.Builder message = ConditionMessage.forCondition("Webhook signing secret");
		boolean set = Binder.get(context.getEnvironment())
			.bind(this.property, Bindable.listOf(String.class))
			.orElse(List.of())
			.stream()
			.anyMatch((secret) -> secret != null && !secret.isBlank());
		return set ? ConditionOutcome.match(message.found("property").items(this.property))
				: ConditionOutcome.noMatch(message.didNotFind("property").items(this.property));
	}

	/** {@code metering.stripe.webhook.secret} is set. */
	static final class Stripe extends WebhookSecretCondition {

		Stripe() {
			super(MeteringProperties.PREFIX + ".stripe.webhook.secret");
		}

	}

	/** {@code metering.polar.webhook.secret} is set. */
	static final class Polar extends WebhookSecretCondition {

		Polar() {
			super(MeteringProperties.PREFIX + ".polar.webhook.secret");
		}

	}

	/** {@code metering.metronome.webhook.secret} is set. */
	static final class Metronome extends WebhookSecretCondition {

		Metronome() {
			super(MeteringProperties.PREFIX + ".metronome.webhook.secret");
		}

	}

}

package dev.metering.webhook;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.metering.delivery.DefaultDeliveryObservationConvention;
import dev.metering.delivery.DeliveryObservationContext;
import dev.metering.delivery.DeliveryObservationConvention;
import dev.metering.delivery.DeliveryObservationDocumentation;
import dev.metering.outbox.DeliveryQueue;
import dev.metering.outbox.LateRefusal;
import dev.metering.provider.ProviderEvent;
import dev.metering.provider.UsageEvent;

/**
 * Does what a provider's webhook event asks of metering: caches the customer the provider
 * names for an organization, and forgets the customer or the plan and period cached where
 * they changed, so that the next call reads them from the provider, in the caches of
 * every instance ({@link CacheChanges}); and moves usage the provider refused after
 * accepting it to the dead letters with the provider's reason.
 * <p>
 * A refusal that names no delivered event in the outbox (the outbox in memory forgets
 * delivered events, a database outbox keeps them for {@code metering.outbox.retention},
 * and a provider may count refusals without naming each) is not lost: it is logged at
 * WARN with the provider's account, and counted apart. The dead-lettering is observed as
 * a {@link DeliveryObservationDocumentation#DELIVERY delivery} the webhook triggered.
 */
final class ProviderEventHandler {

	private static final Log logger = LogFactory.getLog(ProviderEventHandler.class);

	private static final DeliveryObservationConvention DEFAULT_CONVENTION = new DefaultDeliveryObservationConvention();

	private final String provider;

	private final CacheChanges caches;

	private final DeliveryQueue outbox;

	private final ObservationRegistry observations;

	private final Clock clock;

	/** {@code null} for the default. */
	private @Nullable DeliveryObservationConvention convention;

	/**
	 * @param provider the provider's name, for logs
	 * @param caches changes the caches of the provider's look-ups, of every instance
	 * @param outbox where delivered events are dead-lettered
	 * @param observations where the dead-lettering of refused usage is observed
	 * @param clock tells when a refusal became known
	 */
	ProviderEventHandler(String provider, CacheChanges caches, DeliveryQueue outbox, ObservationRegistry observations,
			Clock clock) {
		this.provider = provider;
		this.caches = caches;
		this.outbox = outbox;
		this.observations = observations;
		this.clock = clock;
	}

	/** Replaces {@link DefaultDeliveryObservationConvention}. */
	void setObservationConvention(DeliveryObservationConvention convention) {
		this.convention = convention;
	}

	void handle(ProviderEvent event) {
		if (event instanceof ProviderEvent.AccountsChanged changed) {
			change(changed);
		}
		else if (event instanceof ProviderEvent.UsageRefused refused) {
			DeliveryObservationContext context = new DeliveryObservationContext(this.provider,
					DeliveryObservationContext.Trigger.WEBHOOK);
			DeliveryObservationDocumentation.DELIVERY
				.observation(this.convention, DEFAULT_CONVENTION, () -> context, this.observations)
				.observe(() -> deadLetter(refused, context));
		}
	}

	private void change(ProviderEvent.AccountsChanged changed) {
		this.caches.publish(CacheChange.of(changed));
		if (logger.isDebugEnabled()) {
			logger.debug(this.provider + " told of customers " + changed.customers() + "; customers of "
					+ changed.referenceIds() + " and subscriptions of " + changed.customerIds()
					+ " are read again at the next call");
		}
	}

	private void deadLetter(ProviderEvent.UsageRefused refused, DeliveryObservationContext context) {
		Instant now = this.clock.instant();
		List<String> deadLettered = new ArrayList<>();
		List<String> notFound = new ArrayList<>();
		for (ProviderEvent.Refusal refusal : refused.refusals()) {
			LateRefusal result = this.outbox.deadLetterDelivered(refusal.identifier(), refusal.code(),
					refusal.message(), now);
			if (result.outcome() == LateRefusal.Outcome.DEAD_LETTERED) {
				deadLettered.add(refusal.identifier());
				context.deadLettered();
				UsageEvent dead = Objects.requireNonNull(result.event(), "a dead-lettered refusal's event");
				logger.warn("Usage event " + dead.identifier() + " (" + dead.eventName() + ", customer "
						+ dead.customerId() + ", value " + dead.value() + ") was refused by " + this.provider
						+ " after delivery: " + refusal.code() + ": " + refusal.message());
			}
			else if (result.outcome() == LateRefusal.Outcome.NOT_FOUND) {
				notFound.add(refusal.identifier() + " (" + refusal.code() + ": " + refusal.message() + ")");
			}
		}
		long unaccounted = notFound.size() + refused.unnamed();
		if (!deadLettered.isEmpty()) {
			context.refusedLate(deadLettered.size(), true);
		}
		if (unaccounted > 0) {
			context.refusedLate(unaccounted, false);
		}
		logger.warn(this.provider + " refused usage it had accepted: " + refused.description() + ". Now dead letters: "
				+ deadLettered + "; no delivered event in the outbox for " + notFound
				+ ((refused.unnamed() > 0) ? "; " + refused.unnamed() + " more refused without an identifier" : ""));
	}

}

package dev.metering.autoconfigure;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.metering.billing.Enforcement;
import dev.metering.billing.MissingCustomerPolicy;
import dev.metering.provider.MeterAggregation;
import dev.metering.provider.MeterDimension;
import dev.metering.provider.MeterUnit;
import dev.metering.provider.TokenKind;

/**
 * Configuration of the core of Spring AI Metering: the provider, the meters, the plans
 * and who is billed. Each feature has properties of its own under
 * {@code metering.<feature>}; the values are checked where they are used.
 *
 * @param enabled Whether to enable metering.
 * @param provider Billing provider that usage is recorded to: local (the embedded meter),
 * stripe, polar or metronome.
 * @param defaultMeter Meter key that ChatClient usage outside any MeteredUsage scope is
 * recorded to.
 * @param meters Meters by meter key. When none are configured, one meter "ai-tokens"
 * exists (event name "ai_tokens", total tokens).
 * @param allowUnknownEvents Whether BillingClient.recordUsage accepts event names that no
 * configured meter has.
 * @param accounts Static billing accounts by organization or user ID, for development and
 * tests; in production a BillingSubjectResolver and the provider's customers name them.
 * @param plans Plans by name, with their limits.
 * @param defaultPlan Plan of subjects whose account names none and who have no
 * subscription.
 * @param enforcement What happens to a call that would start at or over its plan limit.
 * @param onMissingCustomer What happens to a call whose subject has no billing account.
 * @since 0.1.0
 */
@ConfigurationProperties(MeteringProperties.PREFIX)
public record MeteringProperties(@DefaultValue("true") boolean enabled, @DefaultValue("local") Provider provider,
		@DefaultValue(DEFAULT_METER) String defaultMeter, Map<String, Meter> meters,
		@DefaultValue("false") boolean allowUnknownEvents, Map<String, Account> accounts, Map<String, Plan> plans,
		@DefaultValue("free") String defaultPlan, @DefaultValue("enforce") Enforcement enforcement,
		@DefaultValue("reject") MissingCustomerPolicy onMissingCustomer) {

	/** The prefix of every property of metering. */
	public static final String PREFIX = "metering";

	static final String DEFAULT_METER = "ai-tokens";

	public MeteringProperties {
		meters = (meters == null || meters.isEmpty())
				? Map.of(DEFAULT_METER,
						new Meter("ai_tokens", null, TokenKind.TOTAL, null, MeterAggregation.SUM,
								new Meter.Polar(Meter.Polar.DEFAULT_VALUE_KEY),
								new Meter.Metronome(Meter.Polar.DEFAULT_VALUE_KEY, null),
								new Meter.Stripe(null, null, null), null, MeterUnit.TOKENS, List.of(), false))
				: new LinkedHashMap<>(meters);
		accounts = (accounts != null) ? new LinkedHashMap<>(accounts) : Map.of();
		plans = (plans != null) ? new LinkedHashMap<>(plans) : Map.of();
	}

	/** Where the outbox or the usage ledger keeps its state. */
	public enum Store {

		/** jdbc when the application has a DataSource, else memory. */
		AUTO,
		/** In memory: lost with the process, and per instance. */
		MEMORY,
		/** In the application's database (H2 or PostgreSQL), shared by every instance. */
		JDBC

	}

	/** Where usage is billed. */
	public enum Provider {

		/** The embedded meter: no keys, no services. */
		LOCAL,
		/** Stripe Billing Meters. */
		STRIPE,
		/** Polar meters. */
		POLAR,
		/** Metronome usage-based billing. */
		METRONOME

	}

	/**
	 * A meter.
	 *
	 * @param eventName Event name the provider's meter listens to, case-sensitive.
	 * @param meterId Provider's meter ID (mtr_... for Stripe, the billable metric's UUID
	 * for Metronome) that BillingClient.getUsage reads; for the local meter it defaults
	 * to the meter key.
	 * @param tokens Which ChatClient tokens feed this meter: total, input, cached-input,
	 * cache-write-input, output, reasoning or none. The types besides total and none are
	 * disjoint: each token is in exactly one of them.
	 * @param limitKey Plan limit checked before each model call that feeds this meter.
	 * @param aggregation How the provider's meter aggregates events: sum, count or last.
	 * Only events of sum meters are coalesced before delivery.
	 * @param polar Polar settings of this meter.
	 * @param metronome Metronome settings of this meter.
	 * @param stripe Stripe settings of this meter.
	 * @param displayName Name of the meter that people read, e.g. on a usage dashboard.
	 * When unset, the meter key.
	 * @param unit What the meter's values count: tokens, or credits (the tokens priced by
	 * metering.pricing).
	 * @param dimensions Dimensions the meter's events carry beside the value: model (the
	 * model that answered) and token-type (one event per type of token). Stripe gets them
	 * as payload keys model and token_type, Polar as metadata, Metronome as properties.
	 * @param prepaid Whether calls draw this meter's usage from the organization's
	 * prepaid balance: the credit grants it holds on the meter.
	 */
	public record Meter(String eventName, @Nullable String meterId, @DefaultValue("total") TokenKind tokens,
			@Nullable String limitKey, @DefaultValue("sum") MeterAggregation aggregation,
			@DefaultValue Meter.Polar polar, @DefaultValue Meter.Metronome metronome, @DefaultValue Meter.Stripe stripe,
			@Nullable String displayName, @DefaultValue("tokens") MeterUnit unit, List<MeterDimension> dimensions,
			@DefaultValue("false") boolean prepaid) {

		public Meter {
			dimensions = (dimensions != null) ? List.copyOf(dimensions) : List.of();
		}

		/**
		 * Polar settings of a meter.
		 *
		 * @param valueKey Key of the event metadata that carries the value: the property
		 * the Polar meter's sum aggregation reads.
		 */
		public record Polar(@DefaultValue("value") String valueKey) {

			static final String DEFAULT_VALUE_KEY = "value";

			public Polar {
				valueKey = (valueKey != null) ? valueKey : DEFAULT_VALUE_KEY;
			}

		}

		/**
		 * Metronome settings of a meter.
		 *
		 * @param valueKey Key of the event properties that carries the value: the
		 * property the Metronome billable metric sums.
		 * @param creditTypeId Metronome credit type of the commits and credits this
		 * meter's usage draws on, for its prepaid balance. When unset, the customer's
		 * balances must all be of one credit type.
		 */
		public record Metronome(@DefaultValue("value") String valueKey, @Nullable String creditTypeId) {

			public Metronome {
				valueKey = (valueKey != null) ? valueKey : Polar.DEFAULT_VALUE_KEY;
			}

		}

		/**
		 * Stripe settings of a meter.
		 *
		 * @param unitAmountDecimal Price of one unit of the meter (a token or a credit)
		 * in the smallest unit of the currency, such as cents, as a Stripe price's
		 * unit_amount_decimal, e.g. 0.0002. Converts the customer's credit grants and
		 * credit balance, which Stripe keeps in money, into the meter's unit for its
		 * prepaid balance.
		 * @param currency Currency of unit-amount-decimal, as Stripe writes it (e.g.
		 * usd). Credit grants in another currency are left out of the meter's prepaid
		 * balance. When unset, the customer's credit grants must all be in one currency.
		 * @param priceId Stripe price (price_...) of the meter, charged per unit, whose
		 * unit_amount_decimal and currency convert the prepaid balance when
		 * unit-amount-decimal is unset.
		 */
		public record Stripe(@Nullable BigDecimal unitAmountDecimal, @Nullable String currency,
				@Nullable String priceId) {

		}

	}

	/**
	 * A static billing account.
	 *
	 * @param customerId Provider's customer ID of the organization or user.
	 * @param plan Plan of the account. When unset, the provider's subscription decides,
	 * else metering.default-plan.
	 */
	public record Account(String customerId, String plan) {
	}

	/**
	 * A plan.
	 *
	 * @param priceIds Stripe price IDs that put a subscription on this plan.
	 * @param polarProductIds Polar product IDs that put a subscription on this plan.
	 * @param metronomeRateCardIds Metronome rate card IDs that put a contract on this
	 * plan.
	 * @param metronomeProductIds Metronome product IDs whose subscription in a contract
	 * puts it on this plan.
	 * @param limits Limits per billing period by limit key. A key that is absent is
	 * unlimited.
	 * @param grants Credit grants the plan gives its subscribers on prepaid meters, by
	 * meter key.
	 */
	public record Plan(List<String> priceIds, List<String> polarProductIds, List<String> metronomeRateCardIds,
			List<String> metronomeProductIds, Map<String, Long> limits, Map<String, Grant> grants) {

		public Plan {
			priceIds = (priceIds != null) ? new ArrayList<>(priceIds) : List.of();
			polarProductIds = (polarProductIds != null) ? new ArrayList<>(polarProductIds) : List.of();
			metronomeRateCardIds = (metronomeRateCardIds != null) ? new ArrayList<>(metronomeRateCardIds) : List.of();
			metronomeProductIds = (metronomeProductIds != null) ? new ArrayList<>(metronomeProductIds) : List.of();
			limits = (limits != null) ? new LinkedHashMap<>(limits) : Map.of();
			grants = (grants != null) ? new LinkedHashMap<>(grants) : Map.of();
		}

		/**
		 * A credit grant a plan gives again and again.
		 *
		 * @param amount What each grant holds, in the meter's unit.
		 * @param every How often the plan grants it.
		 * @param rollover Whether what is left of a grant carries over into the next one
		 * instead of expiring with its period.
		 */
		public record Grant(long amount, @DefaultValue("period") Recurrence every,
				@DefaultValue("false") boolean rollover) {

		}

		/** How often a plan grants credits. */
		public enum Recurrence {

			/**
			 * At the start of each billing period: the subscription's, else the calendar
			 * month.
			 */
			PERIOD

		}

	}

	/**
	 * A provider's webhooks, received on Spring MVC or WebFlux once a signing secret is
	 * set.
	 *
	 * @param secret Signing secrets of the provider's webhooks, comma-separated: one per
	 * endpoint or event destination that posts to this path. The webhooks are received
	 * only when one is set. Never logged.
	 * @param path Path the provider posts its webhooks to.
	 * @param tolerance How long after it was signed a delivery is accepted; an older one
	 * is refused as a replay.
	 */
	public record Webhook(List<String> secret, String path, @DefaultValue("5m") Duration tolerance) {

		public Webhook {
			secret = (secret != null) ? secret.stream().map(String::trim).filter((value) -> !value.isEmpty()).toList()
					: List.of();
		}

		/** These settings, with {@code defaultPath} when no path is set. */
		Webhook withDefaultPath(String defaultPath) {
			return (this.path != null) ? this : new Webhook(this.secret, defaultPath, this.tolerance);
		}

		@Override
		public String toString() {
			return "Webhook[secret=" + (this.secret.isEmpty() ? "" : "******") + ", path=" + this.path + ", tolerance="
					+ this.tolerance + "]";
		}

	}

}

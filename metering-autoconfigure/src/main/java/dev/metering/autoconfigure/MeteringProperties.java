package dev.metering.autoconfigure;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.bind.Name;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.scheduling.support.CronExpression;

import dev.metering.billing.Enforcement;
import dev.metering.billing.LookupFailurePolicy;
import dev.metering.billing.MissingCustomerPolicy;
import dev.metering.billing.OnLimit;
import dev.metering.limits.StoreFailurePolicy;
import dev.metering.pricing.PriceList;
import dev.metering.pricing.TokenRates;
import dev.metering.provider.MeterAggregation;
import dev.metering.provider.MeterDefinition;
import dev.metering.provider.MeterDimension;
import dev.metering.provider.MeterUnit;
import dev.metering.provider.TokenKind;

/**
 * Configuration of Spring AI Metering, validated when it is bound: a mistake fails
 * start-up with a message that names the property.
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
 * @param stripe Stripe settings.
 * @param polar Polar settings.
 * @param metronome Metronome settings.
 * @param delivery How usage is delivered to the provider.
 * @param outbox Where usage waits until the provider has it.
 * @param cache How customers, subscriptions and usage summaries read from the provider
 * are cached when the application's cache manager has no cache of that name.
 * @param jdbc The database that keeps the outbox.
 * @param limits How plan limits are kept and checked.
 * @param health How the metering health indicator judges delivery.
 * @param reconcile How usage delivered is checked against what the provider counted.
 * @param observations What metering adds to the observations of Spring AI.
 * @param pricing Prices of AI usage, for meters in credits.
 * @since 0.1.0
 */
@ConfigurationProperties(MeteringProperties.PREFIX)
public record MeteringProperties(@DefaultValue("true") boolean enabled, @DefaultValue("local") Provider provider,
		@DefaultValue(DEFAULT_METER) String defaultMeter, Map<String, Meter> meters,
		@DefaultValue("false") boolean allowUnknownEvents, Map<String, Account> accounts, Map<String, Plan> plans,
		@DefaultValue("free") String defaultPlan, @DefaultValue("enforce") Enforcement enforcement,
		@DefaultValue("reject") MissingCustomerPolicy onMissingCustomer, @DefaultValue Stripe stripe,
		@DefaultValue Polar polar, @DefaultValue Metronome metronome, @DefaultValue Delivery delivery,
		@DefaultValue Outbox outbox, @DefaultValue Cache cache, @DefaultValue Jdbc jdbc, @DefaultValue Limits limits,
		@DefaultValue Health health, @DefaultValue Reconcile reconcile, @DefaultValue Observations observations,
		@DefaultValue Pricing pricing) {

	public static final String PREFIX = "metering";

	static final String DEFAULT_METER = "ai-tokens";

	public MeteringProperties {
		meters = (meters == null || meters.isEmpty())
				? Map.of(DEFAULT_METER, new Meter("ai_tokens", null, TokenKind.TOTAL, null, MeterAggregation.SUM,
						new Meter.Polar(Meter.Polar.DEFAULT_VALUE_KEY),
						new Meter.Metronome(Meter.Polar.DEFAULT_VALUE_KEY, null), null, MeterUnit.TOKENS, List.of()))
				: new LinkedHashMap<>(meters);
		accounts = (accounts != null) ? new LinkedHashMap<>(accounts) : Map.of();
		plans = (plans != null) ? new LinkedHashMap<>(plans) : Map.of();
		validate(provider, defaultMeter, meters, accounts, plans, defaultPlan, stripe, polar, metronome);
		if (reconcile.window().compareTo(outbox.retention()) > 0) {
			throw invalid("reconcile.window", "must not be longer than metering.outbox.retention (" + outbox.retention()
					+ "), which keeps what was delivered, was " + reconcile.window());
		}
		validateCredits(meters, pricing);
	}

	/** Meters in credits need prices: for every model, unless prices are strict. */
	private static void validateCredits(Map<String, Meter> meters, Pricing pricing) {
		for (Map.Entry<String, Meter> meter : meters.entrySet()) {
			if (meter.getValue().unit() != MeterUnit.CREDITS) {
				continue;
			}
			if (pricing.models().isEmpty() && pricing.defaultRates() == null) {
				throw invalid("meters." + meter.getKey() + ".unit", "is credits, which needs prices: set "
						+ "metering.pricing.models.<model>.<token type> or metering.pricing.default.<token type>");
			}
			if (!pricing.strict() && pricing.defaultRates() == null) {
				throw invalid("pricing.default", "must be set for credits meter '" + meter.getKey() + "' unless "
						+ "metering.pricing.strict is true: it prices the models no pattern matches");
			}
		}
	}

	private static void validate(Provider provider, String defaultMeter, Map<String, Meter> meters,
			Map<String, Account> accounts, Map<String, Plan> plans, String defaultPlan, Stripe stripe, Polar polar,
			Metronome metronome) {
		meters.forEach((key, meter) -> {
			if (meter.eventName() == null || meter.eventName().isBlank()) {
				throw invalid("meters." + key + ".event-name", "must not be blank");
			}
			String valueKey = meter.polar().valueKey();
			if (valueKey.isBlank() || valueKey.length() > Meter.Polar.MAX_VALUE_KEY_LENGTH) {
				throw invalid("meters." + key + ".polar.value-key", "must be 1 to " + Meter.Polar.MAX_VALUE_KEY_LENGTH
						+ " characters, as Polar's metadata keys are, was '" + valueKey + "'");
			}
			if (meter.metronome().valueKey().isBlank()) {
				throw invalid("meters." + key + ".metronome.value-key", "must not be blank");
			}
		});
		if (!meters.containsKey(defaultMeter)) {
			throw invalid("default-meter",
					"'" + defaultMeter + "' is not a meter key under metering.meters " + meters.keySet());
		}
		plans.forEach((name, plan) -> plan.limits().forEach((key, limit) -> {
			if (limit == null || limit < 0) {
				throw invalid("plans." + name + ".limits." + key, "must not be negative, was " + limit);
			}
		}));
		if (!plans.isEmpty() && !plans.containsKey(defaultPlan)) {
			throw invalid("default-plan", "'" + defaultPlan + "' is not a plan under metering.plans " + plans.keySet());
		}
		accounts.forEach((id, account) -> {
			if (account.customerId() == null || account.customerId().isBlank()) {
				throw invalid("accounts." + id + ".customer-id", "must not be blank");
			}
			if (account.plan() != null && !plans.isEmpty() && !plans.containsKey(account.plan())) {
				throw invalid("accounts." + id + ".plan",
						"'" + account.plan() + "' is not a plan under metering.plans " + plans.keySet());
			}
		});
		if (provider == Provider.STRIPE && !stripe.hasApiKey()) {
			throw invalid("stripe.api-key", "must be set when metering.provider=stripe (e.g. from STRIPE_SECRET_KEY)");
		}
		if (provider == Provider.POLAR && !polar.hasAccessToken()) {
			throw invalid("polar.access-token",
					"must be set when metering.provider=polar (e.g. from POLAR_ACCESS_TOKEN)");
		}
		if (provider == Provider.METRONOME && !metronome.hasApiToken()) {
			throw invalid("metronome.api-token",
					"must be set when metering.provider=metronome (e.g. from METRONOME_API_TOKEN)");
		}
	}

	/** The configured meters, as the library's other parts see them. */
	List<MeterDefinition> meterDefinitions() {
		return this.meters.entrySet()
			.stream()
			.map((entry) -> new MeterDefinition(entry.getKey(), entry.getValue().eventName(),
					entry.getValue().meterId(), entry.getValue().tokens(), entry.getValue().limitKey(),
					entry.getValue().aggregation(), entry.getValue().polar().valueKey(), entry.getValue().unit(),
					entry.getValue().dimensions()))
			.toList();
	}

	static IllegalArgumentException invalid(String property, String problem) {
		return new IllegalArgumentException(PREFIX + "." + property + " " + problem);
	}

	static void requireAtLeastOne(String property, long value) {
		if (value < 1) {
			throw invalid(property, "must be at least 1, was " + value);
		}
	}

	static void requireNotNegative(String property, Duration duration) {
		if (duration.isNegative()) {
			throw invalid(property, "must not be negative, was " + duration);
		}
	}

	static void requirePositive(String property, Duration duration) {
		if (duration.isNegative() || duration.isZero()) {
			throw invalid(property, "must be positive, was " + duration);
		}
	}

	/**
	 * For durations handed on as {@code int} milliseconds, as the Stripe SDK takes its
	 * timeouts.
	 */
	static void requirePositiveMillis(String property, Duration duration) {
		requirePositive(property, duration);
		if (duration.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
			throw invalid(property, "must be at most " + Duration.ofMillis(Integer.MAX_VALUE) + ", was " + duration);
		}
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

	/**
	 * The outbox.
	 *
	 * @param store Where usage waits for delivery: "auto" for the database when the
	 * application has a DataSource and memory otherwise, "memory", or "jdbc".
	 * @param sync Whether to write to the database before recordUsage returns, instead of
	 * handing the event to a background writer that commits events in groups.
	 * @param commitInterval How long the background writer gathers events into one
	 * commit. A crash loses at most the usage recorded in this interval.
	 * @param queueCapacity How many events may wait for the background writer.
	 * @param offerTimeout How long a caller waits for room in a full queue before it
	 * writes its event itself.
	 * @param lease How long an instance's claim on an event holds before another instance
	 * may send it.
	 * @param retention How long delivered events stay in the outbox table before they are
	 * deleted. Pending events and dead letters stay until they are settled.
	 */
	public record Outbox(@DefaultValue("auto") Store store, @DefaultValue("false") boolean sync,
			@DefaultValue("5ms") Duration commitInterval, @DefaultValue("10000") int queueCapacity,
			@DefaultValue("50ms") Duration offerTimeout, @DefaultValue("1m") Duration lease,
			@DefaultValue("7d") Duration retention) {

		public Outbox {
			requireNotNegative("outbox.commit-interval", commitInterval);
			requireAtLeastOne("outbox.queue-capacity", queueCapacity);
			requireNotNegative("outbox.offer-timeout", offerTimeout);
			requirePositive("outbox.lease", lease);
			requirePositive("outbox.retention", retention);
		}

	}

	/**
	 * The database that keeps the outbox.
	 *
	 * @param initializeSchema When to create the metering tables at start-up if they are
	 * missing: "embedded" for an in-memory database only, "always", or "never" when the
	 * application's own migrations create them.
	 */
	public record Jdbc(@DefaultValue("embedded") DatabaseInitializationMode initializeSchema) {
	}

	/**
	 * Plan limits.
	 *
	 * @param store Where the usage ledger behind limits is kept: "auto" for the database
	 * when the application has a DataSource (limits survive restarts and hold across
	 * instances) and memory otherwise, "memory", or "jdbc".
	 * @param completionEstimate Tokens reserved for a call's completion before it runs,
	 * when the request sets no max-tokens option.
	 * @param reservationWait How long a call that is refused only because of the
	 * reservations of calls still in flight waits for them to settle before it decides on
	 * what they used.
	 * @param thresholds Percentages of a limit at which a UsageThresholdReachedEvent is
	 * published, once per organization, limit key, threshold and period.
	 * @param onLookupFailure What a call does when the provider cannot tell its customer
	 * or subscription and nothing is cached: "allow" runs it on the configured or default
	 * plan and the calendar-month period, "reject" fails it.
	 * @param onLimit What happens to a call whose possible completion would cross its
	 * limit: "refuse" admits it iff the limit is not reached yet, "cap" lowers its
	 * max-tokens option to what the budget left pays for and refuses it only when that is
	 * below the minimum completion.
	 * @param minCompletionTokens The fewest completion tokens a call capped by on-limit
	 * cap is let through with; below that it is refused.
	 * @param lease How long the quota an instance holds of the database ledger stays its
	 * own without being renewed. Each instance renews it at every flush; the quota of an
	 * instance that stopped renewing (killed, lost, stalled) goes back to the others
	 * about this long after it stopped, with the usage it had not written back.
	 * @param onStoreFailure What a call that needs quota does while the ledger's database
	 * cannot be reached: "allow" admits it and counts its usage once the database is back
	 * (the limit does not hold meanwhile), "reject" refuses it with HTTP 503.
	 */
	public record Limits(@DefaultValue("auto") Store store, @DefaultValue("1000") long completionEstimate,
			@DefaultValue("2s") Duration reservationWait, @DefaultValue( {
					"75", "90", "100" }) List<Integer> thresholds,
			@DefaultValue("allow") LookupFailurePolicy onLookupFailure, @DefaultValue("refuse") OnLimit onLimit,
			@DefaultValue("64") int minCompletionTokens, @DefaultValue("30s") Duration lease,
			@DefaultValue("allow") StoreFailurePolicy onStoreFailure){

		/**
		 * The shortest lease: five of the usage ledger's 200 ms flushes, so that a flush
		 * or two that take long do not let another instance reclaim quota still in use.
		 */
		static final Duration MIN_LEASE = Duration.ofSeconds(1);

		public Limits {
			requireAtLeastOne("limits.min-completion-tokens", minCompletionTokens);
			if (lease.compareTo(MIN_LEASE) < 0) {
				throw invalid("limits.lease",
						"must be at least 1s, five times the usage ledger's flush interval of 200ms, was " + lease);
			}
			if (completionEstimate < 0) {
				throw invalid("limits.completion-estimate", "must not be negative, was " + completionEstimate);
			}
			requireNotNegative("limits.reservation-wait", reservationWait);
			for (Integer threshold : thresholds) {
				if (threshold == null || threshold < 1 || threshold > 100) {
					throw invalid("limits.thresholds", "must be percentages from 1 to 100, was " + thresholds);
				}
			}
			thresholds = thresholds.stream().distinct().sorted().toList();
		}

	}

	/**
	 * The metering health indicator.
	 *
	 * @param maxDeliveryLag How long the oldest pending usage event may wait for delivery
	 * before the metering health indicator reports DEGRADED.
	 */
	public record Health(@DefaultValue("15m") Duration maxDeliveryLag) {

		public Health {
			requirePositive("health.max-delivery-lag", maxDeliveryLag);
		}

	}

	/**
	 * Prices of AI usage, for meters in credits.
	 *
	 * @param models Rates per million tokens by model and type of token (input,
	 * cached-input, cache-write-input, output, reasoning). A model is an exact name or a
	 * pattern in which * stands for any characters, e.g. [gpt-4o-mini*]; the most
	 * specific matching one prices a model. Put names with dots or wildcards in brackets.
	 * @param defaultRates Rates per million tokens by type of token of the models no
	 * pattern matches. Required for a credits meter unless prices are strict.
	 * @param markup Percentage every price is raised by.
	 * @param strict Whether a model no pattern matches is an error instead of priced by
	 * the default rates: the default model of every ChatModel must be priced at start-up,
	 * and a call asking for a model no pattern prices is refused before it runs.
	 */
	public record Pricing(Map<String, Map<String, BigDecimal>> models,
			@Name("default") Map<String, BigDecimal> defaultRates, @DefaultValue("0") BigDecimal markup,
			@DefaultValue("false") boolean strict) {

		public Pricing {
			models = (models != null) ? new LinkedHashMap<>(models) : Map.of();
			defaultRates = (defaultRates != null) ? new LinkedHashMap<>(defaultRates) : null;
			if (markup.signum() < 0) {
				throw invalid("pricing.markup", "must not be negative, was " + markup);
			}
			models.forEach((pattern, rates) -> tokenRates("pricing.models.[" + pattern + "]", rates));
			if (defaultRates != null) {
				tokenRates("pricing.default", defaultRates);
			}
			if (strict) {
				List<String> unmatchable = priceList(models, defaultRates, markup, true).patternsMatchingNoModelName();
				if (!unmatchable.isEmpty()) {
					throw invalid("pricing.models", "pattern(s) " + unmatchable + " match no model name: a model "
							+ "name has letters, digits and -._:/@+, and a pattern * and ? besides");
				}
			}
		}

		/** The price list these properties make. */
		PriceList priceList() {
			return priceList(this.models, this.defaultRates, this.markup, this.strict);
		}

		private static PriceList priceList(Map<String, Map<String, BigDecimal>> models,
				@Nullable Map<String, BigDecimal> defaultRates, BigDecimal markup, boolean strict) {
			Map<String, TokenRates> rates = new LinkedHashMap<>();
			models.forEach(
					(pattern, perType) -> rates.put(pattern, tokenRates("pricing.models.[" + pattern + "]", perType)));
			return PriceList.of(rates, (defaultRates != null) ? tokenRates("pricing.default", defaultRates) : null,
					markup, strict);
		}

		/** Rates by type of token, each type known and no rate negative. */
		private static TokenRates tokenRates(String property, Map<String, BigDecimal> rates) {
			Map<TokenKind, BigDecimal> byType = new LinkedHashMap<>();
			rates.forEach((name, rate) -> {
				TokenKind type = tokenType(name);
				if (type == null) {
					throw invalid(property + "." + name, "is not a type of token; the types are input, cached-input, "
							+ "cache-write-input, output and reasoning");
				}
				if (rate == null || rate.signum() < 0) {
					throw invalid(property + "." + name, "must not be negative, was " + rate);
				}
				byType.put(type, rate);
			});
			return new TokenRates(byType);
		}

		private static @Nullable TokenKind tokenType(String name) {
			String canonical = name.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
			for (TokenKind type : TokenKind.types()) {
				if (type.value().replace("-", "").equals(canonical)) {
					return type;
				}
			}
			return null;
		}

	}

	/**
	 * Reconciliation of delivered usage with the provider's own totals.
	 *
	 * @param enabled Whether to reconcile the last closed window on a schedule. The
	 * metering Actuator endpoint reconciles on demand either way.
	 * @param cron When to reconcile, as a cron expression in UTC. By default a quarter of
	 * an hour after midnight, when the provider has counted yesterday's last events.
	 * @param window The window reconciled: the last one of this length, counted in UTC
	 * from midnight, that has closed. Whole minutes, at most metering.outbox.retention.
	 */
	public record Reconcile(@DefaultValue("false") boolean enabled, @DefaultValue("0 15 0 * * *") String cron,
			@DefaultValue("1d") Duration window) {

		public Reconcile {
			if (!CronExpression.isValidExpression(cron)) {
				throw invalid("reconcile.cron",
						"is not a cron expression (second minute hour day month weekday), was '" + cron + "'");
			}
			requirePositive("reconcile.window", window);
			if (window.toSeconds() % 60 != 0 || window.toNanosPart() != 0) {
				throw invalid("reconcile.window", "must be whole minutes, as provider summaries are, was " + window);
			}
		}

	}

	/**
	 * What metering adds to Spring AI's observations.
	 *
	 * @param organization Whether chat model observations carry the billed organization
	 * as the low-cardinality key metering.organization, which tags
	 * gen_ai.client.token.usage and gen_ai.client.operation. Every organization then has
	 * time series of its own: turn it on only when organizations are few.
	 */
	public record Observations(@DefaultValue("false") boolean organization) {
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
	 * @param displayName Name of the meter that people read, e.g. on a usage dashboard.
	 * When unset, the meter key.
	 * @param unit What the meter's values count: tokens, or credits (the tokens priced by
	 * metering.pricing).
	 * @param dimensions Dimensions the meter's events carry beside the value: model (the
	 * model that answered) and token-type (one event per type of token). Stripe gets them
	 * as payload keys model and token_type, Polar as metadata, Metronome as properties.
	 */
	public record Meter(String eventName, @Nullable String meterId, @DefaultValue("total") TokenKind tokens,
			@Nullable String limitKey, @DefaultValue("sum") MeterAggregation aggregation,
			@DefaultValue Meter.Polar polar, @DefaultValue Meter.Metronome metronome, @Nullable String displayName,
			@DefaultValue("tokens") MeterUnit unit, List<MeterDimension> dimensions) {

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

			/** Polar's longest metadata key. */
			static final int MAX_VALUE_KEY_LENGTH = 40;

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
	 */
	public record Plan(List<String> priceIds, List<String> polarProductIds, List<String> metronomeRateCardIds,
			List<String> metronomeProductIds, Map<String, Long> limits) {

		public Plan {
			priceIds = (priceIds != null) ? new ArrayList<>(priceIds) : List.of();
			polarProductIds = (polarProductIds != null) ? new ArrayList<>(polarProductIds) : List.of();
			metronomeRateCardIds = (metronomeRateCardIds != null) ? new ArrayList<>(metronomeRateCardIds) : List.of();
			metronomeProductIds = (metronomeProductIds != null) ? new ArrayList<>(metronomeProductIds) : List.of();
			limits = (limits != null) ? new LinkedHashMap<>(limits) : Map.of();
		}

	}

	/**
	 * Stripe settings.
	 *
	 * @param api How meter events are sent: v1 (one request an event, per customer in
	 * order) or v2-stream (batches of up to 100 through a meter event session, for high
	 * throughput).
	 * @param apiKey Secret or restricted API key, required with metering.provider=stripe;
	 * never logged.
	 * @param apiBase Base URL of the Stripe API.
	 * @param meterEventsBase Base URL of the v2 meter event stream.
	 * @param customerMetadataKey The customer metadata key that holds the organization or
	 * user ID, for finding the customer of a subject that has no configured account.
	 * @param connectTimeout How long to wait for a connection to Stripe.
	 * @param readTimeout How long to wait for Stripe's answer.
	 * @param webhook Stripe's webhooks: subscription changes and meter error reports.
	 */
	public record Stripe(String apiKey, @DefaultValue("https://api.stripe.com") String apiBase,
			@DefaultValue("https://meter-events.stripe.com") String meterEventsBase, @DefaultValue("v1") StripeApi api,
			@DefaultValue("organization_id") String customerMetadataKey, @DefaultValue("10s") Duration connectTimeout,
			@DefaultValue("30s") Duration readTimeout, @DefaultValue Webhook webhook) {

		static final String WEBHOOK_PATH = "/metering/stripe/webhook";

		public Stripe {
			requirePositiveMillis("stripe.connect-timeout", connectTimeout);
			requirePositiveMillis("stripe.read-timeout", readTimeout);
			webhook = webhook.validated("stripe.webhook", WEBHOOK_PATH);
			if (webhook.secret().stream().anyMatch((secret) -> !secret.startsWith("whsec_"))) {
				// never the value: it may be an API key put in the wrong place
				throw invalid("stripe.webhook.secret",
						"must hold Stripe signing secrets, which start with whsec_; " + "one of them does not");
			}
		}

		boolean hasApiKey() {
			return this.apiKey != null && !this.apiKey.isBlank();
		}

		@Override
		public String toString() {
			return "Stripe[apiKey=" + (hasApiKey() ? "******" : "") + ", apiBase=" + this.apiBase + ", meterEventsBase="
					+ this.meterEventsBase + ", customerMetadataKey=" + this.customerMetadataKey + ", webhook="
					+ this.webhook + "]";
		}

	}

	/** How meter events are sent to Stripe. */
	public enum StripeApi {

		/** {@code POST /v1/billing/meter_events}, one event a request. */
		V1,
		/**
		 * {@code /v2/billing/meter_event_stream}, batches through a meter event session.
		 */
		V2_STREAM

	}

	/**
	 * The built-in caches of provider look-ups. An entry is served until its refresh
	 * interval has passed, then served while it is refreshed in the background; when the
	 * refresh fails, the last answer stays in use.
	 *
	 * @param customersRefresh How long a customer found by organization or user ID is
	 * served before it is looked up again (cache metering.customers).
	 * @param subscriptionsRefresh How long a customer's active subscription is served
	 * before it is looked up again (cache metering.subscriptions).
	 * @param missingRefresh How long "no customer" and "no subscription" are served
	 * before they are looked up again (caches metering.customers and
	 * metering.subscriptions, at most their own refresh interval), in the background
	 * while they are in use: kept short, so that an organization that checks out is
	 * billed soon after the provider finds its new customer.
	 * @param usageRefresh How long usage summaries are served before they are read again
	 * (cache metering.usage).
	 * @param maximumSize The most entries each of these caches holds; the least used go
	 * first.
	 * @param failureBackoff How long a look-up that failed with nothing cached is
	 * answered with its failure before the provider is asked again, so that calls during
	 * an outage do not each wait for the provider's timeout.
	 */
	public record Cache(@DefaultValue("10m") Duration customersRefresh,
			@DefaultValue("10m") Duration subscriptionsRefresh, @DefaultValue("30s") Duration missingRefresh,
			@DefaultValue("1m") Duration usageRefresh, @DefaultValue("10000") long maximumSize,
			@DefaultValue("10s") Duration failureBackoff) {

		public Cache {
			requirePositive("cache.customers-refresh", customersRefresh);
			requirePositive("cache.subscriptions-refresh", subscriptionsRefresh);
			requirePositive("cache.missing-refresh", missingRefresh);
			requirePositive("cache.usage-refresh", usageRefresh);
			requireAtLeastOne("cache.maximum-size", maximumSize);
			requirePositive("cache.failure-backoff", failureBackoff);
		}

	}

	/**
	 * Polar settings.
	 *
	 * @param accessToken Organization access token, required with
	 * metering.provider=polar; never logged.
	 * @param baseUrl Base URL of Polar's API (the sandbox is
	 * https://sandbox-api.polar.sh).
	 * @param connectTimeout How long to wait for a connection to Polar.
	 * @param readTimeout How long to wait for Polar's answer.
	 * @param webhook Polar's webhooks: subscription and customer state changes.
	 */
	public record Polar(String accessToken, @DefaultValue("https://api.polar.sh") String baseUrl,
			@DefaultValue("10s") Duration connectTimeout, @DefaultValue("30s") Duration readTimeout,
			@DefaultValue Webhook webhook) {

		static final String WEBHOOK_PATH = "/metering/polar/webhook";

		public Polar {
			requirePositiveMillis("polar.connect-timeout", connectTimeout);
			requirePositiveMillis("polar.read-timeout", readTimeout);
			webhook = webhook.validated("polar.webhook", WEBHOOK_PATH);
		}

		boolean hasAccessToken() {
			return this.accessToken != null && !this.accessToken.isBlank();
		}

		@Override
		public String toString() {
			return "Polar[accessToken=" + (hasAccessToken() ? "******" : "") + ", baseUrl=" + this.baseUrl
					+ ", connectTimeout=" + this.connectTimeout + ", readTimeout=" + this.readTimeout + ", webhook="
					+ this.webhook + "]";
		}

	}

	/**
	 * Metronome settings.
	 *
	 * @param apiToken API token, required with metering.provider=metronome; never logged.
	 * @param baseUrl Base URL of Metronome's API.
	 * @param connectTimeout How long to wait for a connection to Metronome.
	 * @param readTimeout How long to wait for Metronome's answer.
	 * @param webhook Metronome's webhooks: alerts, and changes of contracts, commits and
	 * credits.
	 */
	public record Metronome(String apiToken, @DefaultValue("https://api.metronome.com") String baseUrl,
			@DefaultValue("10s") Duration connectTimeout, @DefaultValue("30s") Duration readTimeout,
			@DefaultValue Webhook webhook) {

		static final String WEBHOOK_PATH = "/metering/metronome/webhook";

		public Metronome {
			requirePositiveMillis("metronome.connect-timeout", connectTimeout);
			requirePositiveMillis("metronome.read-timeout", readTimeout);
			webhook = webhook.validated("metronome.webhook", WEBHOOK_PATH);
		}

		boolean hasApiToken() {
			return this.apiToken != null && !this.apiToken.isBlank();
		}

		@Override
		public String toString() {
			return "Metronome[apiToken=" + (hasApiToken() ? "******" : "") + ", baseUrl=" + this.baseUrl
					+ ", connectTimeout=" + this.connectTimeout + ", readTimeout=" + this.readTimeout + ", webhook="
					+ this.webhook + "]";
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

		/**
		 * These settings, with the provider's default path when none is set, checked: a
		 * mistake fails start-up naming the property under {@code prefix}.
		 */
		Webhook validated(String prefix, String defaultPath) {
			String checkedPath = (this.path != null) ? this.path : defaultPath;
			if (!checkedPath.startsWith("/")) {
				throw invalid(prefix + ".path", "must start with '/', was '" + checkedPath + "'");
			}
			requirePositive(prefix + ".tolerance", this.tolerance);
			return new Webhook(this.secret, checkedPath, this.tolerance);
		}

		/** Whether a signing secret is set, which turns the webhooks on. */
		boolean enabled() {
			return !this.secret.isEmpty();
		}

		@Override
		public String toString() {
			return "Webhook[secret=" + (enabled() ? "******" : "") + ", path=" + this.path + ", tolerance="
					+ this.tolerance + "]";
		}

	}

	/**
	 * Delivery to the provider.
	 *
	 * @param flushInterval How often pending usage is sent.
	 * @param shutdownTimeout How long shutdown waits to deliver what is pending. What is
	 * left stays in a database outbox for the next start.
	 * @param maxAttempts How many times an event is attempted before it is dead-lettered.
	 * @param initialBackoff Delay before the first retry. It doubles with each further
	 * retry, up to the maximum backoff.
	 * @param maxBackoff Longest delay between two attempts of an event.
	 * @param concurrency How many customers' events are delivered at the same time.
	 * Events of one customer on one meter are always sent one at a time.
	 * @param coalesce Whether pending events of one customer on a sum meter are sent as
	 * one event, so that provider calls grow with customers, not with calls.
	 */
	public record Delivery(@DefaultValue("1s") Duration flushInterval, @DefaultValue("10s") Duration shutdownTimeout,
			@DefaultValue("12") int maxAttempts, @DefaultValue("500ms") Duration initialBackoff,
			@DefaultValue("5m") Duration maxBackoff, @DefaultValue("4") int concurrency,
			@DefaultValue("true") boolean coalesce) {

		public Delivery {
			requirePositive("delivery.flush-interval", flushInterval);
			requireNotNegative("delivery.shutdown-timeout", shutdownTimeout);
			requireAtLeastOne("delivery.max-attempts", maxAttempts);
			requireAtLeastOne("delivery.concurrency", concurrency);
			if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
				throw invalid("delivery.initial-backoff",
						"must be positive and not above metering.delivery.max-backoff, was " + initialBackoff);
			}
		}

	}

}

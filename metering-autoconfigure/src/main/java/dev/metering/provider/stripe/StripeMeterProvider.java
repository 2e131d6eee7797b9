package dev.metering.provider.stripe;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Customer;
import com.stripe.model.Price;
import com.stripe.model.SubscriptionItem;
import com.stripe.model.billing.CreditBalanceSummary;
import com.stripe.model.billing.CreditGrant;
import com.stripe.model.billing.MeterEventSummary;
import com.stripe.param.CustomerSearchParams;
import com.stripe.param.SubscriptionListParams;
import com.stripe.param.billing.CreditBalanceSummaryRetrieveParams;
import com.stripe.param.billing.CreditGrantListParams;
import com.stripe.param.billing.MeterEventCreateParams;
import com.stripe.param.billing.MeterEventSummaryListParams;
import com.stripe.param.v2.billing.MeterEventAdjustmentCreateParams;
import org.jspecify.annotations.Nullable;

import dev.metering.BillingSubject;
import dev.metering.MeterUsageSummary;
import dev.metering.provider.CachedLookup;
import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.MeterDefinition;
import dev.metering.provider.MeterProvider;
import dev.metering.provider.ProviderBalance;
import dev.metering.provider.ProviderCaches;
import dev.metering.provider.Subscription;
import dev.metering.provider.UsageBuckets;
import dev.metering.provider.UsageEvent;

/**
 * Stripe Billing Meters through the official SDK: meter events in, event summaries out,
 * customers found by a metadata key, plans and periods from active subscriptions, prepaid
 * balances from billing credit grants converted with the meter's price.
 */
final class StripeMeterProvider implements MeterProvider {

	/** Stripe refuses meter events older than this. */
	static final Duration MAX_AGE = Duration.ofDays(35);

	/** Stripe cancels a meter event only this long after it received it. */
	static final Duration CANCEL_WITHIN = Duration.ofHours(24);

	/** The billing scheme of a price charged for each unit at one amount. */
	private static final String PER_UNIT = "per_unit";

	/** What a credit grant applies to when it applies to every metered price. */
	private static final String METERED = "metered";

	private final StripeClient client;

	private final StripeRetryHints retryHints;

	private final String customerMetadataKey;

	private final @Nullable StripeMeterEventStream eventStream;

	private final CachedLookup<String, String> customers;

	private final CachedLookup<String, Subscription> subscriptions;

	private final CachedLookup<UsageQuery, List<MeterUsageSummary>> usage;

	private final Map<String, StripeMeter> meters;

	private final CachedLookup<String, StripeCredits> credits;

	/** The unit prices read from Stripe, by price ID. */
	private final Map<String, UnitPrice> prices = new ConcurrentHashMap<>();

	private final Clock clock;

	/**
	 * @param client a client with the SDK's own retries off
	 * @param retryHints the client's HTTP client, when it is one, for Stripe's retry
	 * advice
	 * @param customerMetadataKey the customer metadata key that holds the organization or
	 * user ID
	 * @param meters what Stripe needs of each meter, by meter key
	 * @param caches the caches of customers, subscriptions, usage summaries and balances
	 * @param eventStream whether to send events through the v2 meter event stream, in
	 * batches
	 * @param clock tells when the meter event session expires and which credit grants are
	 * available
	 */
	StripeMeterProvider(StripeClient client, StripeRetryHints retryHints, String customerMetadataKey,
			Map<String, StripeMeter> meters, ProviderCaches caches, boolean eventStream, Clock clock) {
		this.client = client;
		this.retryHints = retryHints;
		this.customerMetadataKey = customerMetadataKey;
		this.eventStream = eventStream ? new StripeMeterEventStream(client, retryHints, clock) : null;
		this.customers = caches.customers(this::searchCustomer);
		this.subscriptions = caches.subscriptions(this::fetchSubscription);
		this.usage = caches.usage(this::summaries);
		this.meters = Map.copyOf(meters);
		this.credits = caches.balances(this::fetchCredits);
		this.clock = clock;
	}

	@Override
	public String name() {
		return "stripe";
	}

	@Override
	public Optional<String> rejectCustomerId(String customerId) {
		if (!customerId.startsWith("cus_")) {
			return Optional.of("'" + customerId + "' is not a Stripe customer ID (those start with cus_)");
		}
		return Optional.empty();
	}

	@Override
	public Optional<String> rejectTimestamp(Instant timestamp, Instant now) {
		if (timestamp.isBefore(now.minus(MAX_AGE))) {
			return Optional.of("timestamp " + timestamp + " is more than " + MAX_AGE.toDays()
					+ " days in the past, which Stripe refuses");
		}
		return MeterProvider.super.rejectTimestamp(timestamp, now);
	}

	@Override
	public int batchSize() {
		return (this.eventStream != null) ? StripeMeterEventStream.MAX_BATCH : 1;
	}

	@Override
	public List<DeliveryOutcome> deliverAll(List<UsageEvent> events) {
		return (this.eventStream != null) ? this.eventStream.send(events) : MeterProvider.super.deliverAll(events);
	}

	@Override
	public DeliveryOutcome deliver(UsageEvent event) {
		if (this.eventStream != null) {
			return this.eventStream.send(List.of(event)).get(0);
		}
		MeterEventCreateParams params = MeterEventCreateParams.builder()
			.setEventName(event.eventName())
			.putAllPayload(payload(event))
			.setIdentifier(event.identifier())
			.setTimestamp(event.timestamp().getEpochSecond())
			.build();
		try {
			this.client.v1().billing().meterEvents().create(params);
			return DeliveryOutcome.delivered();
		}
		catch (StripeException ex) {
			return StripeErrors.outcome(ex, this.retryHints.lastShouldRetry());
		}
	}

	/**
	 * Cancels the event through a v2 meter event adjustment, within Stripe's 24 hours of
	 * its delivery. Stripe answers at once and applies the adjustment shortly after; an
	 * adjustment it then cannot apply is reported in its meter error reports.
	 * @throws IllegalStateException when the event was delivered more than 24 hours ago
	 */
	@Override
	public void cancel(UsageEvent event, Instant deliveredAt) {
		if (deliveredAt.plus(CANCEL_WITHIN).isBefore(this.clock.instant())) {
			throw new IllegalStateException("Stripe cancels a meter event only within " + CANCEL_WITHIN.toHours()
					+ " hours of receiving it; event '" + event.identifier() + "' was delivered at " + deliveredAt);
		}
		MeterEventAdjustmentCreateParams params = MeterEventAdjustmentCreateParams.builder()
			.setEventName(event.eventName())
			.setType(MeterEventAdjustmentCreateParams.Type.CANCEL)
			.setCancel(MeterEventAdjustmentCreateParams.Cancel.builder().setIdentifier(event.identifier()).build())
			.build();
		try {
			this.client.v2().billing().meterEventAdjustments().create(params);
		}
		catch (StripeException ex) {
			throw failure("cancel meter event '" + event.identifier() + "'", ex);
		}
	}

	/**
	 * An event's payload: the customer, the value, and the dimensions it carries, under
	 * the keys a Stripe meter's customer mapping, value settings and dimension payload
	 * keys name.
	 */
	static Map<String, String> payload(UsageEvent event) {
		Map<String, String> payload = event.dimensions().byKey();
		payload.put("stripe_customer_id", event.customerId());
		payload.put("value", Long.toString(event.value()));
		return payload;
	}

	/**
	 * Event summaries of the meter from the minute holding {@code start} to the minute
	 * that ends at or after {@code end}, as Stripe wants whole minutes; cached.
	 */
	@Override
	public List<MeterUsageSummary> usage(MeterDefinition meter, String customerId, @Nullable Instant start,
			@Nullable Instant end) {
		String meterId = requireMeterId(meter);
		if (start == null || end == null) {
			throw new IllegalArgumentException("Stripe event summaries need both a start and an end time");
		}
		Instant from = start.truncatedTo(ChronoUnit.MINUTES);
		Instant to = end.truncatedTo(ChronoUnit.MINUTES).equals(end) ? end
				: end.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
		return this.usage.find(new UsageQuery(meterId, customerId, from, to, null)).orElseGet(List::of);
	}

	/**
	 * Event summaries grouped by Stripe's value grouping window of an hour or a day,
	 * which needs the range on whole hours or UTC days, as the caller checked; cached.
	 */
	@Override
	public List<MeterUsageSummary> usage(MeterDefinition meter, String customerId, Instant start, Instant end,
			Duration bucket) {
		String meterId = requireMeterId(meter);
		MeterEventSummaryListParams.ValueGroupingWindow window = UsageBuckets.DAY.equals(bucket)
				? MeterEventSummaryListParams.ValueGroupingWindow.DAY
				: MeterEventSummaryListParams.ValueGroupingWindow.HOUR;
		Map<Instant, Long> values = new HashMap<>();
		for (MeterUsageSummary summary : this.usage.find(new UsageQuery(meterId, customerId, start, end, window))
			.orElseGet(List::of)) {
			values.merge(summary.startTime(), summary.aggregatedValue(), Long::sum);
		}
		return UsageBuckets.summaries(meterId, customerId, start, end, bucket, values);
	}

	private static String requireMeterId(MeterDefinition meter) {
		String meterId = meter.meterId();
		if (meterId == null || !meterId.startsWith("mtr_")) {
			throw new IllegalArgumentException("Stripe needs the meter ID (mtr_...) of meter '" + meter.key()
					+ "': set metering.meters." + meter.key() + ".meter-id");
		}
		return meterId;
	}

	@Override
	public Optional<String> findCustomerId(BillingSubject subject) {
		return this.customers.find(subject.referenceId());
	}

	@Override
	public Optional<Subscription> activeSubscription(String customerId) {
		return this.subscriptions.find(customerId);
	}

	/**
	 * The customer's billing credit grants that apply to every metered price and are
	 * available now, in the currency of the meter's price, converted into the meter's
	 * unit with that price ({@code metering.meters.<key>.stripe.unit-amount-decimal},
	 * else the Stripe price {@code metering.meters.<key>.stripe.price-id}): granted and
	 * remaining rounded down, so that the balance never holds a unit it cannot pay;
	 * cached as long as usage, and evicted by Stripe's credit webhooks.
	 * @throws IllegalStateException when the meter has no price, or a price that is not
	 * per unit, or names no currency and the customer's grants are in several
	 */
	@Override
	public Optional<ProviderBalance> balance(String customerId, MeterDefinition meter) {
		String property = "metering.meters." + meter.key() + ".stripe.";
		UnitPrice price = unitPrice(meter, property);
		String unit = meter.unit().name().toLowerCase(Locale.ROOT);
		return this.credits.find(customerId)
			.map((credits) -> credits.of(unit, price.amount(), price.currency(), property + "currency",
					this.clock.instant()));
	}

	/**
	 * The price of one unit of the meter: configured, else read once from the Stripe
	 * price the meter names, whose amount Stripe never changes.
	 */
	private UnitPrice unitPrice(MeterDefinition meter, String property) {
		StripeMeter settings = this.meters.getOrDefault(meter.key(), new StripeMeter(null, null, null));
		BigDecimal configured = settings.unitAmountDecimal();
		if (configured != null && configured.signum() > 0) {
			return new UnitPrice(configured, settings.currency());
		}
		String priceId = settings.priceId();
		if (configured == null && priceId != null) {
			UnitPrice read = this.prices.get(priceId);
			if (read == null) {
				read = readPrice(priceId, meter.key(), property);
				this.prices.putIfAbsent(priceId, read);
			}
			return read;
		}
		throw new IllegalStateException("Stripe keeps the balance of meter '" + meter.key() + "' in money: set "
				+ property + "unit-amount-decimal to the price of one of its "
				+ meter.unit().name().toLowerCase(Locale.ROOT) + " in the currency's smallest unit, or " + property
				+ "price-id to its Stripe price");
	}

	private UnitPrice readPrice(String priceId, String meterKey, String property) {
		Price price;
		try {
			price = this.client.v1().prices().retrieve(priceId);
		}
		catch (StripeException ex) {
			throw failure("read price " + priceId, ex);
		}
		BigDecimal amount = price.getUnitAmountDecimal();
		if (!PER_UNIT.equals(price.getBillingScheme()) || price.getTransformQuantity() != null || amount == null
				|| amount.signum() <= 0 || price.getCurrency() == null) {
			throw new IllegalStateException("Stripe price " + priceId + " of meter '" + meterKey
					+ "' has no amount per unit to convert its balance with: set " + property
					+ "unit-amount-decimal to the price of one unit in the currency's smallest unit");
		}
		return new UnitPrice(amount, price.getCurrency());
	}

	private List<MeterUsageSummary> summaries(UsageQuery query) {
		String meterId = query.meterId();
		String customerId = query.customerId();
		MeterEventSummaryListParams.Builder params = MeterEventSummaryListParams.builder()
			.setCustomer(customerId)
			.setStartTime(query.from().getEpochSecond())
			.setEndTime(query.to().getEpochSecond())
			.setLimit(100L);
		if (query.window() != null) {
			params.setValueGroupingWindow(query.window());
		}
		List<MeterUsageSummary> summaries = new ArrayList<>();
		try {
			for (MeterEventSummary summary : this.client.v1()
				.billing()
				.meters()
				.eventSummaries()
				.list(meterId, params.build())
				.autoPagingIterable()) {
				long value = summary.getAggregatedValue().setScale(0, RoundingMode.HALF_UP).longValue();
				summaries.add(new MeterUsageSummary(meterId, customerId, value,
						Instant.ofEpochSecond(summary.getStartTime()), Instant.ofEpochSecond(summary.getEndTime())));
			}
		}
		catch (StripeException ex) {
			throw failure("read usage of meter " + meterId + " for " + customerId, ex);
		}
		return summaries;
	}

	/** The customer whose metadata names the subject, else {@code null}. */
	private @Nullable String searchCustomer(String referenceId) {
		String query = "metadata['" + this.customerMetadataKey + "']:'"
				+ referenceId.replace("\\", "\\\\").replace("'", "\\'") + "'";
		try {
			for (Customer customer : this.client.v1()
				.customers()
				.search(CustomerSearchParams.builder().setQuery(query).setLimit(1L).build())
				.getData()) {
				return customer.getId();
			}
			return null;
		}
		catch (StripeException ex) {
			throw failure("find the customer of '" + referenceId + "'", ex);
		}
	}

	/** The customer's active subscription, else {@code null}. */
	private @Nullable Subscription fetchSubscription(String customerId) {
		SubscriptionListParams params = SubscriptionListParams.builder()
			.setCustomer(customerId)
			.setStatus(SubscriptionListParams.Status.ACTIVE)
			.setLimit(1L)
			.build();
		try {
			for (com.stripe.model.Subscription subscription : this.client.v1().subscriptions().list(params).getData()) {
				List<SubscriptionItem> items = subscription.getItems().getData();
				List<String> priceIds = items.stream()
					.filter((item) -> item.getPrice() != null)
					.map((item) -> item.getPrice().getId())
					.toList();
				if (items.isEmpty()) {
					return null;
				}
				SubscriptionItem first = items.get(0);
				return new Subscription(customerId, priceIds, Instant.ofEpochSecond(first.getCurrentPeriodStart()),
						Instant.ofEpochSecond(first.getCurrentPeriodEnd()));
			}
			return null;
		}
		catch (StripeException ex) {
			throw failure("read the subscription of " + customerId, ex);
		}
	}

	/**
	 * The customer's credit grants that apply to every metered price, every page of them,
	 * and its credit balance summary of that scope.
	 */
	private StripeCredits fetchCredits(String customerId) {
		List<StripeCredits.Grant> grants = new ArrayList<>();
		try {
			for (CreditGrant grant : this.client.v1()
				.billing()
				.creditGrants()
				.list(CreditGrantListParams.builder().setCustomer(customerId).setLimit(100L).build())
				.autoPagingIterable()) {
				StripeCredits.Money amount = money(grant.getAmount().getMonetary());
				if (amount != null && appliesToMeteredPrices(grant)) {
					grants.add(new StripeCredits.Grant(amount, instant(grant.getEffectiveAt()),
							instant(grant.getExpiresAt()), instant(grant.getVoidedAt())));
				}
			}
		}
		catch (StripeException ex) {
			throw failure("read the credit grants of " + customerId, ex);
		}
		CreditBalanceSummaryRetrieveParams params = CreditBalanceSummaryRetrieveParams.builder()
			.setCustomer(customerId)
			.setFilter(CreditBalanceSummaryRetrieveParams.Filter.builder()
				.setType(CreditBalanceSummaryRetrieveParams.Filter.Type.APPLICABILITY_SCOPE)
				.setApplicabilityScope(CreditBalanceSummaryRetrieveParams.Filter.ApplicabilityScope.builder()
					.setPriceType(CreditBalanceSummaryRetrieveParams.Filter.ApplicabilityScope.PriceType.METERED)
					.build())
				.build())
			.build();
		List<StripeCredits.Money> available = new ArrayList<>();
		try {
			CreditBalanceSummary summary = this.client.v1().billing().creditBalanceSummary().retrieve(params);
			for (CreditBalanceSummary.Balance balance : summary.getBalances()) {
				CreditBalanceSummary.Balance.AvailableBalance.Monetary monetary = (balance
					.getAvailableBalance() != null) ? balance.getAvailableBalance().getMonetary() : null;
				if (monetary != null && monetary.getCurrency() != null && monetary.getValue() != null) {
					available.add(new StripeCredits.Money(monetary.getCurrency(), monetary.getValue()));
				}
			}
		}
		catch (StripeException ex) {
			throw failure("read the credit balance of " + customerId, ex);
		}
		return new StripeCredits(customerId, grants, available);
	}

	private static boolean appliesToMeteredPrices(CreditGrant grant) {
		CreditGrant.ApplicabilityConfig config = grant.getApplicabilityConfig();
		return config != null && config.getScope() != null && METERED.equals(config.getScope().getPriceType());
	}

	private static StripeCredits.@Nullable Money money(CreditGrant.Amount.@Nullable Monetary monetary) {
		return (monetary != null && monetary.getCurrency() != null && monetary.getValue() != null)
				? new StripeCredits.Money(monetary.getCurrency(), monetary.getValue()) : null;
	}

	private static @Nullable Instant instant(@Nullable Long epochSecond) {
		return (epochSecond != null) ? Instant.ofEpochSecond(epochSecond) : null;
	}

	private StripeProviderException failure(String what, StripeException ex) {
		return new StripeProviderException(
				"Could not " + what + " at Stripe: " + StripeErrors.describe(ex, StripeErrors.message(ex)), ex,
				StripeErrors.lookupFailure(ex));
	}

	/**
	 * The price of one unit of a meter.
	 *
	 * @param amount the price in the currency's smallest unit
	 * @param currency the currency, or {@code null} when the customer's grants are all in
	 * one
	 */
	private record UnitPrice(BigDecimal amount, @Nullable String currency) {
	}

	/**
	 * An event summaries query over whole minutes, grouped by {@code window} unless it is
	 * {@code null}: the key of the usage cache.
	 */
	private record UsageQuery(String meterId, String customerId, Instant from, Instant to,
			MeterEventSummaryListParams.@Nullable ValueGroupingWindow window) {
	}

}

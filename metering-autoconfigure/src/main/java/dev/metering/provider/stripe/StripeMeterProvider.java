package dev.metering.provider.stripe;

import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Customer;
import com.stripe.model.SubscriptionItem;
import com.stripe.model.billing.MeterEventSummary;
import com.stripe.param.CustomerSearchParams;
import com.stripe.param.SubscriptionListParams;
import com.stripe.param.billing.MeterEventCreateParams;
import com.stripe.param.billing.MeterEventSummaryListParams;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.cache.Cache;

import dev.metering.BillingSubject;
import dev.metering.MeterUsageSummary;
import dev.metering.provider.MeterDefinition;
import dev.metering.provider.Subscription;
import dev.metering.provider.UsageEvent;
import dev.metering.provider.DeliveryOutcome;
import dev.metering.provider.MeterProvider;

/**
 * Stripe Billing Meters through the official SDK: meter events in, event summaries out,
 * customers found by a metadata key, plans and periods from active subscriptions.
 */
public final class StripeMeterProvider implements MeterProvider {

	private static final Log logger = LogFactory.getLog(StripeMeterProvider.class);

	/** Stripe refuses meter events older than this. */
	static final Duration MAX_AGE = Duration.ofDays(35);

	private final StripeClient client;

	private final StripeRetryHints retryHints;

	private final String customerMetadataKey;

	private final StripeCaches caches;

	private final StripeMeterEventStream eventStream;

	private final Map<String, Optional<?>> lastKnown = new ConcurrentHashMap<>();

	private final Set<String> refreshing = ConcurrentHashMap.newKeySet();

	private final Executor refresher;

	/**
	 * @param client a client with the SDK's own retries off
	 * @param retryHints the client's HTTP client, when it is one, for Stripe's retry advice
	 * @param customerMetadataKey the customer metadata key that holds the organization or user ID
	 * @param eventStream whether to send events through the v2 meter event stream, in batches
	 * @param refresher runs the refreshes of expired customers and subscriptions
	 */
	public StripeMeterProvider(StripeClient client, StripeRetryHints retryHints, String customerMetadataKey,
			StripeCaches caches, boolean eventStream, Executor refresher, Clock clock) {
		this.client = client;
		this.retryHints = retryHints;
		this.customerMetadataKey = customerMetadataKey;
		this.caches = caches;
		this.eventStream = eventStream ? new StripeMeterEventStream(client, clock) : null;
		this.refresher = refresher;
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
		return (this.eventStream != null) ? this.eventStream.send(events, this.retryHints)
				: MeterProvider.super.deliverAll(events);
	}

	@Override
	public DeliveryOutcome deliver(UsageEvent event) {
		if (this.eventStream != null) {
			return this.eventStream.send(List.of(event), this.retryHints).get(0);
		}
		MeterEventCreateParams params = MeterEventCreateParams.builder()
			.setEventName(event.eventName())
			.putPayload("stripe_customer_id", event.customerId())
			.putPayload("value", Long.toString(event.value()))
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
	 * Event summaries of the meter from the minute holding {@code start} to the minute that
	 * ends at or after {@code end}, as Stripe wants whole minutes; cached.
	 */
	@Override
	@SuppressWarnings("unchecked")
	public List<MeterUsageSummary> usage(MeterDefinition meter, String customerId, Instant start, Instant end) {
		String meterId = meter.meterId();
		if (meterId == null || !meterId.startsWith("mtr_")) {
			throw new IllegalArgumentException("Stripe needs the meter ID (mtr_...) of meter '" + meter.key()
					+ "': set metering.meters." + meter.key() + ".meter-id");
		}
		if (start == null || end == null) {
			throw new IllegalArgumentException("Stripe event summaries need both a start and an end time");
		}
		Instant from = start.truncatedTo(ChronoUnit.MINUTES);
		Instant to = end.truncatedTo(ChronoUnit.MINUTES).equals(end) ? end
				: end.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
		String key = meterId + '|' + customerId + '|' + from.getEpochSecond() + '|' + to.getEpochSecond();
		Cache.ValueWrapper cached = this.caches.usage().get(key);
		if (cached != null) {
			return (List<MeterUsageSummary>) cached.get();
		}
		List<MeterUsageSummary> summaries = summaries(meterId, customerId, from, to);
		this.caches.usage().put(key, summaries);
		return summaries;
	}

	@Override
	public Optional<String> findCustomerId(BillingSubject subject) {
		return cachedOptional(this.caches.customers(), subject.referenceId(),
				() -> searchCustomer(subject.referenceId()));
	}

	@Override
	public Optional<Subscription> activeSubscription(String customerId) {
		return cachedOptional(this.caches.subscriptions(), customerId, () -> fetchSubscription(customerId));
	}

	private List<MeterUsageSummary> summaries(String meterId, String customerId, Instant from, Instant to) {
		MeterEventSummaryListParams params = MeterEventSummaryListParams.builder()
			.setCustomer(customerId)
			.setStartTime(from.getEpochSecond())
			.setEndTime(to.getEpochSecond())
			.setLimit(100L)
			.build();
		List<MeterUsageSummary> summaries = new ArrayList<>();
		try {
			for (MeterEventSummary summary : this.client.v1()
				.billing()
				.meters()
				.eventSummaries()
				.list(meterId, params)
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

	private Optional<String> searchCustomer(String referenceId) {
		String query = "metadata['" + this.customerMetadataKey + "']:'" + referenceId.replace("\\", "\\\\")
			.replace("'", "\\'") + "'";
		try {
			for (Customer customer : this.client.v1()
				.customers()
				.search(CustomerSearchParams.builder().setQuery(query).setLimit(1L).build())
				.getData()) {
				return Optional.of(customer.getId());
			}
			return Optional.empty();
		}
		catch (StripeException ex) {
			throw failure("find the customer of '" + referenceId + "'", ex);
		}
	}

	private Optional<Subscription> fetchSubscription(String customerId) {
		SubscriptionListParams params = SubscriptionListParams.builder()
			.setCustomer(customerId)
			.setStatus(SubscriptionListParams.Status.ACTIVE)
			.setLimit(1L)
			.build();
		try {
			for (com.stripe.model.Subscription subscription : this.client.v1()
				.subscriptions()
				.list(params)
				.getData()) {
				List<SubscriptionItem> items = subscription.getItems().getData();
				List<String> priceIds = items.stream()
					.filter((item) -> item.getPrice() != null)
					.map((item) -> item.getPrice().getId())
					.toList();
				if (items.isEmpty()) {
					return Optional.empty();
				}
				SubscriptionItem first = items.get(0);
				return Optional.of(new Subscription(customerId, priceIds,
						Instant.ofEpochSecond(first.getCurrentPeriodStart()),
						Instant.ofEpochSecond(first.getCurrentPeriodEnd())));
			}
			return Optional.empty();
		}
		catch (StripeException ex) {
			throw failure("read the subscription of " + customerId, ex);
		}
	}

	/**
	 * Reads through the cache. Once Stripe has answered for a key, the calling thread never
	 * waits for Stripe again: an expired entry is served as it was while a background refresh
	 * asks Stripe anew, and if Stripe fails, the last answer stays in use.
	 */
	@SuppressWarnings("unchecked")
	private <T> Optional<T> cachedOptional(Cache cache, String key, Supplier<Optional<T>> loader) {
		Cache.ValueWrapper cached = cache.get(key);
		if (cached != null) {
			return Optional.ofNullable((T) cached.get());
		}
		String lastKnownKey = cache.getName() + '|' + key;
		Optional<?> lastKnown = this.lastKnown.get(lastKnownKey);
		if (lastKnown == null) {
			return load(cache, key, lastKnownKey, loader);
		}
		if (this.refreshing.add(lastKnownKey)) {
			this.refresher.execute(() -> {
				try {
					load(cache, key, lastKnownKey, loader);
				}
				catch (StripeProviderException ex) {
					logger.warn(ex.getMessage() + "; using the last answer Stripe gave");
				}
				finally {
					this.refreshing.remove(lastKnownKey);
				}
			});
		}
		return (Optional<T>) lastKnown;
	}

	private <T> Optional<T> load(Cache cache, String key, String lastKnownKey, Supplier<Optional<T>> loader) {
		Optional<T> loaded = loader.get();
		// cache "none" too: a new user before checkout must not cost a Stripe call per request
		cache.put(key, loaded.orElse(null));
		this.lastKnown.put(lastKnownKey, loaded);
		return loaded;
	}

	private StripeProviderException failure(String what, StripeException ex) {
		return new StripeProviderException("Could not " + what + " at Stripe: "
				+ StripeErrors.describe(ex, StripeErrors.message(ex)), ex);
	}

}

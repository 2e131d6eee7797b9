package dev.metering.provider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Cache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;

import dev.metering.MeterUsageSummary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Provider look-ups through the built-in caches, on a ticker the tests move, with
 * background refreshes that run when the test says.
 */
@ExtendWith(OutputCaptureExtension.class)
class ProviderCachesTests {

	private static final Duration REFRESH = Duration.ofMinutes(10);

	private static final Duration MISSING_REFRESH = Duration.ofSeconds(30);

	private static final Duration FAILURE_BACKOFF = Duration.ofSeconds(10);

	private final ProviderAccess access = new ProviderAccess("test", "test.api-key", Clock.systemUTC());

	private final AtomicLong nanos = new AtomicLong();

	private final Deque<Runnable> refreshes = new ArrayDeque<>();

	private final ProviderCaches caches = caches(1000);

	@Test
	void anAnswerIsServedFromTheCacheUntilItsRefreshIsDue() {
		Answers answers = new Answers().then("cus_1").then("cus_2");
		CachedLookup<String, String> customers = this.caches.customers(answers);

		assertThat(customers.find("org_a")).contains("cus_1");
		advance(REFRESH.minusSeconds(1));
		assertThat(customers.find("org_a")).contains("cus_1");
		assertThat(answers.asked).hasValue(1);
	}

	@Test
	void aFirstLookUpThatFailedFailsAtOnceUntilTheBackoffEndsThenAsksAgain() {
		IllegalStateException down = new IllegalStateException("Could not find the customer of 'org_a': timed out");
		Answers answers = new Answers().thenFail(down).then("cus_1");
		CachedLookup<String, String> customers = this.caches.customers(answers);

		assertThatIllegalStateException().isThrownBy(() -> customers.find("org_a")).isSameAs(down);
		advance(FAILURE_BACKOFF.minusSeconds(1));
		assertThatIllegalStateException().as("answered from memory")
			.isThrownBy(() -> customers.find("org_a"))
			.isSameAs(down);
		assertThat(answers.asked).hasValue(1);

		advance(Duration.ofSeconds(2));
		assertThat(customers.find("org_a")).contains("cus_1");
		assertThat(answers.asked).hasValue(2);
	}

	@Test
	void aRefreshThatSucceedsServesTheNewAnswerAfterTheOldOne() {
		Answers answers = new Answers().then("cus_1").then("cus_2");
		CachedLookup<String, String> customers = this.caches.customers(answers);
		customers.find("org_a");

		advance(REFRESH.plusSeconds(1));
		assertThat(customers.find("org_a")).as("served while the refresh waits").contains("cus_1");
		assertThat(answers.asked).hasValue(1);
		runRefreshes();
		assertThat(customers.find("org_a")).contains("cus_2");
		assertThat(answers.asked).hasValue(2);
	}

	@Test
	void aRefreshThatFailsKeepsServingTheOldAnswerAndLogsWithoutSecrets(CapturedOutput output) {
		Answers answers = new Answers().then("cus_1")
			.thenFail(new IllegalStateException("Could not find the customer of 'org_a': 500 api_error",
					new IllegalStateException("sent with sk_test_secret")))
			.then("cus_2");
		CachedLookup<String, String> customers = this.caches.customers(answers);
		customers.find("org_a");

		advance(REFRESH.plusSeconds(1));
		assertThat(customers.find("org_a")).contains("cus_1");
		runRefreshes();
		assertThat(customers.find("org_a")).contains("cus_1");
		assertThat(this.refreshes).as("the next attempt waits a refresh interval").isEmpty();
		assertThat(answers.asked).hasValue(2);
		assertThat(output)
			.contains("Could not refresh org_a in cache metering.customers, keeping the last answer: "
					+ "Could not find the customer of 'org_a': 500 api_error")
			.doesNotContain("sk_test_secret");

		advance(REFRESH.plusSeconds(1));
		customers.find("org_a");
		runRefreshes();
		assertThat(customers.find("org_a")).contains("cus_2");
	}

	@Test
	void noneIsAnAnswerAndIsCachedToo() {
		AtomicInteger asked = new AtomicInteger();
		CachedLookup<String, Subscription> subscriptions = this.caches.subscriptions((customerId) -> {
			asked.incrementAndGet();
			return null;
		});

		assertThat(subscriptions.find("cus_new")).isEmpty();
		assertThat(subscriptions.find("cus_new")).isEmpty();
		assertThat(asked).hasValue(1);
	}

	@Test
	void noneIsServedForTheMissingRefreshThenRefreshedInTheBackgroundWhileInUse() {
		Answers answers = new Answers().then(null).then(null).then("cus_new");
		CachedLookup<String, String> customers = this.caches.customers(answers);
		assertThat(customers.find("org_new")).isEmpty();

		advance(MISSING_REFRESH.minusSeconds(1));
		assertThat(customers.find("org_new")).isEmpty();
		assertThat(this.refreshes).as("not due yet").isEmpty();

		advance(Duration.ofSeconds(2));
		assertThat(customers.find("org_new")).as("served while the refresh asks again").isEmpty();
		runRefreshes();
		assertThat(answers.asked).hasValue(2);
		assertThat(customers.find("org_new")).as("the provider still had none, as a lagging search does").isEmpty();

		advance(MISSING_REFRESH.plusSeconds(1));
		customers.find("org_new");
		runRefreshes();
		assertThat(customers.find("org_new")).contains("cus_new");
		assertThat(answers.asked).hasValue(3);
	}

	@Test
	void anAnswerIsNotAskedForAgainAtTheMissingRefreshAndIsAtItsOwn() {
		Answers answers = new Answers().then("cus_1").then("cus_2");
		CachedLookup<String, String> customers = this.caches.customers(answers);
		customers.find("org_a");

		for (long step = 1; step < REFRESH.dividedBy(MISSING_REFRESH); step++) {
			advance(MISSING_REFRESH);
			assertThat(customers.find("org_a")).contains("cus_1");
			runRefreshes();
		}
		assertThat(answers.asked).as("asked once in the refresh interval").hasValue(1);

		advance(MISSING_REFRESH);
		customers.find("org_a");
		runRefreshes();
		assertThat(customers.find("org_a")).contains("cus_2");
		assertThat(answers.asked).hasValue(2);
	}

	@Test
	void noSubscriptionIsRefreshedAfterTheMissingRefreshToo() {
		Deque<Subscription> answers = new ArrayDeque<>(List.of(subscription("price_pro")));
		AtomicInteger asked = new AtomicInteger();
		CachedLookup<String, Subscription> subscriptions = this.caches.subscriptions((customerId) -> {
			asked.incrementAndGet();
			return (asked.get() == 1) ? null : answers.remove();
		});
		assertThat(subscriptions.find("cus_1")).isEmpty();

		advance(MISSING_REFRESH.plusSeconds(1));
		subscriptions.find("cus_1");
		runRefreshes();

		assertThat(subscriptions.find("cus_1")).map(Subscription::priceIds).contains(List.of("price_pro"));
	}

	@Test
	void aCustomerToldByTheProviderIsServedWithoutAskingAndRefreshedLikeAnAnswer() {
		Answers answers = new Answers().thenFail(new IllegalStateException("Could not find the customer: 500"))
			.then("cus_refreshed");
		CachedLookup<String, String> customers = this.caches.customers(answers);
		assertThatIllegalStateException().isThrownBy(() -> customers.find("org_a"));

		this.caches.putCustomer("org_a", "cus_told");

		assertThat(customers.find("org_a")).as("the recent failure forgotten").contains("cus_told");
		advance(MISSING_REFRESH.plusSeconds(1));
		assertThat(customers.find("org_a")).contains("cus_told");
		assertThat(this.refreshes).as("an answer: not due").isEmpty();
		advance(REFRESH);
		customers.find("org_a");
		runRefreshes();
		assertThat(customers.find("org_a")).contains("cus_refreshed");
		assertThat(answers.asked).hasValue(2);
	}

	@Test
	void aCustomerToldByTheProviderReachesTheApplicationsCache() {
		ConcurrentMapCacheManager applicationCaches = new ConcurrentMapCacheManager(ProviderCaches.CUSTOMERS);
		ProviderCaches caches = new ProviderCaches(applicationCaches, settings(1000), this.refreshes::add,
				this.nanos::get, this.access);
		caches.customers(new Answers().then(null)).find("org_a");

		caches.putCustomer("org_a", "cus_told");

		assertThat(applicationCaches.getCache(ProviderCaches.CUSTOMERS).get("org_a", String.class))
			.isEqualTo("cus_told");
	}

	@Test
	void aFirstLookUpThatFailsThrowsWhatTheLookUpThrewAndCachesNothing() {
		Answers answers = new Answers().thenFail(new IllegalStateException("Could not read usage: 500 api_error"))
			.then("cus_1");
		CachedLookup<String, String> customers = this.caches.customers(answers);

		assertThatIllegalStateException().isThrownBy(() -> customers.find("org_a"))
			.withMessage("Could not read usage: 500 api_error");
		advance(FAILURE_BACKOFF);
		assertThat(customers.find("org_a")).contains("cus_1");
	}

	@Test
	void theCacheStaysWithinItsMaximumSize() {
		CachedLookup<String, String> customers = caches(10).customers((referenceId) -> "cus_" + referenceId);

		for (int i = 0; i < 1000; i++) {
			customers.find("org_" + i);
		}

		Cache<?, ?> caffeine = (Cache<?, ?>) customers.cache().getNativeCache();
		caffeine.cleanUp();
		assertThat(caffeine.estimatedSize()).isLessThanOrEqualTo(10);
	}

	@Test
	void usageIsCachedByItsQuery() {
		UsageQuery query = new UsageQuery("mtr_1", "cus_1");
		AtomicInteger asked = new AtomicInteger();
		CachedLookup<UsageQuery, List<MeterUsageSummary>> usage = this.caches.usage((q) -> {
			asked.incrementAndGet();
			return List.of(new MeterUsageSummary(q.meterId(), q.customerId(), 7, Instant.EPOCH,
					Instant.EPOCH.plusSeconds(60)));
		});

		assertThat(usage.find(query)).hasValueSatisfying((summaries) -> assertThat(summaries).hasSize(1));
		assertThat(usage.find(new UsageQuery("mtr_1", "cus_1"))).isPresent();
		assertThat(usage.cache().getName()).isEqualTo(ProviderCaches.USAGE);
		assertThat(asked).hasValue(1);
	}

	@Test
	void theApplicationsCacheOfThatNameIsUsedInsteadOfOurs() {
		ConcurrentMapCacheManager applicationCaches = new ConcurrentMapCacheManager(ProviderCaches.CUSTOMERS);
		applicationCaches.getCache(ProviderCaches.CUSTOMERS).put("org_a", "cus_known");
		ProviderCaches caches = new ProviderCaches(applicationCaches, settings(1000), this.refreshes::add,
				this.nanos::get, this.access);
		Answers answers = new Answers().then("cus_asked");
		CachedLookup<String, String> customers = caches.customers(answers);

		assertThat(customers.find("org_a")).contains("cus_known");
		assertThat(customers.find("org_b")).contains("cus_asked");
		assertThat(applicationCaches.getCache(ProviderCaches.CUSTOMERS).get("org_b", String.class))
			.isEqualTo("cus_asked");
		assertThat(customers.cache()).isSameAs(applicationCaches.getCache(ProviderCaches.CUSTOMERS));
		assertThat(caches.subscriptions((customerId) -> null).cache().getNativeCache())
			.as("a cache the application does not have is ours")
			.isInstanceOf(Cache.class);
	}

	@Test
	void anEvictedSubscriptionIsAskedForAgainAtTheNextLookUpAndOthersStay() {
		Deque<Subscription> answers = new ArrayDeque<>(List.of(subscription("price_free"), subscription("price_pro")));
		AtomicInteger asked = new AtomicInteger();
		CachedLookup<String, Subscription> subscriptions = this.caches.subscriptions((customerId) -> {
			asked.incrementAndGet();
			return customerId.equals("cus_1") ? answers.remove() : null;
		});
		subscriptions.find("cus_1");
		subscriptions.find("cus_2");

		this.caches.evictSubscription("cus_1");
		this.caches.evictSubscription("cus_never_looked_up");

		assertThat(subscriptions.find("cus_1")).map(Subscription::priceIds).contains(List.of("price_pro"));
		assertThat(subscriptions.find("cus_2")).isEmpty();
		assertThat(asked).as("cus_1 twice, cus_2 once").hasValue(3);
	}

	@Test
	void anEvictedCustomerForgetsARecentFailureTooAndLeavesTheSubscriptions() {
		Answers answers = new Answers().thenFail(new IllegalStateException("Could not find the customer: 500"))
			.then("cus_1");
		CachedLookup<String, String> customers = this.caches.customers(answers);
		AtomicInteger subscriptionsAsked = new AtomicInteger();
		CachedLookup<String, Subscription> subscriptions = this.caches.subscriptions((customerId) -> {
			subscriptionsAsked.incrementAndGet();
			return null;
		});
		assertThatIllegalStateException().isThrownBy(() -> customers.find("org_a"));
		subscriptions.find("org_a");

		this.caches.evictCustomer("org_a");

		assertThat(customers.find("org_a")).as("asked again within the failure backoff").contains("cus_1");
		subscriptions.find("org_a");
		assertThat(subscriptionsAsked).hasValue(1);
	}

	@Test
	void anEvictionReachesTheApplicationsCache() {
		ConcurrentMapCacheManager applicationCaches = new ConcurrentMapCacheManager(ProviderCaches.SUBSCRIPTIONS);
		ProviderCaches caches = new ProviderCaches(applicationCaches, settings(1000), this.refreshes::add,
				this.nanos::get, this.access);
		caches.subscriptions((customerId) -> subscription("price_pro")).find("cus_1");
		assertThat(applicationCaches.getCache(ProviderCaches.SUBSCRIPTIONS).get("cus_1")).isNotNull();

		caches.evictSubscription("cus_1");

		assertThat(applicationCaches.getCache(ProviderCaches.SUBSCRIPTIONS).get("cus_1")).isNull();
	}

	private static Subscription subscription(String priceId) {
		return new Subscription("cus_1", List.of(priceId), Instant.EPOCH, Instant.EPOCH.plus(Duration.ofDays(30)));
	}

	private ProviderCaches caches(long maximumSize) {
		return new ProviderCaches(null, settings(maximumSize), this.refreshes::add, this.nanos::get, this.access);
	}

	private static ProviderCaches.Settings settings(long maximumSize) {
		return new ProviderCaches.Settings(REFRESH, REFRESH, MISSING_REFRESH, Duration.ofMinutes(1), maximumSize,
				FAILURE_BACKOFF);
	}

	private void runRefreshes() {
		while (!this.refreshes.isEmpty()) {
			this.refreshes.remove().run();
		}
	}

	private void advance(Duration duration) {
		this.nanos.addAndGet(duration.toNanos());
	}

	private record UsageQuery(String meterId, String customerId) {
	}

	/**
	 * A provider that gives the answers it is told to, in order, and counts the
	 * questions.
	 */
	private static final class Answers implements Function<String, String> {

		/** "None", which a deque cannot hold as {@code null}. */
		private static final Object NONE = new Object();

		private final Deque<Object> answers = new ArrayDeque<>();

		private final AtomicInteger asked = new AtomicInteger();

		/** Answers the customer ID, or none when {@code null}. */
		Answers then(String answer) {
			this.answers.add((answer != null) ? answer : NONE);
			return this;
		}

		Answers thenFail(RuntimeException failure) {
			this.answers.add(failure);
			return this;
		}

		@Override
		public String apply(String key) {
			this.asked.incrementAndGet();
			Object answer = this.answers.remove();
			if (answer instanceof RuntimeException failure) {
				throw failure;
			}
			return (answer != NONE) ? (String) answer : null;
		}

	}

}

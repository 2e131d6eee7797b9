package dev.metering;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientBuilderCustomizer;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.annotation.Order;

import dev.metering.support.MeteringAutoConfigurations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The application's own record of who pays, {@link BillingAccountResolver} beans: asked
 * after {@code metering.accounts} and before the provider, in order.
 */
class BillingAccountResolverTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withPropertyValues("metering.meters.ai-tokens.event-name=ai_tokens",
				"metering.meters.ai-tokens.limit-key=aiTokens", "metering.plans.free.limits.aiTokens=50",
				"metering.plans.pro.limits.aiTokens=1000", "metering.default-plan=free",
				"metering.accounts.org_configured.customer-id=cus_configured", "metering.delivery.flush-interval=20ms");

	@Test
	void aResolvedAccountIsBilledOnItsPlanWithoutAConfiguredAccount() {
		this.contextRunner
			.withBean(BillingAccountResolver.class,
					() -> new Accounts(
							Map.of("org_r", new BillingAccount("cus_r", "pro"), "org_q", BillingAccount.of("cus_q"))))
			.run((context) -> {
				ChatClient chat = chatClient(context, new FixedUsageChatModel(20, 10));
				for (int i = 0; i < 3; i++) {
					ask(chat, "org_r");
				}
				ask(chat, "org_q");

				assertThat(billed(context, "cus_r")).isEqualTo(90);
				assertThat(billed(context, "cus_q")).isEqualTo(30);
				BillingClient billing = context.getBean(BillingClient.class);
				assertThat(billing.getUsageStatus("org_r", "aiTokens").limit()).isEqualTo(1000);
				// no plan from the resolver and no subscription at the local meter: the
				// default plan
				assertThat(billing.getUsageStatus("org_q", "aiTokens").limit()).isEqualTo(50);
				assertThat(billing.getCustomerId(BillingSubject.organization("org_r"))).contains("cus_r");
			});
	}

	@Test
	void configuredAccountsComeFirstAndResolversAreAskedInOrder() {
		AtomicInteger asked = new AtomicInteger();
		this.contextRunner.withBean("first", BillingAccountResolver.class, () -> new First(asked))
			.withBean("second", BillingAccountResolver.class,
					() -> new Accounts(Map.of("org_configured", BillingAccount.of("cus_other"), "org_second",
							BillingAccount.of("cus_second"))))
			.run((context) -> {
				ChatClient chat = chatClient(context, new FixedUsageChatModel(20, 10));
				ask(chat, "org_configured");
				ask(chat, "org_second");

				assertThat(billed(context, "cus_configured")).isEqualTo(30);
				assertThat(billed(context, "cus_second")).isEqualTo(30);
				assertThat(billed(context, "cus_other")).isZero();
				// not asked for the configured organization
				assertThat(asked).hasValue(1);
			});
	}

	@Test
	void aSubjectNoResolverKnowsIsLookedUpAtTheProvider() {
		this.contextRunner.withBean(BillingAccountResolver.class, () -> new Accounts(Map.of())).run((context) -> {
			FixedUsageChatModel model = new FixedUsageChatModel(20, 10);
			ChatClient chat = chatClient(context, model);

			// the local meter knows no customers of its own
			assertThatExceptionOfType(MissingBillingAccountException.class).isThrownBy(() -> ask(chat, "org_nobody"));
			assertThat(model.calls()).isZero();
		});
	}

	@Test
	void anAccountNeedsACustomerIdAndAPlanThatIsNotBlank() {
		assertThatIllegalArgumentException().isThrownBy(() -> BillingAccount.of(" "))
			.withMessage("customerId must not be blank");
		assertThatIllegalArgumentException().isThrownBy(() -> new BillingAccount("cus_1", ""))
			.withMessage("plan must be null or a plan name, was blank");
	}

	private record Accounts(Map<String, BillingAccount> byOrganization) implements BillingAccountResolver {

		@Override
		public Optional<BillingAccount> find(BillingSubject subject) {
			return Optional.ofNullable(this.byOrganization.get(subject.referenceId()));
		}

	}

	/** Knows no one, and counts how often it is asked. */
	@Order(1)
	private record First(AtomicInteger asked) implements BillingAccountResolver {

		@Override
		public Optional<BillingAccount> find(BillingSubject subject) {
			this.asked.incrementAndGet();
			return Optional.empty();
		}

	}

	private static ChatClient chatClient(AssertableApplicationContext context, FixedUsageChatModel model) {
		ChatClient.Builder builder = ChatClient.builder(model);
		context.getBean(ChatClientBuilderCustomizer.class).customize(builder);
		return builder.build();
	}

	private static void ask(ChatClient chat, String organization) {
		chat.prompt("hello").advisors((a) -> a.param(MeteringAdvisor.ORGANIZATION_ID, organization)).call().content();
	}

	private static long billed(AssertableApplicationContext context, String customerId) {
		BillingClient billing = context.getBean(BillingClient.class);
		assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
		return billing.getUsage("ai-tokens", customerId).stream().mapToLong(MeterUsageSummary::aggregatedValue).sum();
	}

}

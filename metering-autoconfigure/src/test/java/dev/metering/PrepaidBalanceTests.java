package dev.metering;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.metering.support.MeteredChat;
import dev.metering.support.MeteringAutoConfigurations;
import dev.metering.support.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Calls on a prepaid meter draw on the organization's balance, checked before the model
 * runs, with a model that spends 30 tokens a call: refused with
 * {@link InsufficientBalanceException} once the grants cannot pay, at most one call over,
 * beside the plan limit when the meter has both.
 */
class PrepaidBalanceTests {

	private static final Instant NOW = Instant.parse("2027-03-10T12:00:00Z");

	private static final Instant MARCH = Instant.parse("2027-03-01T00:00:00Z");

	private static final Instant APRIL = Instant.parse("2027-04-01T00:00:00Z");

	private final MutableClock clock = new MutableClock(NOW);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(MeteringAutoConfigurations.with())
		.withBean(Clock.class, () -> this.clock)
		.withPropertyValues("metering.meters.ai-tokens.event-name=ai_tokens", "metering.meters.ai-tokens.prepaid=true",
				"metering.meters.ai-tokens.limit-key=aiTokens", "metering.accounts.org_a.customer-id=cus_a",
				"metering.delivery.flush-interval=20ms");

	@Test
	void withoutAGrantACallIsRefusedBeforeTheModel() {
		this.contextRunner.run((context) -> {
			FixedUsageChatModel model = new FixedUsageChatModel(20, 10);

			assertThatExceptionOfType(InsufficientBalanceException.class)
				.isThrownBy(() -> MeteredChat.of(context, model).ask("org_a"))
				.satisfies((ex) -> assertThat(ex.getBalance()).isEqualTo(new Balance("ai-tokens", 0, 0, 0, null)));
			assertThat(model.calls()).isZero();
		});
	}

	@Test
	void callsDrawOnTheGrantUntilItCannotPayWithAtMostOneCallOver() {
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			CreditGrant grant = billing.grantCredits("org_a", "ai-tokens", 100, NOW, null, 0);
			FixedUsageChatModel model = new FixedUsageChatModel(20, 10);
			MeteredChat chat = MeteredChat.of(context, model);
			for (int i = 0; i < 4; i++) {
				chat.ask("org_a");
			}

			assertThatExceptionOfType(InsufficientBalanceException.class).isThrownBy(() -> chat.ask("org_a"))
				.satisfies((ex) -> assertThat(ex.getBalance().remaining()).isZero());
			assertThat(model.calls()).isEqualTo(4);
			assertThat(billing.getBalance("org_a", "ai-tokens")).isEqualTo(new Balance("ai-tokens", 100, 120, 0, null));
			assertThat(billing.getGrants("org_a", "ai-tokens")).containsExactly(grant);
			assertThat(billed(billing)).isEqualTo(120);
		});
	}

	@Test
	void aTopUpAdmitsCallsAgain() {
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			billing.grantCredits("org_a", "ai-tokens", 30, NOW, null, 0);
			FixedUsageChatModel model = new FixedUsageChatModel(20, 10);
			MeteredChat chat = MeteredChat.of(context, model);
			chat.ask("org_a");
			assertThatExceptionOfType(InsufficientBalanceException.class).isThrownBy(() -> chat.ask("org_a"));

			billing.grantCredits("org_a", "ai-tokens", 60, NOW, null, 0);
			chat.ask("org_a");
			chat.ask("org_a");

			assertThat(model.calls()).isEqualTo(3);
			assertThat(billing.getBalance("org_a", "ai-tokens").remaining()).isZero();
		});
	}

	@Test
	void aGrantThatExpiresStopsAdmissionAtItsExpiryWhileWhatWasDrawnFromItStaysPaid() {
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			Instant expiry = NOW.plus(Duration.ofHours(1));
			billing.grantCredits("org_a", "ai-tokens", 1000, NOW, expiry, 0);
			FixedUsageChatModel model = new FixedUsageChatModel(20, 10);
			MeteredChat chat = MeteredChat.of(context, model);
			chat.ask("org_a");
			chat.ask("org_a");
			assertThat(billing.getBalance("org_a", "ai-tokens"))
				.isEqualTo(new Balance("ai-tokens", 1000, 60, 940, expiry));

			this.clock.set(expiry);
			assertThatExceptionOfType(InsufficientBalanceException.class).isThrownBy(() -> chat.ask("org_a"));
			assertThat(billing.getBalance("org_a", "ai-tokens")).as("the 60 drawn stay paid")
				.isEqualTo(new Balance("ai-tokens", 60, 60, 0, null));
			assertThat(billing.getGrants("org_a", "ai-tokens")).isEmpty();

			billing.grantCredits("org_a", "ai-tokens", 100, expiry, null, 0);
			chat.ask("org_a");
			assertThat(billing.getBalance("org_a", "ai-tokens")).isEqualTo(new Balance("ai-tokens", 160, 90, 70, null));
		});
	}

	@Test
	void aRevokedGrantPaysNoMore() {
		this.contextRunner.run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			CreditGrant grant = billing.grantCredits("org_a", "ai-tokens", 1000, NOW, null, 0);
			MeteredChat chat = MeteredChat.of(context, new FixedUsageChatModel(20, 10));
			chat.ask("org_a");

			this.clock.set(NOW.plusSeconds(60));
			billing.revokeGrant(grant.id());

			assertThatExceptionOfType(InsufficientBalanceException.class).isThrownBy(() -> chat.ask("org_a"));
			assertThat(billing.getBalance("org_a", "ai-tokens")).isEqualTo(new Balance("ai-tokens", 30, 30, 0, null));
		});
	}

	@Test
	void theBalanceAndThePlanLimitMustBothPassAndARefusalReleasesTheOther() {
		this.contextRunner.withPropertyValues("metering.plans.free.limits.aiTokens=1000").run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			billing.grantCredits("org_a", "ai-tokens", 50, NOW, null, 0);
			MeteredChat chat = MeteredChat.of(context, new FixedUsageChatModel(20, 10));
			chat.ask("org_a");
			chat.ask("org_a");

			assertThatExceptionOfType(InsufficientBalanceException.class).isThrownBy(() -> chat.ask("org_a"));
			assertThat(billing.getUsageStatus("org_a", "aiTokens").used()).isEqualTo(60);
			assertThat(billing.getUsageStatus("org_a", "aiTokens").remaining()).as("nothing left reserved")
				.isEqualTo(940);
		});
		this.contextRunner.withPropertyValues("metering.plans.free.limits.aiTokens=50").run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			billing.grantCredits("org_a", "ai-tokens", 1000, NOW, null, 0);
			MeteredChat chat = MeteredChat.of(context, new FixedUsageChatModel(20, 10));
			chat.ask("org_a");
			chat.ask("org_a");

			assertThatExceptionOfType(UsageLimitExceededException.class).isThrownBy(() -> chat.ask("org_a"));
			assertThat(billing.getBalance("org_a", "ai-tokens").used()).isEqualTo(60);
		});
	}

	@Test
	void aPlanGrantsItsAmountEachBillingPeriodAndWhatIsLeftExpiresWithThePeriod() {
		this.contextRunner
			.withPropertyValues("metering.default-plan=pro", "metering.plans.pro.grants.ai-tokens.amount=100")
			.run((context) -> {
				BillingClient billing = context.getBean(BillingClient.class);
				MeteredChat chat = MeteredChat.of(context, new FixedUsageChatModel(20, 10));
				chat.ask("org_a");
				chat.ask("org_a");

				assertThat(billing.getBalance("org_a", "ai-tokens"))
					.isEqualTo(new Balance("ai-tokens", 100, 60, 40, APRIL));
				assertThat(billing.getGrants("org_a", "ai-tokens")).singleElement().satisfies((grant) -> {
					assertThat(grant.source()).isEqualTo("plan");
					assertThat(grant.effectiveAt()).isEqualTo(MARCH);
					assertThat(grant.expiresAt()).isEqualTo(APRIL);
				});

				this.clock.set(APRIL.plus(Duration.ofDays(1)));
				assertThat(billing.getBalance("org_a", "ai-tokens")).as("March's 40 left are lost")
					.isEqualTo(new Balance("ai-tokens", 160, 60, 100, Instant.parse("2027-05-01T00:00:00Z")));
				chat.ask("org_a");
				assertThat(billing.getBalance("org_a", "ai-tokens").remaining()).isEqualTo(70);
			});
	}

	@Test
	void aPlanGrantWithRolloverKeepsWhatIsLeftIntoTheNextPeriods() {
		this.contextRunner
			.withPropertyValues("metering.default-plan=team", "metering.plans.team.grants.ai-tokens.amount=100",
					"metering.plans.team.grants.ai-tokens.rollover=true")
			.run((context) -> {
				BillingClient billing = context.getBean(BillingClient.class);
				MeteredChat chat = MeteredChat.of(context, new FixedUsageChatModel(20, 10));
				chat.ask("org_a");
				chat.ask("org_a");

				this.clock.set(APRIL.plus(Duration.ofDays(1)));

				assertThat(billing.getBalance("org_a", "ai-tokens"))
					.isEqualTo(new Balance("ai-tokens", 200, 60, 140, null));
				assertThat(billing.getGrants("org_a", "ai-tokens")).extracting(CreditGrant::effectiveAt)
					.containsExactlyInAnyOrder(MARCH, APRIL);
			});
	}

	@Test
	void warnLetsCallsThroughAndStillDrawsOnTheBalance() {
		this.contextRunner.withPropertyValues("metering.enforcement=warn").run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);
			FixedUsageChatModel model = new FixedUsageChatModel(20, 10);
			MeteredChat chat = MeteredChat.of(context, model);
			chat.ask("org_a");
			chat.ask("org_a");

			assertThat(model.calls()).isEqualTo(2);
			assertThat(billing.getBalance("org_a", "ai-tokens")).isEqualTo(new Balance("ai-tokens", 0, 60, 0, null));
		});
	}

	@Test
	void warnCountsACallLetThroughOverTheBalanceWhileItHeldRoomUnderTheLimit() {
		this.contextRunner.withPropertyValues("metering.enforcement=warn", "metering.plans.free.limits.aiTokens=1000")
			.run((context) -> {
				BillingClient billing = context.getBean(BillingClient.class);
				billing.grantCredits("org_a", "ai-tokens", 30, NOW, null, 0);
				MeteredChat chat = MeteredChat.of(context, new FixedUsageChatModel(20, 10));
				chat.ask("org_a");
				chat.ask("org_a");

				assertThat(billing.getBalance("org_a", "ai-tokens"))
					.isEqualTo(new Balance("ai-tokens", 30, 60, 0, null));
				assertThat(billing.getUsageStatus("org_a", "aiTokens").used()).isEqualTo(60);
			});
	}

	@Test
	void aMeteredQuantityDrawsOnTheBalanceAndIsRefusedOnceNothingIsLeft() {
		this.contextRunner
			.withPropertyValues("metering.meters.images.event-name=images", "metering.meters.images.prepaid=true")
			.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class))
			.withBean(ImageService.class)
			.run((context) -> {
				BillingClient billing = context.getBean(BillingClient.class);
				billing.grantCredits("org_a", "images", 3, NOW, null, 0);
				ImageService images = context.getBean(ImageService.class);
				images.draw("org_a", 2);
				images.draw("org_a", 2);

				assertThatExceptionOfType(InsufficientBalanceException.class).isThrownBy(() -> images.draw("org_a", 1));
				assertThat(images.drawn()).as("the last call is refused before the method").isEqualTo(4);
				assertThat(billing.getBalance("org_a", "images")).isEqualTo(new Balance("images", 3, 4, 0, null));
			});
	}

	@Test
	void balancesAreAskedOfPrepaidMetersOnlyNamingTheProperty() {
		this.contextRunner.withPropertyValues("metering.meters.images.event-name=images").run((context) -> {
			BillingClient billing = context.getBean(BillingClient.class);

			assertThatIllegalArgumentException().isThrownBy(() -> billing.getBalance("org_a", "images"))
				.withMessageContaining("metering.meters.images.prepaid=true");
			assertThatIllegalArgumentException()
				.isThrownBy(() -> billing.grantCredits("org_a", "images", 10, NOW, null, 0))
				.withMessageContaining("metering.meters.images.prepaid=true");
			assertThatIllegalArgumentException().isThrownBy(() -> billing.getGrants("org_a", "unknown"))
				.withMessageContaining("Unknown meter key 'unknown'");
			assertThatIllegalArgumentException().isThrownBy(() -> billing.getBalance(" ", "ai-tokens"))
				.withMessage("referenceId must not be blank");
			assertThatIllegalArgumentException()
				.isThrownBy(() -> billing.grantCredits("org_a", "ai-tokens", 0, NOW, null, 0))
				.withMessage("amount must be at least 1, was 0");
		});
	}

	/** Draws images, a quantity on a prepaid meter of its own. */
	static class ImageService {

		private int drawn;

		@MeteredUsage(value = "images", organization = "#organization", quantity = "#count")
		public int draw(String organization, int count) {
			this.drawn += count;
			return count;
		}

		/** Read through the proxy, from the target. */
		public int drawn() {
			return this.drawn;
		}

	}

	private static long billed(BillingClient billing) {
		assertThat(billing.flush(Duration.ofSeconds(5))).isTrue();
		return billing.getUsage("ai-tokens", "cus_a").get(0).aggregatedValue();
	}

}

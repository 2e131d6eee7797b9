package dev.metering.sample.reactive;

import java.time.Instant;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import dev.metering.BillingClient;
import dev.metering.BillingSubject;
import dev.metering.UsageStatus;

/**
 * The logged-in user's organization's usage in its current billing period, as the plan
 * limit sees it.
 */
@RestController
class UsageController {

	/**
	 * The limit key of the {@code ai-tokens} meter
	 * ({@code metering.meters.ai-tokens.limit-key}).
	 */
	static final String LIMIT_KEY = "aiTokens";

	private final LoggedInUserOrganization organization;

	private final BillingClient billing;

	UsageController(LoggedInUserOrganization organization, BillingClient billing) {
		this.organization = organization;
		this.billing = billing;
	}

	/**
	 * {@link BillingClient} blocks (with a database or a billing provider behind it, it
	 * waits for them), so it is asked on a thread that may block.
	 */
	@GetMapping("/api/usage")
	Mono<OrganizationUsage> usage() {
		return this.organization.resolve()
			.switchIfEmpty(Mono
				.error(() -> new ResponseStatusException(HttpStatus.FORBIDDEN, "You belong to no organization")))
			.flatMap((subject) -> Mono.fromCallable(() -> usageOf(subject)).subscribeOn(Schedulers.boundedElastic()));
	}

	private OrganizationUsage usageOf(BillingSubject subject) {
		UsageStatus status = this.billing.getUsageStatus(subject.referenceId(), LIMIT_KEY);
		return new OrganizationUsage(subject.referenceId(), status.plan(), status.used(), status.limit(),
				status.remaining(), status.periodStart(), status.periodEnd(), status.level());
	}

	/**
	 * Usage of an organization; {@code limit} and {@code remaining} are {@code null} when
	 * the plan is unlimited.
	 */
	record OrganizationUsage(String organization, String plan, long used, @Nullable Long limit,
			@Nullable Long remaining, Instant periodStart, Instant periodEnd, UsageStatus.Level level) {
	}

}

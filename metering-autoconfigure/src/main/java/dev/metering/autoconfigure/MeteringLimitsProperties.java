package dev.metering.autoconfigure;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.metering.billing.LookupFailurePolicy;
import dev.metering.billing.OnLimit;
import dev.metering.limits.StoreFailurePolicy;

/**
 * Configuration of plan limits: how they are kept and checked.
 *
 * @param store Where the usage ledger behind limits is kept: "auto" for the database when
 * the application has a DataSource (limits survive restarts and hold across instances)
 * and memory otherwise, "memory", or "jdbc".
 * @param completionEstimate Tokens reserved for a call's completion before it runs, when
 * the request sets no max-tokens option.
 * @param reservationWait How long a call that is refused only because of the reservations
 * of calls still in flight waits for them to settle before it decides on what they used.
 * @param thresholds Percentages of a limit at which a UsageThresholdReachedEvent is
 * published, once per organization, limit key, threshold and period.
 * @param onLookupFailure What a call does when the provider cannot tell its customer or
 * subscription and nothing is cached: "allow" runs it on the configured or default plan
 * and the calendar-month period, "reject" fails it.
 * @param onLimit What happens to a call whose possible completion would cross its limit:
 * "refuse" admits it iff the limit is not reached yet, "cap" lowers its max-tokens option
 * to what the budget left pays for and refuses it only when that is below the minimum
 * completion.
 * @param minCompletionTokens The fewest completion tokens a call capped by on-limit cap
 * is let through with; below that it is refused.
 * @param lease How long the quota an instance holds of the database ledger stays its own
 * without being renewed. Each instance renews it at every flush; the quota of an instance
 * that stopped renewing (killed, lost, stalled) goes back to the others about this long
 * after it stopped, with the usage it had not written back.
 * @param onStoreFailure What a call that needs quota does while the ledger's database
 * cannot be reached: "allow" admits it and counts its usage once the database is back
 * (the limit does not hold meanwhile), "reject" refuses it with HTTP 503.
 * @since 0.1.0
 */
@ConfigurationProperties(MeteringLimitsProperties.PREFIX)
public record MeteringLimitsProperties(@DefaultValue("auto") MeteringProperties.Store store,
		@DefaultValue("1000") long completionEstimate, @DefaultValue("2s") Duration reservationWait, @DefaultValue( {
				"75", "90", "100" }) List<Integer> thresholds,
		@DefaultValue("allow") LookupFailurePolicy onLookupFailure, @DefaultValue("refuse") OnLimit onLimit,
		@DefaultValue("64") int minCompletionTokens, @DefaultValue("30s") Duration lease,
		@DefaultValue("allow") StoreFailurePolicy onStoreFailure){

	static final String PREFIX = "metering.limits";

}

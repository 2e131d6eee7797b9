package dev.metering.provider.metronome;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import dev.metering.provider.ProviderBalance;

/**
 * A customer's prepaid commits and credits as Metronome's balances list answers them,
 * each in its credit type: what its current access segments grant and what is left now.
 * Postpaid commits are left out: they are spend the customer committed to, not funds it
 * can draw on.
 *
 * @param customerId the customer, as the account names it
 * @param balances the prepaid commits and credits available now
 */
record CustomerBalances(String customerId, List<Balance> balances) {

	private static final Set<String> PREPAID = Set.of("PREPAID", "CREDIT");

	CustomerBalances {
		balances = List.copyOf(balances);
	}

	/**
	 * The prepaid commits and credits of one page of
	 * {@code /v1/contracts/customerBalances/list}.
	 */
	static List<Balance> of(JsonNode page, Instant now) {
		List<Balance> balances = new ArrayList<>();
		for (JsonNode entry : page.path("data").values()) {
			if (!PREPAID.contains(entry.path("type").asString(""))) {
				continue;
			}
			JsonNode schedule = entry.path("access_schedule");
			BigDecimal granted = BigDecimal.ZERO;
			Instant ends = null;
			for (JsonNode segment : schedule.path("schedule_items").values()) {
				Instant from = instant(segment.path("starting_at"));
				Instant to = instant(segment.path("ending_before"));
				if (from != null && to != null && !from.isAfter(now) && now.isBefore(to)) {
					granted = granted.add(segment.path("amount").decimalValue(BigDecimal.ZERO));
					ends = (ends == null || to.isBefore(ends)) ? to : ends;
				}
			}
			JsonNode creditType = schedule.path("credit_type");
			balances.add(new Balance(creditType.path("id").asString(""), creditType.path("name").asString(""), granted,
					entry.path("balance").decimalValue(BigDecimal.ZERO), ends));
		}
		return balances;
	}

	/**
	 * The balance of one credit type, or of the only one the customer's balances are in.
	 * @param creditTypeId the credit type, or {@code null} for the only one
	 * @param property the property that names the credit type, for the error
	 * @return the balance, or {@code null} when the customer has no prepaid balance in it
	 * @throws IllegalStateException when no credit type is named and the balances are of
	 * several
	 */
	@Nullable ProviderBalance of(@Nullable String creditTypeId, String property) {
		List<Balance> matching = this.balances.stream()
			.filter((balance) -> creditTypeId == null || creditTypeId.equals(balance.creditTypeId()))
			.toList();
		Set<String> creditTypes = new TreeSet<>();
		matching.forEach((balance) -> creditTypes.add(balance.creditTypeId()));
		if (creditTypes.size() > 1) {
			throw new IllegalStateException(
					"The commits and credits of Metronome customer " + this.customerId + " are in several credit types "
							+ creditTypes + ": set " + property + " to the one the meter's usage draws on");
		}
		if (matching.isEmpty()) {
			return null;
		}
		BigDecimal granted = BigDecimal.ZERO;
		BigDecimal remaining = BigDecimal.ZERO;
		Instant nextExpiry = null;
		for (Balance balance : matching) {
			granted = granted.add(balance.granted());
			remaining = remaining.add(balance.remaining());
			Instant ends = balance.ends();
			nextExpiry = (ends != null && (nextExpiry == null || ends.isBefore(nextExpiry))) ? ends : nextExpiry;
		}
		return new ProviderBalance(this.customerId, matching.get(0).creditTypeName(), down(granted), down(remaining),
				nextExpiry);
	}

	private static long down(BigDecimal amount) {
		return amount.setScale(0, RoundingMode.FLOOR).longValue();
	}

	private static @Nullable Instant instant(JsonNode node) {
		return node.isString() ? OffsetDateTime.parse(node.asString()).toInstant() : null;
	}

	/**
	 * One prepaid commit or credit.
	 *
	 * @param creditTypeId the ID of its credit type
	 * @param creditTypeName the name of its credit type
	 * @param granted what its current access segments grant
	 * @param remaining what is left of it now
	 * @param ends when its current segment ends, or {@code null} when none is current
	 */
	record Balance(String creditTypeId, String creditTypeName, BigDecimal granted, BigDecimal remaining,
			@Nullable Instant ends) {
	}

}

package dev.metering.balance;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import dev.metering.CreditGrant;

/**
 * Grants kept in memory: lost with the process, and seen by this instance only.
 */
final class InMemoryGrantSource implements GrantSource {

	private final Map<String, CreditGrant> grants = new ConcurrentHashMap<>();

	private final Map<String, Long> consumedAtEnd = new ConcurrentHashMap<>();

	private final Clock clock;

	InMemoryGrantSource(Clock clock) {
		this.clock = clock;
	}

	@Override
	public List<CreditGrant> grants(String referenceId, String meterKey) {
		return this.grants.values()
			.stream()
			.filter((grant) -> grant.referenceId().equals(referenceId) && grant.meterKey().equals(meterKey))
			.sorted(new BurnOrder())
			.toList();
	}

	@Override
	public CreditGrant grant(String referenceId, String meterKey, long amount, Instant effectiveAt,
			@Nullable Instant expiresAt, int priority) {
		CreditGrant grant = LocalGrants.make(referenceId, meterKey, amount, effectiveAt, expiresAt, priority);
		this.grants.put(grant.id(), grant);
		return grant;
	}

	@Override
	public boolean grantOnce(CreditGrant grant) {
		CreditGrant checked = LocalGrants.of(grant);
		return this.grants.putIfAbsent(checked.id(), checked) == null;
	}

	@Override
	public void revoke(String grantId) {
		Instant now = this.clock.instant();
		this.grants.computeIfPresent(grantId, (id, grant) -> {
			CreditGrant ended = LocalGrants.endedAt(grant, now);
			return (ended != null) ? ended : grant;
		});
	}

	@Override
	public Map<String, Long> consumedAtEnd(String referenceId, String meterKey) {
		Map<String, Long> consumed = new HashMap<>();
		grants(referenceId, meterKey).forEach((grant) -> {
			Long kept = this.consumedAtEnd.get(grant.id());
			if (kept != null) {
				consumed.put(grant.id(), kept);
			}
		});
		return consumed;
	}

	@Override
	public void keepConsumedAtEnd(String grantId, long consumed) {
		this.consumedAtEnd.putIfAbsent(grantId, consumed);
	}

}

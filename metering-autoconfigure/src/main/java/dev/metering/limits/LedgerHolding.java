package dev.metering.limits;

import java.time.Duration;
import java.util.Objects;

/**
 * How an instance of the {@link JdbcUsageLedger} holds its slices, so that those of an
 * instance that died come back to the others.
 *
 * @param holder the instance's ID among those on the database, the same its outbox
 * records events with
 * @param lease how long what it holds stays its own without being renewed; renewed at
 * every flush
 * @param onStoreFailure what a call that needs quota does while the database cannot be
 * reached
 * @param recordedUsage where the usage a dead instance had not written back is found
 */
record LedgerHolding(String holder, Duration lease, StoreFailurePolicy onStoreFailure, RecordedUsage recordedUsage) {

	LedgerHolding {
		Objects.requireNonNull(holder, "holder");
		if (lease.isNegative() || lease.isZero()) {
			throw new IllegalArgumentException("lease must be positive, was " + lease);
		}
		Objects.requireNonNull(onStoreFailure, "onStoreFailure");
		Objects.requireNonNull(recordedUsage, "recordedUsage");
	}

}

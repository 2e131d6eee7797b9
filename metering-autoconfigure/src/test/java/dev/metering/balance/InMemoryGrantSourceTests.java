package dev.metering.balance;

import java.time.Clock;

/**
 * Grants kept in memory.
 */
class InMemoryGrantSourceTests extends GrantSourceContract {

	@Override
	GrantSource source(Clock clock) {
		return GrantSources.inMemory(clock);
	}

}

package dev.metering.autoconfigure;

import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;

/**
 * {@code metering.limits.store} is {@code auto} (the default) or {@code jdbc}: the usage
 * ledger and the local meter keep their state in the database when there is one.
 */
final class LimitsInDatabaseCondition extends AnyNestedCondition {

	LimitsInDatabaseCondition() {
		super(ConfigurationPhase.PARSE_CONFIGURATION);
	}

	@ConditionalOnProperty(name = MeteringProperties.PREFIX + ".limits.store", havingValue = "auto",
			matchIfMissing = true)
	static final class Auto {

	}

	@ConditionalOnProperty(name = MeteringProperties.PREFIX + ".limits.store", havingValue = "jdbc")
	static final class Jdbc {

	}

}

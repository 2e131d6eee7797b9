package dev.metering.autoconfigure;

import java.time.Clock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import dev.metering.lock.InstanceLock;
import dev.metering.lock.InstanceLocks;

/**
 * The locks in the database that let one instance do what every instance is scheduled to
 * do once (the scheduled reconciliation, the hourly purges), imported by every feature
 * that keeps its state there and has such work: the outbox, the local meter, the webhook
 * receipts.
 */
@Configuration(proxyBeanMethods = false)
@Import(MeteringInstanceConfiguration.class)
class InstanceLockConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@DependsOnDatabaseInitialization
	InstanceLock meteringInstanceLock(MeteringJdbc jdbc, MeteringInstance instance, ObjectProvider<Clock> clock) {
		return InstanceLocks.inDatabase(jdbc.client(), instance.id(), clock.getIfUnique(Clock::systemUTC));
	}

	@Bean
	MeteringTables meteringLockTables() {
		return new MeteringTables("locks", "meteringInstanceLock");
	}

}

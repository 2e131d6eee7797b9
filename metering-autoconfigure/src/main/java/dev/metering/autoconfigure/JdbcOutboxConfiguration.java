package dev.metering.autoconfigure;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.UUID;

import javax.sql.DataSource;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.metering.outbox.GroupCommitOutbox;
import dev.metering.outbox.JdbcOutboxDatabase;
import dev.metering.outbox.JdbcUsageOutbox;
import dev.metering.outbox.UsageOutbox;

/**
 * The outbox in the application's database, when it has one and
 * {@code metering.outbox.store} is not {@code memory}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(JdbcTemplate.class)
@ConditionalOnBean(DataSource.class)
@ConditionalOnExpression("'${metering.outbox.store:auto}'.toLowerCase() != 'memory'")
class JdbcOutboxConfiguration {

	@Bean
	@ConditionalOnMissingBean
	UsageOutbox meteringJdbcOutbox(DataSource dataSource, MeteringProperties properties) {
		MeteringProperties.Outbox outbox = properties.outbox();
		JdbcOutboxDatabase database = JdbcOutboxDatabase.of(dataSource);
		if (outbox.initializeSchema()) {
			database.initializeSchema(dataSource);
		}
		JdbcUsageOutbox store = new JdbcUsageOutbox(dataSource, instanceId(), outbox.lease(), Clock.systemUTC());
		if (outbox.sync()) {
			return store;
		}
		return new GroupCommitOutbox(store, outbox.queueCapacity(), outbox.commitInterval(), outbox.offerTimeout(),
				properties.delivery().shutdownTimeout());
	}

	private static String instanceId() {
		String host;
		try {
			host = InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException ex) {
			host = "unknown-host";
		}
		return host + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

}

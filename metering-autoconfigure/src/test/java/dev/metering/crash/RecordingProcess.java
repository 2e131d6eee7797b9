package dev.metering.crash;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;

import dev.metering.BillingClient;
import dev.metering.RecordUsageResult;
import dev.metering.autoconfigure.JdbcOutboxAutoConfiguration;
import dev.metering.autoconfigure.LocalMeteringAutoConfiguration;
import dev.metering.autoconfigure.MeteringAutoConfiguration;
import dev.metering.autoconfigure.StripeMeteringAutoConfiguration;

/**
 * An application that records usage to a Stripe stub through a database outbox, run in a
 * child JVM by {@link CrashRecoveryTests}: in {@code record} mode it records as fast as
 * it can until it is killed, logging each event before and after {@code recordUsage}; in
 * {@code drain} mode it starts, delivers what it finds, and exits.
 */
public final class RecordingProcess {

	private RecordingProcess() {
	}

	/**
	 * @param args mode ({@code record} or {@code drain}), JDBC URL, Stripe stub URL,
	 * whether the outbox is synchronous, and in record mode the file to log events to
	 */
	public static void main(String[] args) throws IOException {
		String mode = args[0];
		SpringApplication application = new SpringApplication(Application.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		Map<String, Object> properties = new HashMap<>();
		properties.put("spring.datasource.url", args[1]);
		properties.put("spring.datasource.username", "postgres");
		properties.put("metering.provider", "stripe");
		properties.put("metering.stripe.api-key", "sk_test_crash");
		properties.put("metering.stripe.api-base", args[2]);
		properties.put("metering.stripe.meter-events-base", args[2]);
		properties.put("metering.outbox.sync", args[3]);
		properties.put("metering.jdbc.initialize-schema", "always");
		properties.put("metering.delivery.flush-interval", "50ms");
		// the killed instance's claims lapse soon, so that the restarted one takes them
		// over
		properties.put("metering.outbox.lease", "2s");
		properties.put("spring.main.banner-mode", "off");
		properties.put("logging.level.root", "warn");
		application.setDefaultProperties(properties);
		ConfigurableApplicationContext context = application.run();
		BillingClient billing = context.getBean(BillingClient.class);
		if ("drain".equals(mode)) {
			boolean drained = billing.flush(Duration.ofSeconds(60));
			context.close();
			System.exit(drained ? 0 : 1);
		}
		try (PrintStream log = new PrintStream(new FileOutputStream(args[4]), true)) {
			for (long i = 0; i < Long.MAX_VALUE; i++) {
				long value = 1 + i % 9;
				log.println("try " + i + " " + value);
				RecordUsageResult result = billing.recordUsage("ai_tokens", "cus_" + (i % 5), value);
				if (result.recorded()) {
					log.println("ack " + i + " " + value + " " + result.identifier());
				}
			}
		}
	}

	@SpringBootConfiguration
	@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, JdbcOutboxAutoConfiguration.class,
			MeteringAutoConfiguration.class, LocalMeteringAutoConfiguration.class,
			StripeMeteringAutoConfiguration.class })
	static class Application {

	}

}

package dev.metering.limits;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import dev.metering.BillingClient;
import dev.metering.FixedUsageChatModel;

/**
 * An application that calls a model for one organization against its limit and its
 * prepaid balance, granted as much as the limit, with the usage ledger and the outbox on
 * PostgreSQL, as fast as it can until it is killed, logging each call that returned; run
 * in a child JVM by {@link JdbcUsageLedgerCrashTests}, which starts the same application
 * again in its own JVM.
 */
public final class LimitedCallsProcess {

	static final String ORGANIZATION = "org_killed";

	static final long LIMIT = 20_000;

	/**
	 * The tokens of a call: 10 of prompt and 7 of completion, less than it reserves (the
	 * prompt and 20).
	 */
	static final long CALL = 17;

	private LimitedCallsProcess() {
	}

	/**
	 * @param args the JDBC URL of the database, whether the outbox writes each event
	 * before the call returns, and the file to log calls to
	 */
	public static void main(String[] args) throws IOException {
		LoggingSystem.get(LimitedCallsProcess.class.getClassLoader())
			.setLogLevel(LoggingSystem.ROOT_LOGGER_NAME, LogLevel.WARN);
		try (PrintStream log = new PrintStream(new FileOutputStream(args[2]), true)) {
			application(args[0]).withPropertyValues("metering.outbox.sync=" + args[1]).run((context) -> {
				context.getBean(BillingClient.class)
					.grantCredits(ORGANIZATION, "ai-tokens", LIMIT, Instant.EPOCH, null, 0);
				ChatClient chat = chat(context);
				while (true) {
					call(chat);
					log.println("called");
				}
			});
		}
	}

	/** The application, on a database, with a lease of 2 seconds. */
	static ApplicationContextRunner application(String jdbcUrl) {
		return LimitedChat.runner(LIMIT)
			.withPropertyValues("spring.datasource.url=" + jdbcUrl, "spring.datasource.username=postgres",
					"metering.limits.lease=2s", "metering.meters.ai-tokens.prepaid=true",
					"metering.accounts." + ORGANIZATION + ".customer-id=cus_killed");
	}

	static ChatClient chat(ApplicationContext context) {
		return LimitedChat.chatClient(context, new FixedUsageChatModel(10, 7));
	}

	/**
	 * @throws dev.metering.UsageLimitExceededException once the limit is used up, which
	 * is checked before the balance
	 */
	static void call(ChatClient chat) {
		LimitedChat.ask(chat, ORGANIZATION, 20);
	}

}

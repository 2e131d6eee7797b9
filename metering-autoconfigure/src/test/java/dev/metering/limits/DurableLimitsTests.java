package dev.metering.limits;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.metering.FixedUsageChatModel;
import dev.metering.UsageLimitExceededException;
import dev.metering.support.PostgresServer;

import static dev.metering.limits.LimitedChat.ask;
import static dev.metering.limits.LimitedChat.chatClient;
import static dev.metering.limits.LimitedChat.used;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A limit used up stays used up when the application restarts on the same database.
 */
class DurableLimitsTests {

	@RegisterExtension
	static final PostgresServer postgres = new PostgresServer();

	@TempDir
	Path directory;

	@Test
	void aLimitUsedUpOnAnH2FileStaysUsedUpAfterARestart() {
		usedUpStaysUsedUp(LimitedChat.runner(50)
			.withPropertyValues("spring.datasource.url=jdbc:h2:file:" + this.directory.resolve("metering"),
					"metering.accounts.org_h2.customer-id=cus_h2"),
				"org_h2");
	}

	@Test
	void aLimitUsedUpOnPostgresStaysUsedUpAfterARestart() {
		usedUpStaysUsedUp(
				LimitedChat.runner(50)
					.withPropertyValues("spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
							"spring.datasource.username=postgres", "metering.accounts.org_pg.customer-id=cus_pg"),
				"org_pg");
	}

	private static void usedUpStaysUsedUp(ApplicationContextRunner runner, String organization) {
		runner.run((context) -> {
			ChatClient chat = chatClient(context, new FixedUsageChatModel(20, 10));
			ask(chat, organization, 10);
			ask(chat, organization, 10);
			assertThatExceptionOfType(UsageLimitExceededException.class).isThrownBy(() -> ask(chat, organization, 10));
		});
		runner.run((context) -> {
			FixedUsageChatModel model = new FixedUsageChatModel(20, 10);
			ChatClient chat = chatClient(context, model);
			assertThat(used(context, organization)).isEqualTo(60);
			assertThatExceptionOfType(UsageLimitExceededException.class).isThrownBy(() -> ask(chat, organization, 10))
				.satisfies((ex) -> assertThat(ex.getUsed()).isEqualTo(60));
			assertThat(model.calls()).isZero();
		});
	}

}

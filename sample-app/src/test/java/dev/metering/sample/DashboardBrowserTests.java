package dev.metering.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import reactor.core.publisher.Flux;

import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard in a real, headless Chromium: bob chats his organization past 75 %, 90 %
 * and its limit, alice sees her own organization, and carol's prepaid organization sees
 * its balance used up and refused. Needs Debian's {@code chromium} and
 * {@code chromium-driver}; skipped without them.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:dashboard",
				// neither the demo model nor OpenAI: the counting model below
				"spring.ai.model.chat=counting",
				// dave's organization is on a plan without a token limit
				"sample.users.dave.password={noop}dave", "sample.users.dave.organization=org_hooli",
				"metering.accounts.org_hooli.customer-id=cus_hooli_test", "metering.accounts.org_hooli.plan=enterprise",
				"metering.plans.enterprise.price-ids=price_enterprise",
				"metering.plans.enterprise.grants.ai-tokens.amount=1000000" })
class DashboardBrowserTests {

	static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

	static final Path CHROMIUM = Path.of("/usr/bin/chromium");

	static final Path SCREENSHOTS = Path.of("target", "screenshots");

	static final Duration WAIT = Duration.ofSeconds(15);

	/** About 75 tokens a chat: small steps, so that no band of the bar is skipped. */
	static final String SHORT_MESSAGE = "What does metering mean for an AI product?";

	/** About 260 tokens a chat: a faster way to the first threshold. */
	static final String LONG_MESSAGE = "Tell me about usage based billing. ".repeat(30).trim();

	@LocalServerPort
	private int port;

	@Autowired
	private CountingChatModel model;

	@TempDir
	private Path profile;

	private ChromeDriver browser;

	private WebDriverWait wait;

	/**
	 * Skips the class before the application starts; the reason is logged too, since a
	 * class skipped before its first test shows in Surefire's summary as no tests at all.
	 */
	@BeforeAll
	static void requireChromium() {
		boolean installed = Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM);
		String reason = "Skipped the dashboard's browser test: it needs Chromium and chromedriver at " + CHROMIUM
				+ " and " + CHROMEDRIVER + ". On Debian or Ubuntu: sudo apt-get install -y chromium chromium-driver "
				+ "(.ci/run does this when run as root).";
		if (!installed) {
			LogFactory.getLog(DashboardBrowserTests.class).warn(reason);
		}
		assumeTrue(installed, reason);
	}

	@BeforeEach
	void startBrowser() throws IOException {
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM.toFile());
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
				"--window-size=1000,1000", "--user-data-dir=" + this.profile.toAbsolutePath());
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
			.usingAnyFreePort()
			.build();
		this.browser = new ChromeDriver(service, options);
		this.wait = new WebDriverWait(this.browser, WAIT);
		Files.createDirectories(SCREENSHOTS);
	}

	@AfterEach
	void stopBrowser() {
		if (this.browser != null) {
			this.browser.quit();
		}
	}

	@Test
	void bobSeesHisBarCrossEachThresholdAndTheRefusalAndAliceOnlyHerOwnOrganization() throws IOException {
		logIn("bob");
		assertThat(text(".meter .meter-name")).isEqualTo("AI tokens");
		assertThat(text(".meter .plan")).isEqualTo("free plan");
		assertThat(text(".meter .limit")).isEqualTo("2,000");
		assertThat(text(".meter .resets")).startsWith("Resets on ");
		assertThat(bar().getAttribute("aria-valuemax")).isEqualTo("2000");
		assertThat(this.browser.findElements(By.cssSelector(".meter .day"))).isNotEmpty();
		assertThat(bar().getAttribute("class")).contains("level-ok");
		screenshot("1-bob-ok");

		chatUntil(1500, 1800);
		assertThat(bar().getAttribute("class")).contains("level-warning").doesNotContain("level-critical");
		assertThat(text(".meter .status-message")).isEqualTo("Approaching usage limit.");
		screenshot("2-bob-approaching");

		chatUntil(1800, 2000);
		assertThat(bar().getAttribute("class")).contains("level-critical");
		assertThat(text(".meter .status-message")).isEqualTo("Usage limit almost reached. Consider upgrading.");
		screenshot("3-bob-critical");

		chatUntil(2000, Long.MAX_VALUE);
		assertThat(card().getAttribute("class")).contains("over-limit");
		assertThat(text(".meter .status-message")).startsWith("Usage limit reached");
		long used = used();
		int calls = this.model.calls();
		chat(false, SHORT_MESSAGE);
		WebElement refusal = this.wait
			.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#chat-log .chat-error")));
		assertThat(refusal.getAttribute("data-status")).isEqualTo("429");
		assertThat(refusal.getText()).contains("The limit resets on ");
		assertThat(this.model.calls()).as("the refused chat never reached the model").isEqualTo(calls);
		assertThat(used()).isEqualTo(used);
		screenshot("4-bob-refused");

		this.browser.manage().deleteAllCookies();
		logIn("alice");
		assertThat(text("#organization")).isEqualTo("org_acme");
		assertThat(text(".meter .plan")).isEqualTo("pro plan");
		assertThat(text(".meter .limit")).isEqualTo("1,000,000");
		assertThat(used()).as("alice's organization has not chatted").isZero();
		assertThat(this.browser.getPageSource()).doesNotContain("org_globex");
		assertThat(this.browser.findElements(By.cssSelector("#chat-log p"))).isEmpty();
		screenshot("5-alice");
	}

	@Test
	void anUnlimitedPlanSaysUnlimitedAndHasNoBar() throws IOException {
		logIn("dave");
		chat(true, SHORT_MESSAGE);
		assertThat(text(".meter .plan")).isEqualTo("enterprise plan");
		assertThat(text(".meter .limit")).isEqualTo("Unlimited");
		assertThat(used()).isPositive();
		assertThat(this.browser.findElements(By.cssSelector(".meter [role=progressbar]"))).isEmpty();
		assertThat(text(".meter .status-message")).isEmpty();
		assertThat(text("#chat-log .streamed")).startsWith("Assistant: This is the demo model answering");
		screenshot("6-dave-unlimited");
	}

	@Test
	void carolSeesHerBalanceUsedUpAndRefusedAndAnOperatorTopsUp() throws IOException {
		logIn("carol");
		assertThat(text("#balances .balance .balance-name")).isEqualTo("AI tokens");
		assertThat(text(".balance .granted")).isEqualTo("300");
		assertThat(text(".balance .remaining")).isEqualTo("300");
		assertThat(text(".balance .expiry")).isEqualTo("No grant expires.");
		assertThat(this.browser.findElements(By.cssSelector(".balance .grants tbody tr"))).singleElement()
			.satisfies((grant) -> assertThat(grant.getText()).startsWith("300").contains("Never", "local"));
		assertThat(this.browser.findElement(By.cssSelector(".balance .top-up")).isDisplayed())
			.as("carol is no operator")
			.isFalse();
		screenshot("7-carol-balance");

		int calls = this.model.calls();
		while (this.browser.findElements(By.cssSelector("#chat-log .chat-error")).isEmpty()) {
			calls = this.model.calls();
			chat(false, SHORT_MESSAGE);
		}
		WebElement refusal = this.browser.findElement(By.cssSelector("#chat-log .chat-error"));
		assertThat(refusal.getAttribute("data-status")).isEqualTo("402");
		assertThat(refusal.getText()).contains("a top-up does");
		assertThat(this.model.calls()).as("the refused chat never reached the model").isEqualTo(calls);
		assertThat(text(".balance .remaining")).isEqualTo("0");
		assertThat(text(".balance .balance-message")).startsWith("Balance used up");
		screenshot("8-carol-refused");

		this.browser.manage().deleteAllCookies();
		logIn("alice");
		assertThat(text(".balance .granted")).isEqualTo("1,000,000");
		WebElement amount = this.browser.findElement(By.cssSelector(".balance .top-up input[name=amount]"));
		amount.clear();
		amount.sendKeys("5000");
		this.browser.findElement(By.cssSelector(".balance .top-up button")).click();
		this.wait.until(ExpectedConditions.textToBe(By.cssSelector(".balance .granted"), "1,005,000"));
		assertThat(this.browser.findElements(By.cssSelector(".balance .grants tbody tr"))).hasSize(2);
		screenshot("9-alice-topped-up");
	}

	private void logIn(String user) {
		this.browser.get("http://localhost:" + this.port + "/");
		this.wait.until(ExpectedConditions.urlContains("/login"));
		this.browser.findElement(By.name("username")).sendKeys(user);
		this.browser.findElement(By.name("password")).sendKeys(user);
		this.browser.findElement(By.cssSelector("button[type=submit], input[type=submit]")).click();
		this.wait.until(ExpectedConditions.textToBe(By.id("user"), user));
		this.wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#cards .meter")));
	}

	/**
	 * Chats, by turns called and streamed, until the card shows at least {@code from}
	 * used, checking on the way that the bar stays below {@code from}'s band until then
	 * and lands below {@code below}.
	 */
	private void chatUntil(long from, long below) {
		boolean streamed = false;
		while (used() < from) {
			String previousClass = bar().getAttribute("class");
			chat(streamed, (from - used() > 300) ? LONG_MESSAGE : SHORT_MESSAGE);
			streamed = !streamed;
			if (used() < from) {
				assertThat(bar().getAttribute("class")).as("below %d", from).isEqualTo(previousClass);
			}
		}
		assertThat(used()).isLessThan(below);
	}

	/** Sends a message and waits until the page has refreshed the card after it. */
	private void chat(boolean streamed, String message) {
		WebElement log = this.browser.findElement(By.id("chat-log"));
		String exchanges = String.valueOf(log.getAttribute("data-exchanges"));
		WebElement input = this.browser.findElement(By.id("chat-message"));
		input.clear();
		input.sendKeys(message);
		this.browser.findElement(By.id(streamed ? "chat-stream" : "chat-send")).click();
		this.wait.until((browser) -> !exchanges.equals(String.valueOf(log.getAttribute("data-exchanges"))));
	}

	private long used() {
		return Long.parseLong(text(".meter .used").replace(",", ""));
	}

	private WebElement card() {
		return this.browser.findElement(By.cssSelector("#cards .meter"));
	}

	private WebElement bar() {
		return this.browser.findElement(By.cssSelector(".meter [role=progressbar]"));
	}

	private String text(String selector) {
		return this.browser.findElement(By.cssSelector(selector)).getText();
	}

	private void screenshot(String name) throws IOException {
		// typing into the chat box scrolls it into view; the card is what the picture is
		// of
		this.browser.executeScript("window.scrollTo(0, 0)");
		Path file = this.browser.getScreenshotAs(OutputType.FILE).toPath();
		Files.copy(file, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class CountingModelConfiguration {

		@Bean
		CountingChatModel countingChatModel() {
			return new CountingChatModel(new DemoChatModel());
		}

	}

	/** The demo model, counting the calls that reach it. */
	static final class CountingChatModel implements ChatModel {

		private final ChatModel model;

		private final AtomicInteger calls = new AtomicInteger();

		CountingChatModel(ChatModel model) {
			this.model = model;
		}

		@Override
		public ChatResponse call(Prompt prompt) {
			this.calls.incrementAndGet();
			return this.model.call(prompt);
		}

		@Override
		public Flux<ChatResponse> stream(Prompt prompt) {
			this.calls.incrementAndGet();
			return this.model.stream(prompt);
		}

		int calls() {
			return this.calls.get();
		}

	}

}

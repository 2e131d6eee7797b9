package dev.metering.sample;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.client.EntityExchangeResult;
import org.springframework.test.web.servlet.client.ExchangeResult;
import org.springframework.test.web.servlet.client.RestTestClient;

import dev.metering.BillingAccount;
import dev.metering.BillingClient;
import dev.metering.BillingSubject;
import dev.metering.outbox.GroupCommitOutbox;
import dev.metering.outbox.UsageOutbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample end to end over HTTP, with its demo model and local meter: each user's chats
 * are billed, to the token, to their own organization, and carol's prepaid organization,
 * granted 300 tokens once at start-up, is refused with a 402 once they are used until an
 * operator tops it up. {@link SampleChatBillingTests} tests limits and streams with the
 * {@code metering-test} kit.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "spring.datasource.url=jdbc:h2:mem:sample")
@AutoConfigureRestTestClient
@ExtendWith(OutputCaptureExtension.class)
class SampleApplicationTests {

	static final String METER = "ai-tokens";

	static final String CAROLS_ORGANIZATION = "org_umbrella";

	@Autowired
	private RestTestClient client;

	@Autowired
	private UsageOutbox outbox;

	@Autowired
	private OrganizationAccounts accounts;

	@Autowired
	private BillingClient billing;

	@Test
	void usageWaitsInTheDatabaseNotInMemory() {
		assertThat(this.outbox).isInstanceOf(GroupCommitOutbox.class);
	}

	@Test
	void whoPaysComesFromTheApplicationsOwnTableWhichACheckoutFills() {
		assertThat(this.accounts.find(BillingSubject.organization("org_acme")))
			.contains(new BillingAccount("cus_acme_demo", "pro"));
		BillingSubject initech = BillingSubject.organization("org_initech");
		assertThat(this.billing.getCustomerId(initech)).isEmpty();

		this.accounts.save("org_initech", new BillingAccount("cus_initech_demo", "pro"));

		assertThat(this.billing.getCustomerId(initech)).contains("cus_initech_demo");
		assertThat(this.billing.getUsageStatus("org_initech", UsageController.LIMIT_KEY).limit()).isEqualTo(1_000_000);
	}

	@Test
	void chatsAreBilledToTheOrganizationOfTheLoggedInUser() {
		Usage acmeBefore = usage("alice");
		Usage globexBefore = usage("bob");

		Answer alices = chat("alice", "What is usage-based billing?");
		assertThat(alices.answer()).contains("What is usage-based billing?");
		assertThat(alices.promptTokens()).isPositive();
		assertThat(alices.completionTokens()).isPositive();
		assertThat(usage("alice").used()).isEqualTo(acmeBefore.used() + alices.tokens());
		assertThat(usage("bob").used()).isEqualTo(globexBefore.used());

		Answer bobs = chat("bob", "Explain token metering in one sentence, please.");
		assertThat(usage("bob").used()).isEqualTo(globexBefore.used() + bobs.tokens());
		assertThat(usage("alice").used()).isEqualTo(acmeBefore.used() + alices.tokens());
	}

	@Test
	void demoModelReportsAboutOnePointThreeTokensPerWord() {
		String system = "You are a helpful assistant. Answer briefly.";
		String message = "one two three four five six seven eight nine ten";
		Answer answer = chat("alice", message);
		assertThat(answer.promptTokens()).isEqualTo(DemoChatModel.tokens(system) + DemoChatModel.tokens(message))
			.isEqualTo(10 + 13);
		assertThat(answer.completionTokens()).isEqualTo(DemoChatModel.tokens(answer.answer()));
	}

	@Test
	void eachUserSeesOnlyTheirOwnOrganization() {
		Usage bobs = this.client.get()
			.uri("/api/usage?organization=org_acme")
			.headers((headers) -> headers.setBasicAuth("bob", "bob"))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(Usage.class)
			.returnResult()
			.getResponseBody();
		assertThat(bobs.organization()).isEqualTo("org_globex");
		assertThat(bobs.plan()).isEqualTo("free");
		assertThat(bobs.limit()).isEqualTo(2000);
		assertThat(bobs.remaining()).isEqualTo(Math.max(2000 - bobs.used(), 0));
		assertThat(bobs.periodStart()).isBefore(Instant.now());
		assertThat(bobs.periodEnd()).isAfter(Instant.now());

		Usage alices = usage("alice");
		assertThat(alices.organization()).isEqualTo("org_acme");
		assertThat(alices.plan()).isEqualTo("pro");
		assertThat(alices.limit()).isEqualTo(1_000_000);
	}

	@Test
	void anOrganizationInTheRequestDoesNotChangeWhoIsBilled() {
		Usage acmeBefore = usage("alice");
		Usage globexBefore = usage("bob");

		Answer answer = this.client.post()
			.uri("/api/chat?organization=org_globex&metering.organization-id=org_globex")
			.headers((headers) -> {
				headers.setBasicAuth("alice", "alice");
				headers.set("X-Organization-Id", "org_globex");
			})
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("message", "Bill this to someone else", "organization", "org_globex"))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(Answer.class)
			.returnResult()
			.getResponseBody();

		assertThat(usage("alice").used()).isEqualTo(acmeBefore.used() + answer.tokens());
		assertThat(usage("bob").used()).isEqualTo(globexBefore.used());
	}

	@Test
	void requestsWithoutValidCredentialsAreUnauthorized() {
		Usage acmeBefore = usage("alice");

		this.client.post()
			.uri("/api/chat")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("message", "hello"))
			.exchange()
			.expectStatus()
			.isUnauthorized();
		this.client.get().uri("/api/usage").exchange().expectStatus().isUnauthorized();
		this.client.post()
			.uri("/api/chat?organization=org_acme")
			.headers((headers) -> headers.setBasicAuth("alice", "wrong"))
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("message", "hello"))
			.exchange()
			.expectStatus()
			.isUnauthorized();

		assertThat(usage("alice").used()).isEqualTo(acmeBefore.used());
	}

	@Test
	void healthAnswersAnyoneAndShowsMeteringToOperatorsOnly() {
		this.client.get()
			.uri("/actuator/health")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.value((health) -> assertThat(health).contains("\"status\":\"UP\"").doesNotContain("metering"));
		this.client.get()
			.uri("/actuator/health")
			.headers((headers) -> headers.setBasicAuth("alice", "alice"))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.value((health) -> assertThat(health).contains("\"metering\"", "\"provider\":\"local\"", "\"pending\""));
	}

	@Test
	void theMeteringEndpointIsForOperators() {
		chat("bob", "Something to deliver");
		this.client.get()
			.uri("/actuator/metering")
			.headers((headers) -> headers.setBasicAuth("alice", "alice"))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.value((state) -> assertThat(state).contains("\"provider\":\"local\"", "\"pending\"", "\"deadLetters\""));
		this.client.get()
			.uri("/actuator/metering")
			.headers((headers) -> headers.setBasicAuth("bob", "bob"))
			.exchange()
			.expectStatus()
			.isForbidden();
		this.client.post()
			.uri("/actuator/metering/redrive-all")
			.headers((headers) -> headers.setBasicAuth("bob", "bob"))
			.exchange()
			.expectStatus()
			.isForbidden();
		this.client.get().uri("/actuator/metering").exchange().expectStatus().isUnauthorized();
	}

	@Test
	void theDashboardIsServedAfterLoginAndTheLoginPageToAnyone() {
		this.client.get()
			.uri("/login")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.value((page) -> assertThat(page).contains("name=\"username\""));
		this.client.get()
			.uri("/")
			.headers((headers) -> headers.setBasicAuth("bob", "bob"))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.value((page) -> assertThat(page).contains("Spring AI Metering sample", "/dashboard.js"));
		this.client.get()
			.uri("/api/dashboard")
			.exchange()
			.expectStatus()
			.value((status) -> assertThat(status).as("sent to log in").isIn(302, 401));
	}

	@Test
	void aBrowserSessionWritesOnlyWithTheCsrfTokenOfItsPage() {
		EntityExchangeResult<String> loginPage = this.client.get()
			.uri("/login")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult();
		String xsrf = cookie(loginPage, "XSRF-TOKEN");
		EntityExchangeResult<Void> login = this.client.post()
			.uri("/login")
			.header(HttpHeaders.COOKIE, "XSRF-TOKEN=" + xsrf)
			.header("X-XSRF-TOKEN", xsrf)
			.contentType(MediaType.APPLICATION_FORM_URLENCODED)
			.body("username=bob&password=bob")
			.exchange()
			.expectStatus()
			.isFound()
			.expectBody()
			.isEmpty();
		String session = "JSESSIONID=" + cookie(login, "JSESSIONID");

		this.client.post()
			.uri("/api/chat")
			.header(HttpHeaders.COOKIE, session)
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("message", "forged?"))
			.exchange()
			.expectStatus()
			.isForbidden();

		String token = cookie(this.client.get()
			.uri("/api/dashboard")
			.header(HttpHeaders.COOKIE, session)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult(), "XSRF-TOKEN");
		this.client.post()
			.uri("/api/chat")
			.header(HttpHeaders.COOKIE, session + "; XSRF-TOKEN=" + token)
			.header("X-XSRF-TOKEN", token)
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("message", "from the page"))
			.exchange()
			.expectStatus()
			.isOk();
	}

	private static String cookie(ExchangeResult result, String name) {
		return result.getResponseHeaders()
			.getOrEmpty(HttpHeaders.SET_COOKIE)
			.stream()
			.filter((header) -> header.startsWith(name + "="))
			.map((header) -> header.substring(name.length() + 1, header.indexOf(';')))
			.filter((value) -> !value.isEmpty())
			.findFirst()
			.orElseThrow(() -> new AssertionError("no " + name + " cookie in " + result.getResponseHeaders()));
	}

	@Test
	void theDashboardShowsEachLimitedMeterWithItsDisplayNameAndUsagePerDay() {
		chat("bob", "How is a dashboard fed?");
		Usage usage = usage("bob");

		Map<String, Object> dashboard = dashboard("bob");

		assertThat(dashboard).containsEntry("user", "bob").containsEntry("organization", "org_globex");
		assertThat((List<?>) dashboard.get("meters")).singleElement().satisfies((card) -> {
			Map<String, Object> meter = object(card);
			assertThat(meter).containsEntry("key", "ai-tokens")
				.containsEntry("displayName", "AI tokens")
				.containsEntry("plan", "free")
				.containsEntry("limit", 2000)
				.containsEntry("periodEnd", usage.periodEnd().toString());
			assertThat(((Number) meter.get("used")).longValue()).isEqualTo(usage.used());
			Map<String, Object> daily = object(meter.get("daily"));
			assertThat(daily).containsEntry("available", true);
			assertThat((List<?>) daily.get("days")).as("from the period's first day to today")
				.hasSize((int) Duration.between(usage.periodStart(), Instant.now()).toDays() + 1);
		});
		// the days come from the meter, which the outbox feeds after the call
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(dailyTotal(dashboard("bob"))).as("every token of the period is on a day")
				.isEqualTo(usage.used()));
	}

	@Test
	void carolsChatsDrawOnHerCreditsUntilA402AndATopUpAdmitsThemAgain(CapturedOutput output) {
		Map<String, Object> before = balance(dashboard("carol"));
		assertThat(object(before.get("balance"))).containsEntry("granted", 300);
		assertThat((List<?>) before.get("grants")).singleElement()
			.satisfies((grant) -> assertThat(object(grant)).containsEntry("amount", 300)
				.containsEntry("source", "local")
				.containsEntry("expiresAt", null));

		int admitted = 0;
		while (send("carol").returnResult().getStatus().value() == 200) {
			admitted++;
			assertThat(admitted).as("chats admitted on 300 tokens").isLessThan(10);
		}
		assertThat(admitted).isPositive();
		send("carol").expectStatus()
			.isEqualTo(402)
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:metering:insufficient-balance")
			.jsonPath("$.meterKey")
			.isEqualTo(METER)
			.jsonPath("$.granted")
			.isEqualTo(300);
		Map<String, Object> usedUp = object(balance(dashboard("carol")).get("balance"));
		assertThat(((Number) usedUp.get("used")).longValue()).isGreaterThanOrEqualTo(300);
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(output).contains("Balance of org_umbrella on ai-tokens is at 0 %"));

		topUp("alice", 1000).expectStatus().isOk().expectBody().jsonPath("$.grant.amount").isEqualTo(1000);

		send("carol").expectStatus().isOk();
		Map<String, Object> toppedUp = balance(dashboard("carol"));
		assertThat(object(toppedUp.get("balance"))).containsEntry("granted", 1300);
		assertThat((List<?>) toppedUp.get("grants")).hasSize(2);
	}

	@Test
	void onlyAnOperatorTopsUp() {
		topUp("carol", 1_000_000).expectStatus().isForbidden();

		assertThat(this.billing.getBalance(CAROLS_ORGANIZATION, METER).granted()).isLessThan(1_000_000);
		assertThat(dashboard("carol")).containsEntry("operator", false);
		assertThat(dashboard("alice")).containsEntry("operator", true);
	}

	@Test
	void alicesProPlanGrantsAMillionTokensForTheMonth() {
		Map<String, Object> alices = balance(dashboard("alice"));

		assertThat(alices).containsEntry("key", METER).containsEntry("displayName", "AI tokens");
		assertThat(object(alices.get("balance"))).containsEntry("granted", 1_000_000)
			.containsKey("nextExpiry")
			.doesNotContainEntry("nextExpiry", null);
		assertThat((List<?>) alices.get("grants")).singleElement()
			.satisfies((grant) -> assertThat(object(grant)).containsEntry("amount", 1_000_000)
				.containsEntry("source", "plan")
				.containsEntry("referenceId", "org_acme"));
	}

	private RestTestClient.ResponseSpec send(String user) {
		return this.client.post()
			.uri("/api/chat")
			.headers((headers) -> headers.setBasicAuth(user, user))
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("message", "What does prepaid mean?"))
			.exchange();
	}

	private RestTestClient.ResponseSpec topUp(String user, long amount) {
		return this.client.post()
			.uri("/actuator/metering/" + CAROLS_ORGANIZATION + "/grant")
			.headers((headers) -> headers.setBasicAuth(user, user))
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("meter", METER, "amount", amount))
			.exchange();
	}

	private static Map<String, Object> balance(Map<String, Object> dashboard) {
		return object(((List<?>) dashboard.get("balances")).get(0));
	}

	private Map<String, Object> dashboard(String user) {
		return object(this.client.get()
			.uri("/api/dashboard")
			.headers((headers) -> headers.setBasicAuth(user, user))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(Map.class)
			.returnResult()
			.getResponseBody());
	}

	private static long dailyTotal(Map<String, Object> dashboard) {
		Map<String, Object> daily = object(object(((List<?>) dashboard.get("meters")).get(0)).get("daily"));
		return ((List<?>) daily.get("days")).stream()
			.mapToLong((day) -> ((Number) object(day).get("used")).longValue())
			.sum();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> object(Object json) {
		return (Map<String, Object>) json;
	}

	private Answer chat(String user, String message) {
		return this.client.post()
			.uri("/api/chat")
			.headers((headers) -> headers.setBasicAuth(user, user))
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("message", message))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(Answer.class)
			.returnResult()
			.getResponseBody();
	}

	private Usage usage(String user) {
		return this.client.get()
			.uri("/api/usage")
			.headers((headers) -> headers.setBasicAuth(user, user))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(Usage.class)
			.returnResult()
			.getResponseBody();
	}

	record Answer(String answer, int promptTokens, int completionTokens) {

		long tokens() {
			return (long) this.promptTokens + this.completionTokens;
		}

	}

	record Usage(String organization, String plan, long used, Long limit, Long remaining, Instant periodStart,
			Instant periodEnd) {
	}

}

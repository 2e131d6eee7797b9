package dev.metering;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.eventstream.HeaderValue;
import software.amazon.awssdk.eventstream.Message;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.TokenUsage;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;

import dev.metering.support.StubServer;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bedrock Converse, whose cache tokens come on top of its input tokens: billed short
 * before whenever the input outnumbered the cache tokens. Spring AI's Bedrock Converse
 * module is not served to this build, so its usage is made here as the module makes it
 * (the AWS SDK's {@code TokenUsage} as native usage; a stream's chunks without usage
 * until its metadata event), from what the AWS SDK's own client reads off a stub of
 * Bedrock's wire format (JSON for Converse, AWS event stream for ConverseStream).
 */
class BedrockBillingTests extends ProviderBillingTests {

	@RegisterExtension
	static final StubServer bedrock = new StubServer();

	private static final String MODEL = "anthropic.claude-sonnet-4-5-20250929-v1:0";

	/**
	 * 2,500 input tokens read fresh, 1,800 read from the cache and 200 written to it, 320
	 * output: 4,820 in all.
	 */
	private static final String USAGE = "{\"inputTokens\":2500,\"outputTokens\":320,\"totalTokens\":4820,"
			+ "\"cacheReadInputTokens\":1800,\"cacheWriteInputTokens\":200}";

	private static final dev.metering.provider.TokenUsage BILLED = new dev.metering.provider.TokenUsage(2500, 1800, 200,
			320, 0);

	private static final BedrockRuntimeAsyncClient client = BedrockRuntimeAsyncClient.builder()
		.endpointOverride(URI.create(bedrock.baseUrl()))
		.region(Region.US_EAST_1)
		.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")))
		.build();

	@AfterAll
	static void closeClient() {
		client.close();
	}

	@Test
	void aConversesCacheTokensComeOnTopOfItsLargerInput() {
		bedrock.stubFor(post(urlPathMatching("/model/[^/]+/converse"))
			.willReturn(aResponse().withHeader("Content-Type", "application/json")
				.withBody("{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"text\":\"Hello!\"}]}},"
						+ "\"stopReason\":\"end_turn\",\"usage\":" + USAGE + ",\"metrics\":{\"latencyMs\":812}}")));

		assertThat(call(chat(), "org_bedrock_call")).isEqualTo("Hello!");

		assertThat(billed("org_bedrock_call")).isEqualTo(BILLED);
	}

	@Test
	void aConverseStreamsCacheTokensFromItsMetadataEventComeOnTopOfItsLargerInput() {
		bedrock.stubFor(post(urlPathMatching("/model/[^/]+/converse-stream"))
			.willReturn(aResponse().withHeader("Content-Type", "application/vnd.amazon.eventstream")
				.withBody(events(Map.of("messageStart", "{\"role\":\"assistant\"}"),
						Map.of("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hel\"}}"),
						Map.of("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"lo!\"}}"),
						Map.of("contentBlockStop", "{\"contentBlockIndex\":0}"),
						Map.of("messageStop", "{\"stopReason\":\"end_turn\"}"),
						Map.of("metadata", "{\"usage\":" + USAGE + ",\"metrics\":{\"latencyMs\":812}}")))));

		assertThat(stream(chat(), "org_bedrock_stream")).isEqualTo("Hello!");

		assertThat(billed("org_bedrock_stream")).isEqualTo(BILLED);
	}

	private ChatClient chat() {
		return metered(new ConverseModel());
	}

	/**
	 * An AWS event stream of events, each a one-entry map of its type to its JSON
	 * payload.
	 */
	@SafeVarargs
	private static byte[] events(Map<String, String>... events) {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		for (Map<String, String> event : events) {
			Map.Entry<String, String> entry = event.entrySet().iterator().next();
			Map<String, HeaderValue> headers = new LinkedHashMap<>();
			headers.put(":event-type", HeaderValue.fromString(entry.getKey()));
			headers.put(":content-type", HeaderValue.fromString("application/json"));
			headers.put(":message-type", HeaderValue.fromString("event"));
			new Message(headers, entry.getValue().getBytes(StandardCharsets.UTF_8)).encode(body);
		}
		return body.toByteArray();
	}

	/**
	 * Bedrock Converse as Spring AI's {@code BedrockProxyChatModel} reports it: the usage
	 * of a call, and of a stream's metadata event, is a {@code DefaultUsage} of input,
	 * output and total tokens with the AWS SDK's {@code TokenUsage} as native usage and
	 * its cache tokens; the stream's other chunks carry a usage of nothing.
	 */
	private static final class ConverseModel implements ChatModel {

		@Override
		public ChatResponse call(Prompt prompt) {
			ConverseResponse response = client
				.converse((request) -> request.modelId(MODEL).messages(userMessage(prompt)))
				.join();
			String text = response.output().message().content().get(0).text();
			return response(text, usageOf(response.usage()));
		}

		@Override
		public Flux<ChatResponse> stream(Prompt prompt) {
			Sinks.Many<ChatResponse> chunks = Sinks.many().unicast().onBackpressureBuffer();
			ConverseStreamResponseHandler handler = ConverseStreamResponseHandler.builder()
				.subscriber(ConverseStreamResponseHandler.Visitor.builder()
					.onContentBlockDelta((delta) -> chunks
						.tryEmitNext(response(delta.delta().text(), new DefaultUsage(0, 0, 0, null, null, null))))
					.onMetadata((metadata) -> chunks.tryEmitNext(response("", usageOf(metadata.usage()))))
					.build())
				.onComplete(chunks::tryEmitComplete)
				.onError(chunks::tryEmitError)
				.build();
			client.converseStream((request) -> request.modelId(MODEL).messages(userMessage(prompt)), handler);
			return chunks.asFlux();
		}

		private static software.amazon.awssdk.services.bedrockruntime.model.Message userMessage(Prompt prompt) {
			return software.amazon.awssdk.services.bedrockruntime.model.Message.builder()
				.role(ConversationRole.USER)
				.content(ContentBlock.fromText(prompt.getContents()))
				.build();
		}

		private static Usage usageOf(TokenUsage usage) {
			return new DefaultUsage(usage.inputTokens(), usage.outputTokens(), usage.totalTokens(), usage,
					(usage.cacheReadInputTokens() != null) ? usage.cacheReadInputTokens().longValue() : null,
					(usage.cacheWriteInputTokens() != null) ? usage.cacheWriteInputTokens().longValue() : null);
		}

		private static ChatResponse response(String text, Usage usage) {
			return new ChatResponse(List.of(new Generation(new AssistantMessage(text))),
					ChatResponseMetadata.builder().usage(usage).build());
		}

	}

}

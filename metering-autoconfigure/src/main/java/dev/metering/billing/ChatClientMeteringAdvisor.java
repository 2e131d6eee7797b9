package dev.metering.billing;

import java.time.Clock;
import java.util.List;

import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SignalType;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.Advisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.tokenizer.TokenCountEstimator;

import dev.metering.MeteringAdvisor;
import dev.metering.provider.TokenUsage;

/**
 * The {@link MeteringAdvisor}: admits each model round trip through {@link UsageMetering}
 * before it runs and completes it with the tokens the model reported (or an estimate when
 * it reported none, which {@link EstimatedUsage} makes known) after it.
 */
final class ChatClientMeteringAdvisor implements MeteringAdvisor {

	private final UsageMetering metering;

	private final TokenCountEstimator estimator;

	private final BillingSubjects subjects;

	private final CallOriginAdvisor callOriginAdvisor;

	private final @Nullable String defaultModel;

	private final EstimatedUsage estimates;

	/**
	 * @param defaultModel the model of a request whose options name none (the
	 * application's chat model's default), or {@code null} when unknown
	 * @param originOnCalls whether the companion also puts who a call bills in the
	 * request context of calls, not only of streams, for observations that read it there
	 * @param observations where round trips billed by estimate are observed
	 * @param clock paces the warnings of round trips billed by estimate
	 */
	ChatClientMeteringAdvisor(UsageMetering metering, BillingSubjects subjects, TokenCountEstimator estimator,
			@Nullable String defaultModel, boolean originOnCalls, ObservationRegistry observations, Clock clock) {
		this.metering = metering;
		this.subjects = subjects;
		this.estimator = estimator;
		this.defaultModel = defaultModel;
		this.estimates = new EstimatedUsage(observations, clock);
		this.callOriginAdvisor = originOnCalls ? CallOriginAdvisor.onCallsToo(metering, subjects)
				: new CallOriginAdvisor(metering, subjects);
	}

	/** Replaces {@link dev.metering.billing.DefaultEstimateObservationConvention}. */
	public void setEstimateObservationConvention(EstimateObservationConvention convention) {
		this.estimates.setObservationConvention(convention);
	}

	@Override
	public Advisor callOriginAdvisor() {
		return this.callOriginAdvisor;
	}

	@Override
	public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
		CallOrigin origin = CallOrigin.of(request.context(), null, this.metering.currentScope(), this.subjects);
		MeteredCall call = this.metering.begin(origin.subject(), origin.scope(), reservationEstimate(request.prompt()));
		ChatClientResponse response;
		try {
			response = chain.nextCall(capped(request, call));
		}
		catch (Throwable ex) {
			// an Error too: a reservation left behind would shrink the limit for good
			call.abandon();
			throw ex;
		}
		ChatResponse answer = response.chatResponse();
		TokenUsage tokens = ReportedTokens.of(answer);
		String model = ReportedTokens.modelOf(answer);
		if (tokens == null) {
			tokens = estimated(request.prompt(), ReportedTokens.textOf(answer));
			this.estimates.unreported(modelOr(model, request.prompt()), tokens.total());
		}
		call.complete(tokens, model);
		return response;
	}

	@Override
	public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
		return Flux.deferContextual((context) -> CallOrigin
			.ofStream(request.context(), context, this.metering.currentScope(), this.subjects)
			.flatMapMany((origin) -> meteredStream(request, chain, origin)));
	}

	private Flux<ChatClientResponse> meteredStream(ChatClientRequest request, StreamAdvisorChain chain,
			CallOrigin origin) {
		MeteredCall call = this.metering.begin(origin.subject(), origin.scope(), reservationEstimate(request.prompt()));
		StreamTally tally = new StreamTally();
		// settle before the terminal signal travels on, so that whoever waits for the
		// stream to end finds the usage already recorded
		return chain.nextStream(capped(request, call))
			.doOnNext((response) -> tally.observe(response.chatResponse()))
			.doOnComplete(() -> settle(call, tally, SignalType.ON_COMPLETE, request.prompt()))
			.doOnError((ex) -> settle(call, tally, SignalType.ON_ERROR, request.prompt()))
			.doOnCancel(() -> settle(call, tally, SignalType.CANCEL, request.prompt()));
	}

	/**
	 * The request as the model receives it: with its completion capped when the budget
	 * says so.
	 */
	private static ChatClientRequest capped(ChatClientRequest request, MeteredCall call) {
		Integer cap = call.completionCap();
		return (cap != null) ? CompletionCap.lowered(request, cap) : request;
	}

	private void settle(MeteredCall call, StreamTally tally, SignalType signal, Prompt prompt) {
		if (!tally.markSettled()) {
			return;
		}
		TokenUsage tokens = tally.reported();
		if (tokens == null && tally.producedOutput()) {
			// the usage chunk never came (cancelled, failed, or not reported): bill an
			// estimate rather than nothing, since the model did spend tokens; the text
			// seen is
			// not kept, so that observing a chunk costs nothing, and four characters a
			// token
			// is estimate enough for a stream cut short
			tokens = TokenUsage.of(this.estimator.estimate(prompt.getContents()), roughTokens(tally.characters()));
			String model = modelOr(tally.model(), prompt);
			switch (signal) {
				case ON_COMPLETE -> this.estimates.unreported(model, tokens.total());
				case CANCEL -> this.estimates.cutShort(model, "cancelled", tokens.total());
				default -> this.estimates.cutShort(model, "failed", tokens.total());
			}
		}
		if (tokens == null) {
			call.abandon();
		}
		else {
			call.complete(tokens, tally.model());
		}
	}

	/**
	 * The model the response named, else the one the request asked for, else
	 * {@code unknown}.
	 */
	private String modelOr(@Nullable String answered, Prompt prompt) {
		if (answered != null) {
			return answered;
		}
		ChatOptions options = prompt.getOptions();
		String model = (options != null && options.getModel() != null) ? options.getModel() : this.defaultModel;
		return (model != null) ? model : "unknown";
	}

	/**
	 * What a call may use, for the limit reservation: its prompt, the completion's cap
	 * when the request sets one (plan admission reserves its completion estimate
	 * otherwise), and the model it asks for.
	 */
	private CallEstimate reservationEstimate(Prompt prompt) {
		ChatOptions options = prompt.getOptions();
		if (options == null) {
			return new CallEstimate(roughSize(prompt), null, this.defaultModel);
		}
		String model = options.getModel();
		return new CallEstimate(roughSize(prompt), CompletionCap.maxTokensOf(options),
				(model != null) ? model : this.defaultModel);
	}

	/**
	 * A prompt's size for the limit reservation, at about four characters a token:
	 * tokenizing a long prompt on every call would cost milliseconds, and a reservation
	 * only needs the order of magnitude.
	 */
	private static long roughSize(Prompt prompt) {
		List<Message> messages = prompt.getInstructions();
		long characters = 0;
		// indexed: an iterator per call adds to every call's garbage
		for (int i = 0; i < messages.size(); i++) {
			String text = messages.get(i).getText();
			characters += (text != null) ? text.length() : 0;
		}
		return characters / 4;
	}

	/**
	 * Tokens of a text of this many characters, at about four characters a token, rounded
	 * up.
	 */
	private static long roughTokens(long characters) {
		return (characters + 3) / 4;
	}

	/** Tokens billed when the model reported none: worth a real tokenizer, it is rare. */
	private TokenUsage estimated(Prompt prompt, String completion) {
		return TokenUsage.of(this.estimator.estimate(prompt.getContents()), this.estimator.estimate(completion));
	}

	@Override
	public String getName() {
		return "Metering";
	}

	@Override
	public int getOrder() {
		return DEFAULT_ORDER;
	}

}

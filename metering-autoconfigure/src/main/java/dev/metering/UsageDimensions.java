package dev.metering;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The dimensions a usage event carries beside its value, and a filter of usage by them:
 * the model that answered and the type of token counted ({@code input},
 * {@code cached-input}, {@code cache-write-input}, {@code output} or {@code reasoning}).
 * A {@code null} dimension is one the event does not carry, or the filter does not
 * narrow.
 *
 * @param model the model, e.g. {@code gpt-4o-mini}, or {@code null}
 * @param tokenType the type of token, or {@code null}
 * @since 0.1.0
 */
public record UsageDimensions(@Nullable String model, @Nullable String tokenType) {

	/** Payload (Stripe), metadata (Polar) and properties (Metronome) key of the model. */
	public static final String MODEL_KEY = "model";

	/**
	 * Payload (Stripe), metadata (Polar) and properties (Metronome) key of the type of
	 * token.
	 */
	public static final String TOKEN_TYPE_KEY = "token_type";

	private static final UsageDimensions NONE = new UsageDimensions(null, null);

	/** No dimension: every event, or an event without dimensions. */
	public static UsageDimensions none() {
		return NONE;
	}

	/** Usage of one model. */
	public static UsageDimensions model(@Nullable String model) {
		return new UsageDimensions(model, null);
	}

	/** Usage of one type of token. */
	public static UsageDimensions tokenType(@Nullable String tokenType) {
		return new UsageDimensions(null, tokenType);
	}

	public UsageDimensions withModel(@Nullable String model) {
		return new UsageDimensions(model, this.tokenType);
	}

	public UsageDimensions withTokenType(@Nullable String tokenType) {
		return new UsageDimensions(this.model, tokenType);
	}

	public boolean isEmpty() {
		return this.model == null && this.tokenType == null;
	}

	/**
	 * The dimensions set, by the key a provider's event carries them under
	 * ({@value #MODEL_KEY}, {@value #TOKEN_TYPE_KEY}).
	 */
	public Map<String, String> byKey() {
		Map<String, String> byKey = new LinkedHashMap<>(4);
		if (this.model != null) {
			byKey.put(MODEL_KEY, this.model);
		}
		if (this.tokenType != null) {
			byKey.put(TOKEN_TYPE_KEY, this.tokenType);
		}
		return byKey;
	}

	/** Whether usage with {@code dimensions} passes this filter. */
	public boolean admits(UsageDimensions dimensions) {
		return (this.model == null || this.model.equals(dimensions.model()))
				&& (this.tokenType == null || this.tokenType.equals(dimensions.tokenType()));
	}

}

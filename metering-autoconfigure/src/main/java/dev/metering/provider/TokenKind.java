package dev.metering.provider;

/**
 * Which tokens of a model round trip feed a meter.
 */
public enum TokenKind {

	TOTAL, INPUT, OUTPUT, NONE;

	public long count(long promptTokens, long completionTokens) {
		return switch (this) {
			case TOTAL -> promptTokens + completionTokens;
			case INPUT -> promptTokens;
			case OUTPUT -> completionTokens;
			case NONE -> 0;
		};
	}

}

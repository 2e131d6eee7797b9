package dev.metering.pricing;

import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * A configured model pattern: an exact model name, or a glob in which {@code *} stands
 * for any characters and {@code ?} for one, such as {@code gpt-4o-mini*}.
 */
final class ModelPattern {

	/** The characters model names are made of, besides letters and digits. */
	private static final String NAME_PUNCTUATION = "-._:/@+";

	private final String text;

	private final @Nullable Pattern glob;

	private final int literals;

	ModelPattern(String text) {
		this.text = text;
		boolean wildcards = text.indexOf('*') >= 0 || text.indexOf('?') >= 0;
		this.glob = wildcards ? toRegex(text) : null;
		this.literals = (int) text.chars().filter((c) -> c != '*' && c != '?').count();
	}

	String text() {
		return this.text;
	}

	boolean isExact() {
		return this.glob == null;
	}

	boolean matches(String model) {
		return (this.glob != null) ? this.glob.matcher(model).matches() : this.text.equals(model);
	}

	/**
	 * Whether this pattern is more specific than another that matches the same model: an
	 * exact name before any glob, then the glob with more literal characters.
	 */
	boolean moreSpecificThan(ModelPattern other) {
		if (isExact() != other.isExact()) {
			return isExact();
		}
		return this.literals > other.literals;
	}

	/**
	 * Whether some model name could match: it is not blank and has only characters model
	 * names have.
	 */
	boolean canMatchAModelName() {
		if (this.text.isBlank()) {
			return false;
		}
		return this.text.chars()
			.allMatch((c) -> Character.isLetterOrDigit(c) || c == '*' || c == '?' || NAME_PUNCTUATION.indexOf(c) >= 0);
	}

	private static Pattern toRegex(String glob) {
		StringBuilder regex = new StringBuilder();
		StringBuilder literal = new StringBuilder();
		for (char c : glob.toCharArray()) {
			if (c == '*' || c == '?') {
				if (!literal.isEmpty()) {
					regex.append(Pattern.quote(literal.toString()));
					literal.setLength(0);
				}
				regex.append((c == '*') ? ".*" : ".");
			}
			else {
				literal.append(c);
			}
		}
		if (!literal.isEmpty()) {
			regex.append(Pattern.quote(literal.toString()));
		}
		return Pattern.compile(regex.toString());
	}

	@Override
	public String toString() {
		return this.text;
	}

}

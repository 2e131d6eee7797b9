package dev.metering.provider.metronome;

import java.util.regex.Pattern;

/**
 * Tells Metronome's own customer IDs (UUIDs) from ingest aliases, the IDs of the
 * application's customers that a Metronome customer answers to: events take either, while
 * usage, contracts and balances are read by Metronome's ID only.
 */
final class MetronomeCustomerIds {

	private static final Pattern UUID = Pattern
		.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

	private MetronomeCustomerIds() {
	}

	/** Whether the ID is Metronome's own, not an ingest alias. */
	static boolean isMetronomeId(String customerId) {
		return UUID.matcher(customerId).matches();
	}

}

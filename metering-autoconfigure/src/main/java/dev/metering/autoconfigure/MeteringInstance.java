package dev.metering.autoconfigure;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

/**
 * This application instance among those sharing the metering database, by one ID: the one
 * its outbox claims events and records them under, and holds usage ledger slices under,
 * so that what a dead instance left in one is found through the other.
 *
 * @param id the host name and a random part, new at every start
 */
record MeteringInstance(String id) {

	static MeteringInstance create() {
		String host;
		try {
			host = InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException ex) {
			host = "unknown-host";
		}
		return new MeteringInstance(host + "-" + UUID.randomUUID().toString().substring(0, 8));
	}

}

package dev.metering.sample;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.metering.BalanceLowEvent;

/**
 * Logs each organization's balance running low. This is where an application would top
 * the balance up, e.g. charge a saved card and call {@code BillingClient.grantCredits},
 * or tell the organization to buy more.
 */
@Component
class BalanceLowListener {

	private static final Log logger = LogFactory.getLog(BalanceLowListener.class);

	@EventListener
	void balanceLow(BalanceLowEvent event) {
		logger.info("Balance of " + event.referenceId() + " on " + event.meterKey() + " is at "
				+ event.thresholdPercent() + " %: " + event.remaining() + " of " + event.granted() + " left");
	}

}

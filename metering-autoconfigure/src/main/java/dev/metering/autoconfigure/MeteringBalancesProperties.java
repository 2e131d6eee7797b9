package dev.metering.autoconfigure;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of prepaid balances: the credit grants that meters marked
 * {@code metering.meters.<key>.prepaid} draw on.
 *
 * @param thresholds Percentages of a balance's credit left at which a BalanceLowEvent is
 * published, once per credit and threshold: a grant, a revocation or an expiry changes
 * the credit.
 * @since 0.1.0
 */
@ConfigurationProperties(MeteringBalancesProperties.PREFIX)
public record MeteringBalancesProperties(@DefaultValue( {
		"20", "5", "0" }) List<Integer> thresholds){

	static final String PREFIX = "metering.balances";

}

package dev.metering.autoconfigure;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of what metering adds to the observations of Spring AI.
 *
 * @param organization Whether chat model observations carry the billed organization as
 * the low-cardinality key metering.organization, which tags gen_ai.client.token.usage and
 * gen_ai.client.operation. Every organization then has time series of its own: turn it on
 * only when organizations are few.
 * @since 0.1.0
 */
@ConfigurationProperties("metering.observations")
public record MeteringObservationsProperties(@DefaultValue("false") boolean organization) {

}

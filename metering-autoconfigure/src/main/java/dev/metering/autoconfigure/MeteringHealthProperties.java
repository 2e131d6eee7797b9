package dev.metering.autoconfigure;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of the metering health indicator: how it judges delivery.
 *
 * @param maxDeliveryLag How long the oldest pending usage event may wait for delivery
 * before the metering health indicator reports DEGRADED.
 * @since 0.1.0
 */
@ConfigurationProperties("metering.health")
public record MeteringHealthProperties(@DefaultValue("15m") Duration maxDeliveryLag) {

}

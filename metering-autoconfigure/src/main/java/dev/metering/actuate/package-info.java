/**
 * Spring Boot Actuator: the {@code metering} health indicator and endpoint, for the
 * people who run the application.
 */
@NullMarked
package dev.metering.actuate;

import org.jspecify.annotations.NullMarked;

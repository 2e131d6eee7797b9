/**
 * Spring Boot Actuator: the {@code metering} health indicator and endpoint, for the
 * people who run the application.
 */
package dev.metering.actuate;

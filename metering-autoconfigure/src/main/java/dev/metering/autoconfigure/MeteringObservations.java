package dev.metering.autoconfigure;

import io.micrometer.observation.ObservationRegistry;

/**
 * The registry metering observes on: the application's {@link ObservationRegistry};
 * without one, when the application has a {@code MeterRegistry}, one of metering's own
 * that records on it what metering's observations yield; else
 * {@link ObservationRegistry#NOOP}. Metering's own stays metering's: the application's
 * other instrumentation does not find it.
 *
 * @param registry where metering's observations are made
 */
record MeteringObservations(ObservationRegistry registry) {

}

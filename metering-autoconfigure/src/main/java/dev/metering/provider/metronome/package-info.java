/**
 * Metronome as the meter provider: delivers usage as Metronome usage events through its
 * ingest API and reads customers, contracts, usage and commit and credit balances back,
 * over Spring's {@code RestClient}.
 */
@NullMarked
package dev.metering.provider.metronome;

import org.jspecify.annotations.NullMarked;

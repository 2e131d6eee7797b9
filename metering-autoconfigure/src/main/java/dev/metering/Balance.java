package dev.metering;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * An organization's prepaid balance on one meter, in the meter's unit (tokens or
 * credits): what its active credit grants hold and what was drawn from them.
 *
 * @param meterKey the meter the balance is on
 * @param granted what the active grants hold, plus what expired grants had consumed when
 * they expired
 * @param used usage drawn from the grants
 * @param remaining {@code max(granted - used, 0)}: what calls may still use
 * @param nextExpiry when the soonest active grant expires, or {@code null} when none does
 * @since 0.1.0
 */
public record Balance(String meterKey, long granted, long used, long remaining, @Nullable Instant nextExpiry) {
}

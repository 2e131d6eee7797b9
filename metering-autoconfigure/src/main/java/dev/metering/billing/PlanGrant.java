package dev.metering.billing;

/**
 * The grant a plan gives its subscribers on a prepaid meter at the start of each billing
 * period.
 *
 * @param amount what each grant holds, in the meter's unit, at least 1
 * @param rollover whether what is left of it stays usable after its period, instead of
 * expiring with it
 */
record PlanGrant(long amount, boolean rollover) {

}

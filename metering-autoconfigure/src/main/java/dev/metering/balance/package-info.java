/**
 * Prepaid balances: the credit grants an organization holds on a meter, where they come
 * from ({@link dev.metering.balance.GrantSource}), the order usage draws on them and the
 * credit they make effective at an instant.
 */
@NullMarked
package dev.metering.balance;

import org.jspecify.annotations.NullMarked;

/**
 * Spring MVC answers to the metering exceptions: problem details with status 429 and 402.
 */
@NullMarked
package dev.metering.web;

import org.jspecify.annotations.NullMarked;

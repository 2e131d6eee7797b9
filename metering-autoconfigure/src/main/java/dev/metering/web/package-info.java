/**
 * Spring MVC answers to the metering exceptions: problem details with status 429 and 402.
 */
package dev.metering.web;

/**
 * Spring Boot auto-configuration of the library, one class per feature, and its
 * configuration properties.
 */
package dev.metering.autoconfigure;

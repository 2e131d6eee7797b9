/**
 * Spring Boot auto-configuration of the library, one class per feature, and its
 * configuration properties.
 */
@NullMarked
package dev.metering.autoconfigure;

import org.jspecify.annotations.NullMarked;

/**
 * Test support for applications that use Spring AI Metering, added with scope
 * {@code test}: {@link dev.metering.test.AutoConfigureMeteringTest} puts a
 * {@link dev.metering.test.RecordingMeterProvider} in place of the billing provider,
 * {@link dev.metering.test.MeteringAssertions} asserts on what it recorded,
 * {@link dev.metering.test.UsageFixtures} sets what an organization has used, and
 * {@link dev.metering.test.StubChatModel} answers with chosen usage.
 */
@NullMarked
package dev.metering.test;

import org.jspecify.annotations.NullMarked;

package dev.metering.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.test.context.TestPropertySource;

/**
 * On a {@code @SpringBootTest} class: usage is delivered to a
 * {@link RecordingMeterProvider} instead of Stripe, Polar or the local meter, whatever
 * {@code metering.provider} the application configures, and {@link UsageFixtures} can set
 * what an organization has used. Everything else is the application's own: the advisor,
 * {@code @MeteredUsage}, plan limits, the outbox and the dispatcher that delivers from
 * it.
 * <p>
 * Sets two properties for the test: {@code metering.provider=local}, so that no Stripe or
 * Polar client is built and no key or token is needed, and
 * {@code metering.delivery.coalesce=false}, so that each usage event reaches the recorder
 * as it was recorded instead of merged with others of its customer and hour. The recorder
 * is emptied before each test method.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ImportAutoConfiguration
@TestPropertySource(properties = { "metering.provider=local", "metering.delivery.coalesce=false" })
public @interface AutoConfigureMeteringTest {

}

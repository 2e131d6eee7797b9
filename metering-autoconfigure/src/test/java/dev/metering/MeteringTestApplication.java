package dev.metering;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/**
 * A Spring AI application with the starter on its class path, for end-to-end tests.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class MeteringTestApplication {

}

package dev.metering.web;

import org.springframework.web.server.WebFilter;

import dev.metering.billing.BillingSubjects;

/**
 * Makes metering's filters of WebFlux requests.
 *
 * @since 0.1.0
 */
public final class MeteringWebFilters {

	private MeteringWebFilters() {
	}

	/**
	 * The filter that asks the application's reactive billing subject resolvers once per
	 * request.
	 */
	public static WebFilter subjectFilter(BillingSubjects subjects) {
		return new MeteringSubjectWebFilter(subjects);
	}

}

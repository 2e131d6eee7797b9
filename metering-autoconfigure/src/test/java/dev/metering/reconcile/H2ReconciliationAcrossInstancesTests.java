package dev.metering.reconcile;

import java.util.UUID;

/**
 * Two instances reconciling on one H2 database.
 */
class H2ReconciliationAcrossInstancesTests extends ReconciliationAcrossInstancesContract {

	@Override
	String[] dataSourceProperties() {
		return new String[] { "spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID()
				+ ";DB_CLOSE_DELAY=-1;DB_CLOSE_ON_EXIT=FALSE" };
	}

}

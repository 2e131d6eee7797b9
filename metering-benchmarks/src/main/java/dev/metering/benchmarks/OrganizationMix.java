package dev.metering.benchmarks;

/**
 * A long tail of organizations over one sequence of calls shared by every instance, as a
 * load balancer spreads them: a few busy organizations take a share of the calls, and the
 * rest go to the other organizations in turn, so that each of them makes a call or two
 * over a run. Call {@code k} goes to the same organization whichever instance makes it.
 */
final class OrganizationMix {

	private final int organizations;

	private final int busy;

	private final int busyEvery;

	/**
	 * @param organizations how many organizations there are, {@code org_0} …
	 * @param busy how many of them are busy ({@code org_0} … {@code org_<busy - 1>})
	 * @param busyEvery one call in this many goes to a busy organization
	 */
	OrganizationMix(int organizations, int busy, int busyEvery) {
		if (busy < 1 || busy >= organizations || busyEvery < 2) {
			throw new IllegalArgumentException("Need 1 ≤ busy < organizations and busyEvery ≥ 2, got " + busy + " of "
					+ organizations + " every " + busyEvery);
		}
		this.organizations = organizations;
		this.busy = busy;
		this.busyEvery = busyEvery;
	}

	int organizations() {
		return this.organizations;
	}

	/** The organization (its index) that call {@code k} of the whole load is made for. */
	int organizationOf(long k) {
		if (k % this.busyEvery == 0) {
			return (int) ((k / this.busyEvery) % this.busy);
		}
		long tailCall = k - k / this.busyEvery - 1;
		return this.busy + (int) (tailCall % (this.organizations - this.busy));
	}

	@Override
	public String toString() {
		return String.format("%,d organizations, %d busy taking 1 call in %d, the rest in turn", this.organizations,
				this.busy, this.busyEvery);
	}

}

package dev.metering.sample;

import java.util.Optional;

import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

import dev.metering.BillingSubject;
import dev.metering.BillingSubjectResolver;

/**
 * Bills the organization of the logged-in user. The organization comes from the
 * server-side user record, never from the request, so a client cannot bill someone else.
 */
@Component
public class LoggedInUserOrganization implements BillingSubjectResolver {

	private final DemoUsers users;

	public LoggedInUserOrganization(DemoUsers users) {
		this.users = users;
	}

	@Override
	public Optional<BillingSubject> resolve() {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (authentication == null || !authentication.isAuthenticated()
				|| authentication instanceof AnonymousAuthenticationToken) {
			return Optional.empty();
		}
		return this.users.organizationOf(authentication.getName()).map(BillingSubject::organization);
	}

}

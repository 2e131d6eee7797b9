package dev.metering.sample.reactive;

import java.util.Map;
import java.util.Optional;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The demo's users and the organization each one belongs to ({@code sample.users}): the
 * server-side record that says whom a user's usage is billed to.
 *
 * @param users users by username
 */
@ConfigurationProperties("sample")
public record DemoUsers(Map<String, User> users) {

	public DemoUsers {
		users = (users != null) ? Map.copyOf(users) : Map.of();
	}

	public Optional<String> organizationOf(String username) {
		return Optional.ofNullable(this.users.get(username)).map(User::organization);
	}

	/**
	 * A demo user.
	 *
	 * @param password the password, with its encoding prefix (e.g. {@code {noop}alice})
	 * @param organization the organization the user's usage is billed to
	 */
	public record User(String password, String organization) {
	}

}

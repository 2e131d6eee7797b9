package dev.metering.autoconfigure;

import dev.metering.webhook.WebhookReception;

/**
 * Where the active provider's webhooks are posted, and what receives them there: what the
 * route of either web stack is made of.
 *
 * @param path the path deliveries are posted to
 * @param reception what receives them
 */
record WebhookIntake(String path, WebhookReception reception) {

}

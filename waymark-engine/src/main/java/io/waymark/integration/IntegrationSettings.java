package io.waymark.integration;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How Waymark talks to the outside world: the public address that tracking, unsubscribe, form
 * and incoming-signal links point to, the secret that signs tracking tokens, the sender of emails,
 * which private addresses webhooks may reach, and the limits on public form submissions.
 *
 * @param publicBaseUrl       where the public routes ({@code /t/...}, {@code /in/...}, {@code /forms/...}) are reachable
 * @param secret              signs tracking and unsubscribe tokens; null to use one generated once and kept in the database
 * @param fromAddress         the default sender address of emails
 * @param fromName            the default sender name, or null
 * @param trackingTtl         how long tracking and unsubscribe links stay valid
 * @param webhookAllowList    host names, IP addresses or CIDR ranges that webhooks may reach although they are
 *                            loopback, private or otherwise special (everything public is always allowed)
 * @param webhookTimeout      the default time a webhook call may take
 * @param formBurst           submissions one source may make to one form in a burst
 * @param formPerMinute       the sustained rate of submissions per form and source
 * @param formTotalPerMinute  the sustained rate of submissions per form over all sources
 */
public record IntegrationSettings(URI publicBaseUrl, byte[] secret, String fromAddress, String fromName, Duration trackingTtl,
                                  List<String> webhookAllowList, Duration webhookTimeout, int formBurst, int formPerMinute,
                                  int formTotalPerMinute) {
    public IntegrationSettings {
        Objects.requireNonNull(publicBaseUrl, "publicBaseUrl");
        String s = publicBaseUrl.toString();
        if (s.endsWith("/")) {
            publicBaseUrl = URI.create(s.substring(0, s.length() - 1));
        }
        if (secret != null && secret.length < 16) {
            throw new IllegalArgumentException("the tracking secret must have at least 16 bytes");
        }
        Objects.requireNonNull(fromAddress, "fromAddress");
        Objects.requireNonNull(trackingTtl, "trackingTtl");
        webhookAllowList = List.copyOf(webhookAllowList);
        Objects.requireNonNull(webhookTimeout, "webhookTimeout");
        if (formBurst < 1 || formPerMinute < 1 || formTotalPerMinute < 1) {
            throw new IllegalArgumentException("form rate limits must be positive");
        }
    }

    /** Local defaults: {@code http://localhost:8080}, a database-kept secret, no allow-list. */
    public static IntegrationSettings defaults() {
        return new IntegrationSettings(URI.create("http://localhost:8080"), null, "waymark@localhost", "Waymark",
                Duration.ofDays(365), List.of(), Duration.ofSeconds(10), 5, 10, 300);
    }

    public IntegrationSettings withPublicBaseUrl(URI url) {
        return new IntegrationSettings(url, secret, fromAddress, fromName, trackingTtl, webhookAllowList, webhookTimeout, formBurst,
                formPerMinute, formTotalPerMinute);
    }

    public IntegrationSettings withSecret(byte[] value) {
        return new IntegrationSettings(publicBaseUrl, value, fromAddress, fromName, trackingTtl, webhookAllowList, webhookTimeout,
                formBurst, formPerMinute, formTotalPerMinute);
    }

    public IntegrationSettings withFrom(String address, String name) {
        return new IntegrationSettings(publicBaseUrl, secret, address, name, trackingTtl, webhookAllowList, webhookTimeout, formBurst,
                formPerMinute, formTotalPerMinute);
    }

    public IntegrationSettings withWebhookAllowList(List<String> allow) {
        return new IntegrationSettings(publicBaseUrl, secret, fromAddress, fromName, trackingTtl, allow, webhookTimeout, formBurst,
                formPerMinute, formTotalPerMinute);
    }

    public IntegrationSettings withWebhookTimeout(Duration timeout) {
        return new IntegrationSettings(publicBaseUrl, secret, fromAddress, fromName, trackingTtl, webhookAllowList, timeout, formBurst,
                formPerMinute, formTotalPerMinute);
    }

    public IntegrationSettings withTrackingTtl(Duration ttl) {
        return new IntegrationSettings(publicBaseUrl, secret, fromAddress, fromName, ttl, webhookAllowList, webhookTimeout, formBurst,
                formPerMinute, formTotalPerMinute);
    }

    public IntegrationSettings withFormLimits(int burst, int perMinute, int totalPerMinute) {
        return new IntegrationSettings(publicBaseUrl, secret, fromAddress, fromName, trackingTtl, webhookAllowList, webhookTimeout, burst,
                perMinute, totalPerMinute);
    }
}

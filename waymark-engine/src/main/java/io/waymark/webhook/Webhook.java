package io.waymark.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A webhook: an HTTP call to another system about a record of {@code module}.
 *
 * @param method    POST, PUT or PATCH
 * @param format    {@code json} or {@code form} (application/x-www-form-urlencoded)
 * @param body      the body template: an object whose string values may hold merge fields (for
 *                  {@code form}, a flat object of strings); null for the default body (the record)
 * @param headers   extra request headers
 * @param secret    the key of the {@code X-Waymark-Signature} HMAC-SHA256 over {@code timestamp.body}
 * @param timeoutMs how long one call may take
 */
public record Webhook(UUID id, String name, String module, String url, String method, String format, ObjectNode body,
                      Map<String, String> headers, String secret, int timeoutMs, long version, Instant createdAt, Instant modifiedAt) {
}

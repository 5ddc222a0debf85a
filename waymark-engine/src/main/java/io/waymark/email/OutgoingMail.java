package io.waymark.email;

import java.util.Map;

/**
 * A message ready for a {@link MailTransport}: everything rendered, links already rewritten.
 *
 * @param messageId the Message-ID header value without angle brackets
 * @param headers   extra headers ({@code X-Waymark-Idempotency-Key}, {@code List-Unsubscribe} …)
 * @param text      the plain-text part (always present)
 * @param html      the HTML part, or null for a plain-text message
 */
public record OutgoingMail(String messageId, String fromAddress, String fromName, String to, String subject, String text,
                           String html, Map<String, String> headers) {
    public OutgoingMail {
        headers = Map.copyOf(headers);
    }
}

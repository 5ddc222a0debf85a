package io.waymark.email;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A message read from the mailbox, reduced to what Waymark needs to recognise it. The server's
 * IMAP reader fills it; tests and other mail sources may too.
 *
 * @param messageId  its Message-ID (no angle brackets), or a stable stand-in when it has none
 * @param inReplyTo  the Message-IDs of In-Reply-To
 * @param references the Message-IDs of References, oldest first
 * @param headers    headers that mark automatic replies ({@code Auto-Submitted}, {@code X-Autoreply},
 *                   {@code Precedence} …), lower-case names
 * @param report     the delivery status notification, when the message is one (multipart/report)
 * @param text       the plain text of the message (a snippet is kept in the signal)
 */
public record InboundMail(String messageId, String from, String subject, Instant date, List<String> inReplyTo,
                          List<String> references, Map<String, String> headers, DeliveryReport report, String text) {
    public InboundMail {
        inReplyTo = inReplyTo == null ? List.of() : List.copyOf(inReplyTo);
        references = references == null ? List.of() : List.copyOf(references);
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /**
     * A delivery status notification (RFC 3464) about a message.
     *
     * @param originalMessageId the Message-ID of the message it reports on (from its returned headers)
     * @param recipient         the final recipient that failed
     * @param action            {@code failed}, {@code delayed}, {@code delivered} …
     * @param status            the enhanced status code, e.g. {@code 5.1.1}
     * @param diagnostic        the remote server's words, if any
     */
    public record DeliveryReport(String originalMessageId, String recipient, String action, String status, String diagnostic) {
        /** A permanent failure (5.x.x). */
        public boolean hard() {
            return status != null && status.startsWith("5");
        }
    }
}

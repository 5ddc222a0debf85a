package io.waymark.email;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One email Waymark sent (or tried to send, or refused to send), as kept in the database. When
 * no SMTP server is configured this is also the embedded mail catcher's mailbox.
 *
 * @param subject         the signal subject of the record the email was sent for (its history)
 * @param subjectLine     the email's Subject header
 * @param headerMessageId the Message-ID header without angle brackets; replies and bounces name it
 * @param idempotencyKey  a repeated send with this key is not sent again
 * @param status          {@code sending}, {@code sent}, {@code caught} (kept by the mail catcher),
 *                        {@code failed} (last attempt failed; may be retried) or {@code blocked} (refused)
 * @param transport       {@code smtp} or {@code catcher}, once sent
 * @param links           the original targets of the tracked links, by index
 */
public record EmailMessage(UUID id, UUID orgId, UUID templateId, String module, UUID recordId, String subject,
                           String fromAddress, String toAddress, String subjectLine, String html, String text,
                           String headerMessageId, String idempotencyKey, String status, String transport, String error,
                           int attempts, List<String> links, Instant createdAt, Instant sentAt, Instant openedAt,
                           Instant clickedAt, Instant repliedAt, Instant bouncedAt, String fromName) {
    public EmailMessage {
        links = links == null ? List.of() : List.copyOf(links);
    }

    /** A message sent under the organisation's from-name ({@code fromName} null). */
    public EmailMessage(UUID id, UUID orgId, UUID templateId, String module, UUID recordId, String subject,
                        String fromAddress, String toAddress, String subjectLine, String html, String text,
                        String headerMessageId, String idempotencyKey, String status, String transport, String error,
                        int attempts, List<String> links, Instant createdAt, Instant sentAt, Instant openedAt,
                        Instant clickedAt, Instant repliedAt, Instant bouncedAt) {
        this(id, orgId, templateId, module, recordId, subject, fromAddress, toAddress, subjectLine, html, text, headerMessageId, idempotencyKey,
                status, transport, error, attempts, links, createdAt, sentAt, openedAt, clickedAt, repliedAt, bouncedAt, null);
    }

    /** Whether the message left (or was kept by the catcher): a repeat must not send it again. */
    public boolean delivered() {
        return "sent".equals(status) || "caught".equals(status);
    }
}

package io.waymark.integration;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.email.EmailMessage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Port: where email templates, webhooks, incoming-signal endpoints and web forms (as JSON
 * definitions), sent email messages, unsubscribed addresses and the tracking secret are kept.
 * Implementations join the caller's transaction ({@link io.waymark.tx.Transactor}).
 */
public interface IntegrationStore {
    /**
     * A stored definition.
     *
     * @param kind    {@code email_template}, {@code webhook}, {@code signal_endpoint} or {@code web_form}
     * @param body    the definition, in its JSON form
     * @param version grows by one with every change
     */
    record Definition(UUID id, UUID orgId, String kind, String name, ObjectNode body, long version, Instant createdAt,
                      Instant modifiedAt) {
    }

    /** Thrown when a definition's name is already taken in its organisation and kind. */
    final class DuplicateNameException extends RuntimeException {
        public DuplicateNameException(String name) {
            super(name);
        }
    }

    void insertDefinition(Definition d);

    /** Replaces a definition if its stored version is {@code expectedVersion}; false otherwise. */
    boolean updateDefinition(Definition d, long expectedVersion);

    boolean deleteDefinition(UUID orgId, String kind, UUID id);

    Optional<Definition> definition(UUID orgId, String kind, UUID id);

    /** A definition found by id alone, for the public routes that carry no organisation. */
    Optional<Definition> definitionAnyOrg(String kind, UUID id);

    /** Definitions of one kind ordered by id, after {@code after} (null for the first page). */
    List<Definition> definitions(UUID orgId, String kind, int limit, UUID after);

    void insertMessage(EmailMessage m);

    /** Stores the new delivery state of a message. */
    void updateMessageDelivery(UUID orgId, UUID id, String status, String transport, String error, Instant sentAt, int attempts);

    Optional<EmailMessage> message(UUID orgId, UUID id);

    Optional<EmailMessage> messageAnyOrg(UUID id);

    Optional<EmailMessage> messageByIdempotencyKey(UUID orgId, String key);

    /** The message whose {@code Message-ID} header is this (without angle brackets). */
    Optional<EmailMessage> messageByHeaderId(String headerMessageId);

    /** Newest first, before {@code before} (null for the first page); {@code to} filters by recipient. */
    List<EmailMessage> messages(UUID orgId, int limit, UUID before, String to);

    /**
     * Sets one of {@code opened_at}, {@code clicked_at}, {@code replied_at}, {@code bounced_at} if
     * still empty; true when this call set it.
     */
    boolean markFirst(UUID orgId, UUID messageId, String event, Instant at);

    /** Records an unsubscribed address (lower case); true when it is new. */
    boolean unsubscribe(UUID orgId, String address, UUID messageId, Instant at);

    Optional<Instant> unsubscribedAt(UUID orgId, String address);

    boolean resubscribe(UUID orgId, String address);

    /** The server's signing secret, made by {@code generate} and kept on the first call. */
    byte[] secret(Supplier<byte[]> generate);

    /** A user's name and email. */
    Optional<UserContact> user(UUID orgId, UUID userId);

    Optional<String> orgName(UUID orgId);

    /** A user's name and email address. */
    record UserContact(UUID id, String name, String email) {
    }
}

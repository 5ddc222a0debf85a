package io.waymark.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.email.EmailMessage;
import io.waymark.integration.IntegrationStore;
import io.waymark.json.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/** Integration definitions, sent messages, unsubscribes and the tracking secret. */
final class JdbcIntegrationStore implements IntegrationStore {
    private static final Set<String> EVENTS = Set.of("opened_at", "clicked_at", "replied_at", "bounced_at");
    private static final String MESSAGE_COLUMNS = "id, org_id, template_id, module, record_id, subject, from_address, to_address, subject_line, "
            + "html, text_body, header_message_id, idempotency_key, status, transport, error, attempts, links, created_at, sent_at, opened_at, "
            + "clicked_at, replied_at, bounced_at, from_name";

    private final JdbcTransactor tx;

    JdbcIntegrationStore(JdbcTransactor tx) {
        this.tx = tx;
    }

    private static OffsetDateTime utc(Instant t) {
        return t == null ? null : OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static boolean duplicate(UnableToExecuteStatementException e) {
        return e.getCause() instanceof SQLException s && "23505".equals(s.getSQLState());
    }

    // ---------------------------------------------------------------- definitions

    @Override
    public void insertDefinition(Definition d) {
        try {
            tx.with(h -> h.createUpdate("INSERT INTO integration_definitions (id, org_id, kind, name, body, version, created_at, modified_at) "
                            + "VALUES (:id, :org, :kind, :name, :body, :version, :created, :modified)")
                    .bind("id", d.id()).bind("org", d.orgId()).bind("kind", d.kind()).bind("name", d.name()).bind("body", Json.write(d.body()))
                    .bind("version", d.version()).bind("created", utc(d.createdAt())).bind("modified", utc(d.modifiedAt())).execute());
        } catch (UnableToExecuteStatementException e) {
            if (duplicate(e)) {
                throw new DuplicateNameException(d.name());
            }
            throw e;
        }
    }

    @Override
    public boolean updateDefinition(Definition d, long expectedVersion) {
        try {
            return tx.with(h -> h.createUpdate("UPDATE integration_definitions SET name = :name, body = :body, version = :version, "
                            + "modified_at = :modified WHERE org_id = :org AND kind = :kind AND id = :id AND version = :expected")
                    .bind("name", d.name()).bind("body", Json.write(d.body())).bind("version", d.version()).bind("modified", utc(d.modifiedAt()))
                    .bind("org", d.orgId()).bind("kind", d.kind()).bind("id", d.id()).bind("expected", expectedVersion).execute()) == 1;
        } catch (UnableToExecuteStatementException e) {
            if (duplicate(e)) {
                throw new DuplicateNameException(d.name());
            }
            throw e;
        }
    }

    @Override
    public boolean deleteDefinition(UUID orgId, String kind, UUID id) {
        return tx.with(h -> h.createUpdate("DELETE FROM integration_definitions WHERE org_id = :org AND kind = :kind AND id = :id")
                .bind("org", orgId).bind("kind", kind).bind("id", id).execute()) == 1;
    }

    @Override
    public Optional<Definition> definition(UUID orgId, String kind, UUID id) {
        return tx.with(h -> h.createQuery("SELECT * FROM integration_definitions WHERE org_id = :org AND kind = :kind AND id = :id")
                .bind("org", orgId).bind("kind", kind).bind("id", id).map(JdbcIntegrationStore::definition).findOne());
    }

    @Override
    public Optional<Definition> definitionAnyOrg(String kind, UUID id) {
        return tx.with(h -> h.createQuery("SELECT * FROM integration_definitions WHERE kind = :kind AND id = :id")
                .bind("kind", kind).bind("id", id).map(JdbcIntegrationStore::definition).findOne());
    }

    @Override
    public List<Definition> definitions(UUID orgId, String kind, int limit, UUID after) {
        return tx.with(h -> h.createQuery("SELECT * FROM integration_definitions WHERE org_id = :org AND kind = :kind"
                        + (after == null ? "" : " AND id > :after") + " ORDER BY id LIMIT :limit")
                .bind("org", orgId).bind("kind", kind).bind("after", after).bind("limit", limit)
                .map(JdbcIntegrationStore::definition).list());
    }

    private static Definition definition(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Definition(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class), rs.getString("kind"), rs.getString("name"),
                (ObjectNode) Json.read(rs.getString("body")), rs.getLong("version"), instant(rs, "created_at"), instant(rs, "modified_at"));
    }

    // ---------------------------------------------------------------- messages

    @Override
    public void insertMessage(EmailMessage m) {
        tx.with(h -> h.createUpdate("INSERT INTO email_messages (" + MESSAGE_COLUMNS + ", to_lower) VALUES (:id, :org, :template, :module, "
                        + ":record, :subject, :from, :to, :subjectLine, :html, :text, :header, :key, :status, :transport, :error, :attempts, :links, "
                        + ":created, :sent, :opened, :clicked, :replied, :bounced, :fromName, :toLower)")
                .bind("id", m.id()).bind("org", m.orgId()).bind("template", m.templateId()).bind("module", m.module()).bind("record", m.recordId())
                .bind("subject", m.subject()).bind("from", m.fromAddress()).bind("fromName", m.fromName()).bind("to", m.toAddress())
                .bind("subjectLine", m.subjectLine() == null ? "" : m.subjectLine()).bind("html", m.html()).bind("text", m.text())
                .bind("header", m.headerMessageId()).bind("key", m.idempotencyKey()).bind("status", m.status()).bind("transport", m.transport())
                .bind("error", clip(m.error())).bind("attempts", m.attempts()).bind("links", Json.write(m.links()))
                .bind("created", utc(m.createdAt())).bind("sent", utc(m.sentAt())).bind("opened", utc(m.openedAt()))
                .bind("clicked", utc(m.clickedAt())).bind("replied", utc(m.repliedAt())).bind("bounced", utc(m.bouncedAt()))
                .bind("toLower", m.toAddress().toLowerCase(java.util.Locale.ROOT)).execute());
    }

    private static String clip(String s) {
        return s == null || s.length() <= 2000 ? s : s.substring(0, 2000);
    }

    @Override
    public void updateMessageDelivery(UUID orgId, UUID id, String status, String transport, String error, Instant sentAt, int attempts) {
        tx.with(h -> h.createUpdate("UPDATE email_messages SET status = :status, transport = COALESCE(:transport, transport), error = :error, "
                        + "sent_at = COALESCE(:sent, sent_at), attempts = :attempts WHERE org_id = :org AND id = :id")
                .bind("status", status).bind("transport", transport).bind("error", clip(error)).bind("sent", utc(sentAt))
                .bind("attempts", attempts).bind("org", orgId).bind("id", id).execute());
    }

    @Override
    public Optional<EmailMessage> message(UUID orgId, UUID id) {
        return tx.with(h -> h.createQuery("SELECT " + MESSAGE_COLUMNS + " FROM email_messages WHERE org_id = :org AND id = :id")
                .bind("org", orgId).bind("id", id).map(JdbcIntegrationStore::readMessage).findOne());
    }

    @Override
    public Optional<EmailMessage> messageAnyOrg(UUID id) {
        return tx.with(h -> h.createQuery("SELECT " + MESSAGE_COLUMNS + " FROM email_messages WHERE id = :id")
                .bind("id", id).map(JdbcIntegrationStore::readMessage).findOne());
    }

    @Override
    public Optional<EmailMessage> messageByIdempotencyKey(UUID orgId, String key) {
        return tx.with(h -> h.createQuery("SELECT " + MESSAGE_COLUMNS + " FROM email_messages WHERE org_id = :org AND idempotency_key = :key")
                .bind("org", orgId).bind("key", key).map(JdbcIntegrationStore::readMessage).findOne());
    }

    @Override
    public Optional<EmailMessage> messageByHeaderId(String headerMessageId) {
        return tx.with(h -> h.createQuery("SELECT " + MESSAGE_COLUMNS + " FROM email_messages WHERE header_message_id = :h")
                .bind("h", headerMessageId).map(JdbcIntegrationStore::readMessage).findOne());
    }

    @Override
    public List<EmailMessage> messages(UUID orgId, int limit, UUID before, String to) {
        return tx.with(h -> h.createQuery("SELECT " + MESSAGE_COLUMNS + " FROM email_messages WHERE org_id = :org"
                        + (to == null ? "" : " AND to_lower = :to") + (before == null ? "" : " AND id < :before") + " ORDER BY id DESC LIMIT :limit")
                .bind("org", orgId).bind("to", to).bind("before", before).bind("limit", limit).map(JdbcIntegrationStore::readMessage).list());
    }

    private static EmailMessage readMessage(ResultSet rs, StatementContext ctx) throws SQLException {
        List<String> links = new ArrayList<>();
        Json.read(rs.getString("links")).forEach(l -> links.add(l.asText()));
        return new EmailMessage(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class), rs.getObject("template_id", UUID.class),
                rs.getString("module"), rs.getObject("record_id", UUID.class), rs.getString("subject"), rs.getString("from_address"),
                rs.getString("to_address"), rs.getString("subject_line"), rs.getString("html"), rs.getString("text_body"),
                rs.getString("header_message_id"), rs.getString("idempotency_key"), rs.getString("status"), rs.getString("transport"),
                rs.getString("error"), rs.getInt("attempts"), links, instant(rs, "created_at"), instant(rs, "sent_at"), instant(rs, "opened_at"),
                instant(rs, "clicked_at"), instant(rs, "replied_at"), instant(rs, "bounced_at"), rs.getString("from_name"));
    }

    @Override
    public boolean markFirst(UUID orgId, UUID messageId, String event, Instant at) {
        if (!EVENTS.contains(event)) {
            throw new IllegalArgumentException(event);
        }
        return tx.with(h -> h.createUpdate("UPDATE email_messages SET " + event + " = :at WHERE org_id = :org AND id = :id AND " + event + " IS NULL")
                .bind("at", utc(at)).bind("org", orgId).bind("id", messageId).execute()) == 1;
    }

    // ---------------------------------------------------------------- unsubscribes

    @Override
    public boolean unsubscribe(UUID orgId, String address, UUID messageId, Instant at) {
        // ON CONFLICT: two unsubscribes at once must not fail (a unique violation would abort a PostgreSQL transaction).
        return tx.with(h -> h.createUpdate("INSERT INTO email_unsubscribes (org_id, address, message_id, at) VALUES (:org, :address, :msg, :at) "
                        + "ON CONFLICT DO NOTHING")
                .bind("org", orgId).bind("address", address).bind("msg", messageId).bind("at", utc(at)).execute()) == 1;
    }

    @Override
    public Optional<Instant> unsubscribedAt(UUID orgId, String address) {
        return tx.with(h -> h.createQuery("SELECT at FROM email_unsubscribes WHERE org_id = :org AND address = :address")
                .bind("org", orgId).bind("address", address).map((rs, c) -> instant(rs, "at")).findOne());
    }

    @Override
    public boolean resubscribe(UUID orgId, String address) {
        return tx.with(h -> h.createUpdate("DELETE FROM email_unsubscribes WHERE org_id = :org AND address = :address")
                .bind("org", orgId).bind("address", address).execute()) == 1;
    }

    // ---------------------------------------------------------------- misc

    @Override
    public byte[] secret(Supplier<byte[]> generate) {
        Optional<String> existing = tx.with(h -> h.createQuery("SELECT secret FROM email_secret WHERE id = 1").mapTo(String.class).findOne());
        if (existing.isPresent()) {
            return Base64.getDecoder().decode(existing.get());
        }
        String fresh = Base64.getEncoder().encodeToString(generate.get());
        // Two threads or nodes may race here; the one whose insert lands wins and both read it back.
        tx.with(h -> h.createUpdate("INSERT INTO email_secret (id, secret) VALUES (1, :s) ON CONFLICT DO NOTHING")
                .bind("s", fresh).execute());
        return Base64.getDecoder().decode(tx.<String>with(h -> h.createQuery("SELECT secret FROM email_secret WHERE id = 1").mapTo(String.class).one()));
    }

    @Override
    public Optional<UserContact> user(UUID orgId, UUID userId) {
        return tx.with(h -> h.createQuery("SELECT id, name, email FROM users WHERE org_id = :org AND id = :id")
                .bind("org", orgId).bind("id", userId)
                .map((rs, c) -> new UserContact(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("email"))).findOne());
    }

    @Override
    public Optional<String> orgName(UUID orgId) {
        return tx.with(h -> h.createQuery("SELECT name FROM orgs WHERE id = :id").bind("id", orgId).mapTo(String.class).findOne());
    }
}

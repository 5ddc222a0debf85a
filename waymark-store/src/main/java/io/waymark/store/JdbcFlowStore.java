package io.waymark.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.flow.FlowStore;
import io.waymark.json.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Kiosk and wizard definitions (append-only versions) and their runs. */
final class JdbcFlowStore implements FlowStore {
    private static final String DEF_COLUMNS = "id, kind, name, version, active, body, created_at, created_by";
    private static final String RUN_COLUMNS = "id, kind, definition_id, version, user_id, status, record_id, state, created_at, updated_at, expires_at, revision";

    private final JdbcTransactor tx;

    JdbcFlowStore(JdbcTransactor tx) {
        this.tx = tx;
    }

    private static OffsetDateTime utc(Instant t) {
        return t == null ? null : OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    private static ObjectNode json(ResultSet rs, String column) throws SQLException {
        JsonNode n = Json.read(rs.getString(column));
        // H2 hands back a JSON value stored from text as a JSON string; unwrap it.
        if (n.isTextual()) {
            n = Json.read(n.textValue());
        }
        return (ObjectNode) n;
    }

    private static Definition definition(ResultSet rs) throws SQLException {
        return new Definition(rs.getObject("id", UUID.class), rs.getString("kind"), rs.getString("name"), rs.getInt("version"),
                rs.getBoolean("active"), json(rs, "body"), Columns.instant(rs, "created_at"), rs.getObject("created_by", UUID.class));
    }

    private static Run run(ResultSet rs) throws SQLException {
        return new Run(rs.getObject("id", UUID.class), rs.getString("kind"), rs.getObject("definition_id", UUID.class), rs.getInt("version"),
                rs.getObject("user_id", UUID.class), rs.getString("status"), rs.getObject("record_id", UUID.class), json(rs, "state"),
                Columns.instant(rs, "created_at"), Columns.instant(rs, "updated_at"), Columns.instant(rs, "expires_at"), rs.getLong("revision"));
    }

    @Override
    public void insertDefinition(UUID orgId, Definition d) {
        tx.with(h -> h.createUpdate("INSERT INTO flow_definitions (org_id, " + DEF_COLUMNS + ") "
                        + "VALUES (:org, :id, :kind, :name, :version, :active, CAST(:body AS JSONB), :at, :by)")
                .bind("org", orgId).bind("id", d.id()).bind("kind", d.kind()).bind("name", d.name()).bind("version", d.version())
                .bind("active", d.active()).bind("body", Json.write(d.body())).bind("at", utc(d.createdAt())).bind("by", d.createdBy())
                .execute());
    }

    @Override
    public Optional<Definition> latest(UUID orgId, String kind, UUID id) {
        return tx.with(h -> h.createQuery("SELECT " + DEF_COLUMNS + " FROM flow_definitions WHERE org_id = :org AND kind = :kind AND id = :id "
                        + "ORDER BY version DESC LIMIT 1")
                .bind("org", orgId).bind("kind", kind).bind("id", id).map((rs, ctx) -> definition(rs)).findOne());
    }

    @Override
    public Optional<Definition> version(UUID orgId, String kind, UUID id, int version) {
        return tx.with(h -> h.createQuery("SELECT " + DEF_COLUMNS + " FROM flow_definitions WHERE org_id = :org AND kind = :kind AND id = :id "
                        + "AND version = :v")
                .bind("org", orgId).bind("kind", kind).bind("id", id).bind("v", version).map((rs, ctx) -> definition(rs)).findOne());
    }

    @Override
    public List<Definition> list(UUID orgId, String kind) {
        return tx.with(h -> h.createQuery("SELECT " + DEF_COLUMNS + " FROM flow_definitions d WHERE org_id = :org AND kind = :kind "
                        + "AND version = (SELECT MAX(version) FROM flow_definitions x WHERE x.org_id = d.org_id AND x.id = d.id) ORDER BY name, id")
                .bind("org", orgId).bind("kind", kind).map((rs, ctx) -> definition(rs)).list());
    }

    @Override
    public List<Definition> versions(UUID orgId, String kind, UUID id) {
        return tx.with(h -> h.createQuery("SELECT " + DEF_COLUMNS + " FROM flow_definitions WHERE org_id = :org AND kind = :kind AND id = :id "
                        + "ORDER BY version")
                .bind("org", orgId).bind("kind", kind).bind("id", id).map((rs, ctx) -> definition(rs)).list());
    }

    @Override
    public boolean nameTaken(UUID orgId, String kind, String name, UUID except) {
        String other = except == null ? "" : "AND id <> :except ";
        return tx.with(h -> h.createQuery("SELECT COUNT(*) FROM flow_definitions d WHERE org_id = :org AND kind = :kind "
                        + "AND LOWER(name) = LOWER(:name) " + other
                        + "AND version = (SELECT MAX(version) FROM flow_definitions x WHERE x.org_id = d.org_id AND x.id = d.id)")
                .bind("org", orgId).bind("kind", kind).bind("name", name).bind("except", except).mapTo(Long.class).one() > 0);
    }

    @Override
    public void setActive(UUID orgId, String kind, UUID id, boolean active) {
        tx.with(h -> h.createUpdate("UPDATE flow_definitions SET active = :active WHERE org_id = :org AND kind = :kind AND id = :id")
                .bind("active", active).bind("org", orgId).bind("kind", kind).bind("id", id).execute());
    }

    @Override
    public void insertRun(UUID orgId, Run r) {
        tx.with(h -> h.createUpdate("INSERT INTO flow_runs (org_id, " + RUN_COLUMNS + ") VALUES (:org, :id, :kind, :def, :version, :user, "
                        + ":status, CAST(:record AS UUID), CAST(:state AS JSONB), :created, :updated, :expires, :revision)")
                .bind("org", orgId).bind("id", r.id()).bind("kind", r.kind()).bind("def", r.definitionId()).bind("version", r.version())
                .bind("user", r.userId()).bind("status", r.status()).bind("record", r.recordId() == null ? null : r.recordId().toString()).bind("state", Json.write(r.state()))
                .bind("created", utc(r.createdAt())).bind("updated", utc(r.updatedAt())).bind("expires", utc(r.expiresAt()))
                .bind("revision", r.revision()).execute());
    }

    @Override
    public Optional<Run> run(UUID orgId, String kind, UUID id) {
        return tx.with(h -> h.createQuery("SELECT " + RUN_COLUMNS + " FROM flow_runs WHERE org_id = :org AND kind = :kind AND id = :id")
                .bind("org", orgId).bind("kind", kind).bind("id", id).map((rs, ctx) -> run(rs)).findOne());
    }

    @Override
    public boolean updateRun(UUID orgId, Run r) {
        return tx.with(h -> h.createUpdate("UPDATE flow_runs SET status = :status, record_id = CAST(:record AS UUID), state = CAST(:state AS JSONB), "
                        + "updated_at = :updated, expires_at = :expires, revision = :revision "
                        + "WHERE org_id = :org AND kind = :kind AND id = :id AND revision = :previous")
                .bind("status", r.status()).bind("record", r.recordId() == null ? null : r.recordId().toString()).bind("state", Json.write(r.state()))
                .bind("updated", utc(r.updatedAt())).bind("expires", utc(r.expiresAt())).bind("revision", r.revision())
                .bind("org", orgId).bind("kind", r.kind()).bind("id", r.id()).bind("previous", r.revision() - 1).execute()) == 1;
    }

    @Override
    public List<Run> runs(UUID orgId, String kind, UUID userId, String status, int limit) {
        return tx.with(h -> h.createQuery("SELECT " + RUN_COLUMNS + " FROM flow_runs WHERE org_id = :org AND kind = :kind AND user_id = :user "
                        + "AND status = :status ORDER BY updated_at DESC, id DESC LIMIT :limit")
                .bind("org", orgId).bind("kind", kind).bind("user", userId).bind("status", status).bind("limit", limit)
                .map((rs, ctx) -> run(rs)).list());
    }

    @Override
    public int expire(String kind, String activeStatus, Instant now) {
        return tx.with(h -> h.createUpdate("UPDATE flow_runs SET status = 'expired', revision = revision + 1 "
                        + "WHERE kind = :kind AND status = :status AND expires_at <= :now")
                .bind("kind", kind).bind("status", activeStatus).bind("now", utc(now)).execute());
    }
}

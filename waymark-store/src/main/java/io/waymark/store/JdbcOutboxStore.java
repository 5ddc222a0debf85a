package io.waymark.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.action.OutboxEntry;
import io.waymark.action.OutboxStore;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The outbox in one table; due entries are claimed with row locks that other workers skip. */
final class JdbcOutboxStore implements OutboxStore {
    private static final String COLUMNS = "id, org_id, source, action_type, config, module, record_id, subject, actor_id, transactional, status, "
            + "attempts, max_attempts, next_attempt_at, last_error, result, cause_signal, depth, created_at, updated_at";

    private final JdbcTransactor tx;
    private final Dialect dialect;

    JdbcOutboxStore(JdbcTransactor tx, Dialect dialect) {
        this.tx = tx;
        this.dialect = dialect;
    }

    private <T> T jdbc(JdbcTransactor.ConnectionWork<T> work) {
        return tx.jdbc(work);
    }

    @Override
    public void insert(List<OutboxEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO outbox_entries (" + COLUMNS + ", shard) VALUES "
                    + "(?, ?, ?, ?, CAST(? AS JSONB), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS JSONB), ?, ?, ?, ?, ?)")) {
                for (OutboxEntry e : entries) {
                    ps.setObject(1, e.id());
                    ps.setObject(2, e.orgId());
                    ps.setString(3, e.source());
                    ps.setString(4, e.type());
                    ps.setString(5, Json.write(e.config()));
                    ps.setString(6, e.module());
                    ps.setObject(7, e.recordId());
                    ps.setString(8, e.subject());
                    ps.setObject(9, e.actorId());
                    ps.setBoolean(10, e.transactional());
                    ps.setString(11, e.status().apiName());
                    ps.setInt(12, e.attempts());
                    ps.setInt(13, e.maxAttempts());
                    Columns.bind(ps, 14, e.nextAttemptAt());
                    ps.setString(15, e.lastError());
                    ps.setString(16, e.result() == null ? null : Json.write(e.result()));
                    ps.setObject(17, e.causeSignal());
                    ps.setInt(18, e.depth());
                    Columns.bind(ps, 19, e.createdAt());
                    Columns.bind(ps, 20, e.updatedAt());
                    ps.setInt(21, OutboxStore.shardOf(e));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    @Override
    public List<OutboxEntry> lockDueTransactional(Instant now, int limit) {
        return lockDueTransactional(now, limit, 0, 1);
    }

    @Override
    public List<OutboxEntry> lockDueTransactional(Instant now, int limit, int shard, int shards) {
        String sql = dueTransactionalSql(shard, shards);
        if (sql == null) {
            return List.of();
        }
        return jdbc(c -> inRecordOrder(c, claim(c, sql + dialect.lockSkipLocked(), now, limit)));
    }

    /**
     * The claim of worker {@code shard} of {@code shards}, without its lock clause; parameters: the
     * time, the limit. Null when the worker has no shard (more workers than partitions).
     */
    static String dueTransactionalSql(int shard, int shards) {
        // The status is a literal, not a parameter: on PostgreSQL the due index covers pending and
        // running entries only (V18), and only a literal lets every plan, generic ones too, prove that.
        // The order names the due index's columns from its first, although the first two are fixed
        // by the WHERE: H2 reads an index in order (and stops at the LIMIT) only when ORDER BY
        // starts with the index's first column; ordered by the due time alone, it read and sorted
        // every pending entry for each claim (20,002 rows read for 200 at 20,000 pending).
        // A worker's shards are listed as literals, not as MOD(shard, k) = i: PostgreSQL guesses that
        // such an expression keeps 0.5% of the rows, fewer than the limit, and then sorted every
        // pending entry for each claim (7 ms at 20,000 pending instead of 0.2 ms); a list of
        // constants it estimates from the column's statistics and reads the due index in order.
        String split = "";
        if (shards > 1) {
            String mine = java.util.stream.IntStream.range(0, io.waymark.signal.SignalLog.PARTITIONS).filter(p -> p % shards == shard)
                    .mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining(", "));
            if (mine.isEmpty()) {
                return null;
            }
            split = " AND shard IN (" + mine + ")";
        }
        return "SELECT " + COLUMNS + " FROM outbox_entries WHERE status = 'pending' AND transactional = TRUE AND next_attempt_at <= ?"
                + split + " ORDER BY status, transactional, next_attempt_at, seq LIMIT ?";
    }

    /**
     * The claimed entries that may run now: an entry waits while an earlier pending entry of its
     * record was not claimed with it (another worker holds it, or it waits for a retry), so that a
     * record's actions take effect in the order they were decided. Entries of one record claimed
     * together run in order within the batch. The ones left stay pending (and locked until this
     * transaction ends); a later claim takes them.
     */
    private List<OutboxEntry> inRecordOrder(Connection c, List<OutboxEntry> claimed) throws SQLException {
        java.util.Set<UUID> records = new java.util.LinkedHashSet<>();
        for (OutboxEntry e : claimed) {
            if (e.recordId() != null) {
                records.add(e.recordId());
            }
        }
        if (records.isEmpty()) {
            return claimed;
        }
        // One index probe per record (LATERAL with OFFSET 0 on PostgreSQL, so that a plan made
        // on a fresh table cannot turn it into a scan of every pending entry).
        String sql = dialect == Dialect.POSTGRESQL
                ? "SELECT o.record_id, o.id, o.seq FROM UNNEST(CAST(? AS UUID[])) AS t(r) CROSS JOIN LATERAL (SELECT record_id, id, seq "
                + "FROM outbox_entries WHERE record_id = t.r AND status = 'pending' AND transactional = TRUE OFFSET 0) o"
                : "SELECT o.record_id, o.id, o.seq FROM UNNEST(CAST(? AS UUID ARRAY)) AS t(r) JOIN outbox_entries o ON o.record_id = t.r "
                + "WHERE o.status = 'pending' AND o.transactional = TRUE";
        java.util.Set<UUID> ids = new java.util.HashSet<>();
        claimed.forEach(e -> ids.add(e.id()));
        Map<UUID, Long> seqOf = new HashMap<>();
        Map<UUID, Long> firstUnclaimed = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf(dialect == Dialect.POSTGRESQL ? "uuid" : "UUID", records.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID record = rs.getObject(1, UUID.class);
                    UUID id = rs.getObject(2, UUID.class);
                    long seq = rs.getLong(3);
                    if (ids.contains(id)) {
                        seqOf.put(id, seq);
                    } else {
                        firstUnclaimed.merge(record, seq, Math::min);
                    }
                }
            }
        }
        if (firstUnclaimed.isEmpty()) {
            return claimed;
        }
        List<OutboxEntry> runnable = new ArrayList<>(claimed.size());
        for (OutboxEntry e : claimed) {
            Long before = e.recordId() == null ? null : firstUnclaimed.get(e.recordId());
            if (before == null || seqOf.getOrDefault(e.id(), Long.MIN_VALUE) < before) {
                runnable.add(e);
            }
        }
        return runnable;
    }

    /**
     * A claim, read in the order of the due index. On PostgreSQL, a table filled moments before
     * (no statistics yet, the usual case when a decision enqueues thousands of entries) gets a
     * bitmap scan of every pending entry and a sort for each claim: 100 ms for 20,000 pending
     * instead of 3 ms. Bitmap scans are switched off for this one statement of the transaction.
     */
    private List<OutboxEntry> claim(Connection c, String sql, Object... params) throws SQLException {
        if (dialect != Dialect.POSTGRESQL) {
            return claimOnH2(c, sql, params);
        }
        return PlannerSwitches.without(c, List.of("enable_bitmapscan"), conn -> query(conn, sql, params));
    }

    /**
     * H2 locks every row a {@code FOR UPDATE} query reads before its LIMIT applies: a claim of 200
     * locked all 20,000 pending entries one by one (60% of the outbox's time). So the entries are
     * chosen without locks, then only those are locked, and kept if nobody changed them meanwhile
     * (H2 runs on one node; its other workers wait on these locks instead of skipping them).
     */
    private List<OutboxEntry> claimOnH2(Connection c, String sql, Object... params) throws SQLException {
        String suffix = dialect.lockSkipLocked();
        List<OutboxEntry> chosen = query(c, sql.endsWith(suffix) ? sql.substring(0, sql.length() - suffix.length()) : sql, params);
        if (chosen.isEmpty()) {
            return chosen;
        }
        Map<UUID, OutboxEntry> locked = new HashMap<>();
        for (OutboxEntry e : query(c, "SELECT " + COLUMNS + " FROM outbox_entries WHERE id IN ("
                + String.join(", ", java.util.Collections.nCopies(chosen.size(), "?")) + ") FOR UPDATE", chosen.stream().map(OutboxEntry::id).toArray())) {
            locked.put(e.id(), e);
        }
        List<OutboxEntry> out = new ArrayList<>(chosen.size());
        for (OutboxEntry e : chosen) {
            OutboxEntry now = locked.get(e.id());
            if (now != null && now.status() == e.status() && now.attempts() == e.attempts() && now.nextAttemptAt().equals(e.nextAttemptAt())) {
                out.add(now);
            }
        }
        return out;
    }

    @Override
    public List<OutboxEntry> leaseDueExternal(Instant now, Instant leaseUntil, int limit) {
        return jdbc(c -> {
            List<OutboxEntry> due = claim(c, dueExternalSql(dialect, limit) + dialect.lockSkipLocked(), dialect == Dialect.POSTGRESQL
                    ? new Object[] {now, limit} : new Object[] {now, now, limit});
            List<OutboxEntry> out = new ArrayList<>(due.size());
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE outbox_entries SET status = 'running', attempts = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?")) {
                for (OutboxEntry e : due) {
                    ps.setInt(1, e.attempts() + 1);
                    Columns.bind(ps, 2, leaseUntil);
                    Columns.bind(ps, 3, now);
                    ps.setObject(4, e.id());
                    ps.addBatch();
                    out.add(new OutboxEntry(e.id(), e.orgId(), e.source(), e.type(), e.config(), e.module(), e.recordId(), e.subject(),
                            e.actorId(), e.transactional(), OutboxEntry.Status.RUNNING, e.attempts() + 1, e.maxAttempts(), leaseUntil,
                            e.lastError(), e.result(), e.causeSignal(), e.depth(), e.createdAt(), now));
                }
                if (!due.isEmpty()) {
                    ps.executeBatch();
                }
            }
            return out;
        });
    }

    /**
     * The lease's choice of due outside entries, at most {@code limit}, without its lock clause;
     * parameters: the time and the limit (on H2: the time, the time, the limit).
     */
    static String dueExternalSql(Dialect dialect, int limit) {
        if (dialect == Dialect.POSTGRESQL) {
            return "SELECT " + COLUMNS + " FROM outbox_entries WHERE status IN ('pending', 'running') "
                    + "AND transactional = FALSE AND next_attempt_at <= ? ORDER BY next_attempt_at, seq LIMIT ?";
        }
        // H2 cannot read the due index in order under an IN on its first column: it read every
        // entry of the table, done ones too, at each poll (40,001 rows read for none due). Each
        // status is read in index order up to the limit, then merged. The inner limits are
        // literals: H2 (2.5.252) reuses a parenthesised branch's result for the same other
        // parameters even when a parameter limit changed, so a second lease on a connection at
        // the same time with a larger limit took no more than the first's from each branch.
        return "SELECT " + COLUMNS + " FROM (" + dueExternal("pending", limit) + " UNION ALL " + dueExternal("running", limit)
                + ") t ORDER BY next_attempt_at, seq LIMIT ?";
    }

    private static String dueExternal(String status, int limit) {
        return "(SELECT " + COLUMNS + ", seq FROM outbox_entries WHERE status = '" + status + "' AND transactional = FALSE "
                + "AND next_attempt_at <= ? ORDER BY status, transactional, next_attempt_at, seq LIMIT " + limit + ")";
    }

    @Override
    public Optional<OutboxEntry> lockInRecordOrder(UUID orgId, UUID id) {
        return jdbc(c -> inRecordOrder(c, query(c, "SELECT " + COLUMNS + " FROM outbox_entries WHERE id = ? AND org_id = ? FOR UPDATE", id, orgId)))
                .stream().findFirst();
    }

    @Override
    public Optional<OutboxEntry> lock(UUID orgId, UUID id) {
        return jdbc(c -> query(c, "SELECT " + COLUMNS + " FROM outbox_entries WHERE id = ? AND org_id = ? FOR UPDATE", id, orgId))
                .stream().findFirst();
    }

    @Override
    public void complete(List<Outcome> outcomes, Instant now) {
        if (outcomes.isEmpty()) {
            return;
        }
        jdbc(c -> {
            if (dialect == Dialect.POSTGRESQL && outcomes.size() > 1) {
                // One statement for the batch (arrays of the new states, joined on the primary key):
                // 200 separate UPDATEs cost PostgreSQL 24-44 us a row.
                Object[][] columns = Columns.arrays(outcomes, 6, o -> new Object[] {o.id(), o.status().apiName(), o.attempts(),
                        Columns.timestampText(o.nextAttemptAt()), o.lastError(), o.result() == null ? null : Json.write(o.result())});
                try (PreparedStatement ps = c.prepareStatement("UPDATE outbox_entries o SET status = v.status, attempts = v.attempts, "
                        + "next_attempt_at = CAST(v.next AS TIMESTAMPTZ), last_error = v.error, result = CAST(v.result AS JSONB), updated_at = ? "
                        + "FROM UNNEST(CAST(? AS UUID[]), CAST(? AS VARCHAR[]), CAST(? AS INT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[])) "
                        + "AS v(id, status, attempts, next, error, result) WHERE o.id = v.id")) {
                    Columns.bind(ps, 1, now);
                    Columns.bindArrays(c, ps, 2, new String[] {"uuid", "varchar", "int4", "text", "text", "text"}, columns);
                    ps.executeUpdate();
                }
                return null;
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE outbox_entries SET status = ?, attempts = ?, next_attempt_at = ?, "
                    + "last_error = ?, result = CAST(? AS JSONB), updated_at = ? WHERE id = ?")) {
                for (Outcome o : outcomes) {
                    ps.setString(1, o.status().apiName());
                    ps.setInt(2, o.attempts());
                    Columns.bind(ps, 3, o.nextAttemptAt());
                    ps.setString(4, o.lastError());
                    ps.setString(5, o.result() == null ? null : Json.write(o.result()));
                    Columns.bind(ps, 6, now);
                    ps.setObject(7, o.id());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    @Override
    public Optional<OutboxEntry> find(UUID orgId, UUID id) {
        return jdbc(c -> query(c, "SELECT " + COLUMNS + " FROM outbox_entries WHERE id = ? AND org_id = ?", id, orgId)).stream().findFirst();
    }

    /**
     * The start of a list of one organisation's entries, newest first. A status is written as a
     * literal (it is one of the enum's names), so that every plan, PostgreSQL's generic ones too,
     * can tell that {@code status = 'failed'} is what the partial index of failed entries holds
     * (migration V19): an operator's list of failed entries reads those, not the organisation's
     * whole history. H2 has no partial indexes; there a list of the statuses that are few
     * (pending, running, failed) is told to take the due index, whole on H2 and led by the
     * status, and a list of done entries (nearly all of them) walks the organisation's entries
     * newest first, where most match. A list {@code narrowed} to a source or a record is left to
     * H2's choice: the source and record indexes serve it better than a status across every
     * organisation. Parameter 1 is the organisation.
     */
    static String listSql(Dialect dialect, OutboxEntry.Status status, boolean narrowed) {
        String hint = dialect == Dialect.H2 && status != null && status != OutboxEntry.Status.DONE && !narrowed ? " USE INDEX (outbox_entries_due_order)" : "";
        return "SELECT " + COLUMNS + " FROM outbox_entries" + hint + " WHERE org_id = ?" + (status == null ? "" : " AND status = '" + status.apiName() + "'");
    }

    @Override
    public OutboxPage list(UUID orgId, OutboxQuery q) {
        StringBuilder sql = new StringBuilder(listSql(dialect, q.status(), q.source() != null || q.recordId() != null));
        List<Object> params = new ArrayList<>();
        params.add(orgId);
        if (q.source() != null) {
            sql.append(" AND source = ?");
            params.add(q.source());
        }
        if (q.recordId() != null) {
            sql.append(" AND record_id = ?");
            params.add(q.recordId());
        }
        if (q.cursor() != null) {
            UUID after;
            try {
                after = UUID.fromString(new String(Base64.getUrlDecoder().decode(q.cursor()), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new ValidationException("Invalid cursor", List.of(new FieldError("cursor", "is not a cursor of this list")));
            }
            sql.append(" AND id < ?");
            params.add(after);
        }
        sql.append(" ORDER BY id DESC LIMIT ?");
        params.add(q.limit() + 1);
        List<OutboxEntry> rows = jdbc(c -> query(c, sql.toString(), params.toArray()));
        String next = null;
        if (rows.size() > q.limit()) {
            rows.remove(rows.size() - 1);
            next = Base64.getUrlEncoder().withoutPadding().encodeToString(rows.get(rows.size() - 1).id().toString().getBytes(StandardCharsets.UTF_8));
        }
        return new OutboxPage(rows, next);
    }

    @Override
    public long count(OutboxEntry.Status status) {
        return jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM outbox_entries WHERE status = ?")) {
                ps.setString(1, status.apiName());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    private static List<OutboxEntry> query(Connection c, String sql, Object... params) throws SQLException {
        List<OutboxEntry> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                Columns.bind(ps, i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
        }
        return out;
    }

    private static ObjectNode json(String text) {
        if (text == null) {
            return null;
        }
        JsonNode n = Json.read(text);
        if (n.isTextual()) {
            n = Json.read(n.textValue());
        }
        return n.isObject() ? (ObjectNode) n : null;
    }

    private static OutboxEntry read(ResultSet rs) throws SQLException {
        return new OutboxEntry(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class), rs.getString("source"),
                rs.getString("action_type"), json(rs.getString("config")), rs.getString("module"), rs.getObject("record_id", UUID.class),
                rs.getString("subject"), rs.getObject("actor_id", UUID.class), rs.getBoolean("transactional"),
                OutboxEntry.Status.fromApiName(rs.getString("status")).orElseThrow(), rs.getInt("attempts"), rs.getInt("max_attempts"),
                Columns.instant(rs, "next_attempt_at"), rs.getString("last_error"), json(rs.getString("result")),
                rs.getObject("cause_signal", UUID.class), rs.getInt("depth"), Columns.instant(rs, "created_at"), Columns.instant(rs, "updated_at"));
    }
}

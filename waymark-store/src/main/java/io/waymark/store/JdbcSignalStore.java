package io.waymark.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.error.ConflictException;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import io.waymark.signal.NewSignal;
import io.waymark.signal.Signal;
import io.waymark.signal.SignalPage;
import io.waymark.signal.SignalQuery;
import io.waymark.signal.SignalStore;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The signal log in one table. A partition's sequence numbers come from its row in
 * {@code signal_partitions}, updated in the appending transaction: the row lock serialises
 * appenders of one partition until commit, so sequence order is commit order and a consumer
 * never sees a gap fill in behind it. Partitions are locked in ascending order (no deadlocks).
 */
final class JdbcSignalStore implements SignalStore {
    /**
     * The signals of one partition in one epoch of the subject index on H2 (see
     * {@code V20__Signal_subject_epochs}): 1,024, so 65,536 signals of all partitions.
     */
    static final int SUBJECT_EPOCH = 1024;

    /** Bits of the H2 position that hold the sequence number: a partition stays below 2^40 signals. */
    private static final int POSITION_BITS = 40;

    /**
     * On H2, the expression of the signals' primary key {@code pos} (see
     * {@code V21__Signal_position_key}): a partition's signals in one range, in seq order.
     */
    static final String H2_POSITION = "CAST(partition_no AS BIGINT) * " + (1L << POSITION_BITS) + " + seq";

    /** The position of a partition's signal on H2, as {@link #H2_POSITION} computes it. */
    static long position(long partition, long seq) {
        return (partition << POSITION_BITS) + seq;
    }

    private static final String COLUMNS = "partition_no, seq, id, org_id, type, subject, module, record_id, payload, occurred_at, recorded_at, actor";

    private final JdbcTransactor tx;
    private final Dialect dialect;
    private final Clock clock;

    JdbcSignalStore(JdbcTransactor tx, Dialect dialect, Clock clock) {
        this.tx = tx;
        this.dialect = dialect;
        this.clock = clock;
    }

    private <T> T jdbc(JdbcTransactor.ConnectionWork<T> work) {
        return tx.jdbc(work);
    }

    /** Appends held back by {@link #deferringAppends} on this thread, or null when not deferring. */
    private final ThreadLocal<List<NewSignal>> deferred = new ThreadLocal<>();

    @Override
    public List<Signal> append(List<NewSignal> signals) {
        List<NewSignal> held = deferred.get();
        if (held != null) {
            held.addAll(signals);
            Instant now = clock.instant();
            return signals.stream().map(s -> new Signal(s.id(), s.orgId(), s.partition(), -1, s.type(), s.subject(), s.module(), s.recordId(),
                    s.payload(), s.occurredAt(), now, s.actor())).toList();
        }
        return append(signals, false);
    }

    @Override
    public <T> T deferringAppends(java.util.function.Supplier<T> work) {
        if (deferred.get() != null) {
            return work.get();
        }
        List<NewSignal> held = new ArrayList<>();
        deferred.set(held);
        T result;
        try {
            result = work.get();
        } finally {
            deferred.remove();
        }
        append(held, false);
        return result;
    }

    @Override
    public List<Signal> appendOnce(List<NewSignal> signals) {
        return append(signals, true);
    }

    private List<Signal> append(List<NewSignal> signals, boolean mayRepeat) {
        if (signals.isEmpty()) {
            return List.of();
        }
        return tx.inTransaction(() -> jdbc(c -> {
            Map<UUID, Signal> existing = mayRepeat ? existing(c, signals) : new HashMap<>();
            Instant now = clock.instant();
            TreeMap<Integer, Integer> perPartition = new TreeMap<>();
            Set<UUID> seen = new HashSet<>();
            List<NewSignal> fresh = new ArrayList<>();
            for (NewSignal s : signals) {
                if (!existing.containsKey(s.id()) && seen.add(s.id())) {
                    fresh.add(s);
                    perPartition.merge(s.partition(), 1, Integer::sum);
                }
            }
            Map<UUID, Signal> stored = new HashMap<>(existing);
            if (dialect == Dialect.POSTGRESQL) {
                appendInOneStatement(c, fresh, perPartition, now, stored);
            } else {
                appendInSteps(c, fresh, perPartition, now, stored);
            }
            List<Signal> out = new ArrayList<>(signals.size());
            for (NewSignal s : signals) {
                out.add(stored.get(s.id()));
            }
            return out;
        }));
    }

    /**
     * The append on H2: the partition rows are updated in one batch (in ascending partition
     * order, as every appender takes them, so appenders cannot deadlock; each stays locked until
     * the commit) and their heads read back in one query, then the signals inserted: three round
     * trips whatever the number of partitions.
     */
    private static void appendInSteps(Connection c, List<NewSignal> fresh, TreeMap<Integer, Integer> perPartition, Instant now,
            Map<UUID, Signal> stored) throws SQLException {
        Map<Integer, Long> next = new HashMap<>();
        if (!perPartition.isEmpty()) {
            try (PreparedStatement up = c.prepareStatement("UPDATE signal_partitions SET head = head + ? WHERE partition_no = ?")) {
                for (Map.Entry<Integer, Integer> e : perPartition.entrySet()) {
                    up.setInt(1, e.getValue());
                    up.setInt(2, e.getKey());
                    up.addBatch();
                }
                up.executeBatch();
            }
            try (PreparedStatement get = c.prepareStatement("SELECT partition_no, head FROM signal_partitions WHERE partition_no IN ("
                    + String.join(", ", java.util.Collections.nCopies(perPartition.size(), "?")) + ")")) {
                int i = 1;
                for (Integer p : perPartition.keySet()) {
                    get.setInt(i++, p);
                }
                try (ResultSet rs = get.executeQuery()) {
                    while (rs.next()) {
                        int p = rs.getInt(1);
                        next.put(p, rs.getLong(2) - perPartition.get(p) + 1);
                    }
                }
            }
        }
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO signals (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS JSONB), ?, ?, ?)")) {
            for (NewSignal s : fresh) {
                int p = s.partition();
                long seq = next.merge(p, 1L, Long::sum) - 1;
                Signal signal = new Signal(s.id(), s.orgId(), p, seq, s.type(), s.subject(), s.module(), s.recordId(), s.payload(),
                        s.occurredAt(), now, s.actor());
                ins.setInt(1, p);
                ins.setLong(2, seq);
                ins.setObject(3, s.id());
                ins.setObject(4, s.orgId());
                ins.setString(5, s.type());
                ins.setString(6, s.subject());
                ins.setString(7, s.module());
                ins.setObject(8, s.recordId());
                ins.setString(9, Json.write(s.payload()));
                Columns.bind(ins, 10, s.occurredAt());
                Columns.bind(ins, 11, now);
                ins.setObject(12, s.actor());
                ins.addBatch();
                stored.put(s.id(), signal);
            }
            if (!fresh.isEmpty()) {
                ins.executeBatch();
            }
        }
    }

    /**
     * The append on PostgreSQL, as one statement: it locks the partition rows (in ascending
     * order, as every appender takes them, so appenders cannot deadlock), numbers the signals
     * from the heads it read, moves the heads and inserts the signals. The partition rows are
     * locked from then until the commit; done in steps, that was also three round trips to the
     * database and back, each a chance for the appending thread to wait for a core while every
     * other appender of those partitions (the ingest, the outbox workers) waited for it.
     */
    static final String APPEND_ONE_STATEMENT = "WITH v AS (SELECT * FROM UNNEST(CAST(? AS INT[]), CAST(? AS UUID[]), CAST(? AS UUID[]), "
            + "CAST(? AS VARCHAR[]), CAST(? AS VARCHAR[]), CAST(? AS VARCHAR[]), CAST(? AS UUID[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), "
            + "CAST(? AS UUID[])) WITH ORDINALITY AS v(p, id, org_id, type, subject, module, record_id, payload, occurred_at, actor, ord)), "
            + "l AS MATERIALIZED (SELECT partition_no, head FROM signal_partitions WHERE partition_no = ANY(CAST(? AS INT[])) "
            + "ORDER BY partition_no FOR UPDATE), "
            + "n AS (SELECT p, COUNT(*) AS k FROM v GROUP BY p), "
            + "u AS (UPDATE signal_partitions s SET head = l.head + n.k FROM l JOIN n ON n.p = l.partition_no WHERE s.partition_no = l.partition_no) "
            + "INSERT INTO signals (" + COLUMNS + ") SELECT v.p, l.head + ROW_NUMBER() OVER (PARTITION BY v.p ORDER BY v.ord), v.id, v.org_id, "
            + "v.type, v.subject, v.module, v.record_id, CAST(v.payload AS JSONB), CAST(v.occurred_at AS TIMESTAMPTZ), CAST(? AS TIMESTAMPTZ), v.actor "
            + "FROM v JOIN l ON l.partition_no = v.p RETURNING id, seq";

    /** The SQL types of the columns that {@link #APPEND_ONE_STATEMENT} unnests, in order. */
    private static final String[] APPEND_TYPES = {"int4", "uuid", "uuid", "varchar", "varchar", "varchar", "uuid", "text", "text", "uuid"};

    private static void appendInOneStatement(Connection c, List<NewSignal> fresh, TreeMap<Integer, Integer> perPartition, Instant now,
            Map<UUID, Signal> stored) throws SQLException {
        if (fresh.isEmpty()) {
            return;
        }
        Object[][] columns = Columns.arrays(fresh, 10, s -> new Object[] {s.partition(), s.id(), s.orgId(), s.type(), s.subject(), s.module(),
                s.recordId(), Json.write(s.payload()), Columns.timestampText(s.occurredAt()), s.actor()});
        Map<UUID, Long> seqs = new HashMap<>(fresh.size() * 2);
        try (PreparedStatement ps = c.prepareStatement(APPEND_ONE_STATEMENT)) {
            int next = Columns.bindArrays(c, ps, 1, APPEND_TYPES, columns);
            ps.setArray(next, Columns.array(c, "int4", perPartition.keySet().toArray()));
            Columns.bind(ps, next + 1, now);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    seqs.put(rs.getObject(1, UUID.class), rs.getLong(2));
                }
            }
        }
        for (NewSignal s : fresh) {
            Long seq = seqs.get(s.id());
            if (seq == null) {
                throw new IllegalStateException("signal " + s.id() + " was not numbered: partition " + s.partition() + " has no row");
            }
            stored.put(s.id(), new Signal(s.id(), s.orgId(), s.partition(), seq, s.type(), s.subject(), s.module(), s.recordId(), s.payload(),
                    s.occurredAt(), now, s.actor()));
        }
    }

    private Map<UUID, Signal> existing(Connection c, List<NewSignal> signals) throws SQLException {
        Map<UUID, Signal> out = new HashMap<>();
        UUID org = signals.get(0).orgId();
        for (int from = 0; from < signals.size(); from += 500) {
            List<NewSignal> chunk = signals.subList(from, Math.min(signals.size(), from + 500));
            // By id alone: ids are unique across organisations, so every plan (PostgreSQL's
            // generic one too) takes the id index.
            String sql = "SELECT " + COLUMNS + " FROM signals WHERE id IN (?" + ", ?".repeat(chunk.size() - 1) + ")";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setObject(i + 1, chunk.get(i).id());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Signal s = read(rs);
                        if (!s.orgId().equals(org)) {
                            throw new ConflictException("Signal id " + s.id() + " is already taken; a resend must use its own id, a new signal a new one",
                                    List.of(new FieldError("id", "is already taken")));
                        }
                        out.put(s.id(), s);
                    }
                }
            }
        }
        return out;
    }

    static Signal read(ResultSet rs) throws SQLException {
        JsonNode payload = Json.read(rs.getString("payload"));
        if (payload.isTextual()) {
            payload = Json.read(payload.textValue());
        }
        return new Signal(rs.getObject("id", UUID.class), rs.getObject("org_id", UUID.class), rs.getInt("partition_no"), rs.getLong("seq"),
                rs.getString("type"), rs.getString("subject"), rs.getString("module"), rs.getObject("record_id", UUID.class),
                (ObjectNode) payload, Columns.instant(rs, "occurred_at"), Columns.instant(rs, "recorded_at"), rs.getObject("actor", UUID.class));
    }

    @Override
    public SignalPage query(UUID orgId, SignalQuery q) {
        StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM signals WHERE org_id = ?");
        List<Object> params = new ArrayList<>();
        params.add(orgId);
        boolean bySubject = q.subject() != null;
        if (bySubject) {
            sql.append(" AND subject = ?");
            params.add(q.subject());
        }
        if (q.recordId() != null) {
            sql.append(" AND record_id = ?");
            params.add(q.recordId());
        }
        if (q.type() != null) {
            if (q.type().endsWith(".*")) {
                sql.append(" AND type LIKE ? ESCAPE '\\'");
                params.add(SqlCriteria.escapeLike(q.type().substring(0, q.type().length() - 1)) + "%");
            } else {
                sql.append(" AND type = ?");
                params.add(q.type());
            }
        }
        if (q.from() != null) {
            sql.append(" AND occurred_at >= ?");
            params.add(q.from());
        }
        if (q.to() != null) {
            sql.append(" AND occurred_at < ?");
            params.add(q.to());
        }
        long afterSeq = 0;
        if (q.after() != null) {
            String[] parts = decode(q.after());
            try {
                if (bySubject) {
                    afterSeq = Long.parseLong(parts[0]);
                    sql.append(" AND seq > ?");
                    params.add(afterSeq);
                } else {
                    Instant t = Instant.parse(parts[0]);
                    long p = Long.parseLong(parts[1]);
                    long seq = Long.parseLong(parts[2]);
                    sql.append(" AND (occurred_at > ? OR (occurred_at = ? AND (partition_no > ? OR (partition_no = ? AND seq > ?))))");
                    params.add(t);
                    params.add(t);
                    params.add((int) p);
                    params.add((int) p);
                    params.add(seq);
                }
            } catch (RuntimeException e) {
                throw badCursor();
            }
        }
        String order = bySubject ? " ORDER BY seq LIMIT ?" : " ORDER BY occurred_at, partition_no, seq LIMIT ?";
        long fromEpoch = Math.max(0, afterSeq) / SUBJECT_EPOCH;
        return jdbc(c -> {
            List<Signal> out = new ArrayList<>();
            if (bySubject && dialect == Dialect.H2) {
                // The subject index leads with the epoch (V20__Signal_subject_epochs): look into
                // each epoch up to the furthest head, in ascending order (a subject's signals
                // keep one partition, so the epochs' order is their seq order), until the page
                // is full.
                long lastEpoch;
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT MAX(head) FROM signal_partitions")) {
                    rs.next();
                    lastEpoch = rs.getLong(1) / SUBJECT_EPOCH;
                }
                for (long lo = fromEpoch; lo <= lastEpoch && out.size() <= q.limit(); lo += EPOCHS_PER_QUERY) {
                    StringBuilder in = new StringBuilder(sql).append(" AND subject_epoch IN (");
                    for (long e = lo; e <= Math.min(lastEpoch, lo + EPOCHS_PER_QUERY - 1); e++) {
                        in.append(e == lo ? "" : ", ").append(e);
                    }
                    read(c, in.append(')').append(order).toString(), params, q.limit() + 1 - out.size(), out);
                }
            } else {
                read(c, sql + order, params, q.limit() + 1, out);
            }
            String next = null;
            if (out.size() > q.limit()) {
                out.remove(out.size() - 1);
                Signal last = out.get(out.size() - 1);
                next = encode(bySubject ? String.valueOf(last.seq()) : last.occurredAt() + "|" + last.partition() + "|" + last.seq());
            }
            return new SignalPage(out, next);
        });
    }

    /** Epochs of the subject index on H2 that one statement of a read by subject looks into. */
    private static final int EPOCHS_PER_QUERY = 256;

    private static void read(Connection c, String sql, List<Object> params, int limit, List<Signal> out) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                Columns.bind(ps, i + 1, params.get(i));
            }
            ps.setInt(params.size() + 1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
        }
    }

    private static String encode(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String[] decode(String cursor) {
        try {
            return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|");
        } catch (IllegalArgumentException e) {
            throw badCursor();
        }
    }

    private static ValidationException badCursor() {
        return new ValidationException("Invalid cursor", List.of(new FieldError("cursor", "is not a cursor of this query")));
    }

    @Override
    public Map<Integer, Long> heads() {
        return tx.with(h -> {
            Map<Integer, Long> out = new HashMap<>();
            h.createQuery("SELECT partition_no, head FROM signal_partitions WHERE head > 0")
                    .map((rs, ctx) -> out.put(rs.getInt(1), rs.getLong(2))).list();
            return out;
        });
    }

    /**
     * A partition's signals after a position; parameters: partition, position, limit. The order
     * names the primary key's columns from its first, although the partition is fixed: H2 reads an
     * index in order (and stops at the limit) only then; ordered by {@code seq} alone it read and
     * sorted the whole rest of the partition for every batch, so a consumer catching up on a
     * backlog of n signals read about n²/(2 × batch) rows.
     */
    static final String READ_PARTITION = "SELECT " + COLUMNS + " FROM signals WHERE partition_no = ? AND seq > ? ORDER BY partition_no, seq LIMIT ?";

    /**
     * {@link #READ_PARTITION} on H2, where the primary key is the position: parameters, the
     * position after which to read, the first position of the next partition, the limit.
     */
    static final String READ_PARTITION_H2 = "SELECT " + COLUMNS + " FROM signals WHERE pos > ? AND pos < ? ORDER BY pos LIMIT ?";

    @Override
    public List<Signal> read(int partition, long afterSeq, int limit) {
        return jdbc(c -> {
            List<Signal> out = new ArrayList<>();
            boolean h2 = dialect == Dialect.H2;
            try (PreparedStatement ps = c.prepareStatement(h2 ? READ_PARTITION_H2 : READ_PARTITION)) {
                if (h2) {
                    ps.setLong(1, position(partition, afterSeq));
                    ps.setLong(2, position(partition + 1L, 0));
                } else {
                    ps.setInt(1, partition);
                    ps.setLong(2, afterSeq);
                }
                ps.setInt(3, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public OptionalLong claim(String consumer, int partition) {
        return jdbc(c -> {
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO consumer_checkpoints (consumer, partition_no, seq) VALUES (?, ?, 0) ON CONFLICT DO NOTHING")) {
                ins.setString(1, consumer);
                ins.setInt(2, partition);
                ins.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT seq FROM consumer_checkpoints WHERE consumer = ? AND partition_no = ?"
                    + dialect.lockSkipLocked())) {
                ps.setString(1, consumer);
                ps.setInt(2, partition);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
                }
            }
        });
    }

    @Override
    public void advance(String consumer, int partition, long seq) {
        jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE consumer_checkpoints SET seq = ? WHERE consumer = ? AND partition_no = ?")) {
                ps.setLong(1, seq);
                ps.setString(2, consumer);
                ps.setInt(3, partition);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Map<String, Long> claimAll(int partition, List<String> consumers, java.util.Collection<String> missing) {
        return claimAcross(Map.of(partition, consumers), Map.of(partition, new ArrayList<>(missing))).getOrDefault(partition, Map.of());
    }

    @Override
    public void advanceAll(int partition, Map<String, Long> seqs) {
        advanceAcross(Map.of(partition, seqs));
    }

    @Override
    public Map<Integer, Map<String, Long>> claimAcross(Map<Integer, List<String>> consumers, Map<Integer, List<String>> missing) {
        java.util.TreeSet<Integer> partitions = new java.util.TreeSet<>();
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        consumers.forEach((p, list) -> {
            if (!list.isEmpty()) {
                partitions.add(p);
                names.addAll(list);
            }
        });
        if (partitions.isEmpty()) {
            return Map.of();
        }
        return jdbc(c -> {
            List<Object[]> absent = new ArrayList<>();
            // In (partition, consumer) order, as every claimer writes them, so two nodes cannot deadlock.
            new java.util.TreeMap<>(missing).forEach((p, list) -> new java.util.TreeSet<>(list).forEach(n -> absent.add(new Object[] {n, p})));
            if (!absent.isEmpty()) {
                try (PreparedStatement ins = c.prepareStatement("INSERT INTO consumer_checkpoints (consumer, partition_no, seq) VALUES "
                        + String.join(", ", java.util.Collections.nCopies(absent.size(), "(?, ?, 0)")) + " ON CONFLICT DO NOTHING")) {
                    int i = 1;
                    for (Object[] a : absent) {
                        ins.setString(i++, (String) a[0]);
                        ins.setInt(i++, (Integer) a[1]);
                    }
                    ins.executeUpdate();
                }
            }
            Map<Integer, Map<String, Long>> out = new java.util.TreeMap<>();
            if (dialect == Dialect.POSTGRESQL) {
                // Exactly the (partition, consumer) pairs asked for: rows this pass will not deliver
                // stay free for another node. Locked in (partition, consumer) order.
                List<Object> parts = new ArrayList<>();
                List<Object> wantedNames = new ArrayList<>();
                new java.util.TreeMap<>(consumers).forEach((p, list) -> new java.util.TreeSet<>(list).forEach(n -> {
                    parts.add(p);
                    wantedNames.add(n);
                }));
                try (PreparedStatement ps = c.prepareStatement("SELECT c.partition_no, c.consumer, c.seq FROM consumer_checkpoints c "
                        + "JOIN UNNEST(CAST(? AS INT[]), CAST(? AS VARCHAR[])) AS v(p, consumer) ON c.partition_no = v.p AND c.consumer = v.consumer "
                        + "ORDER BY c.partition_no, c.consumer FOR UPDATE OF c SKIP LOCKED")) {
                    ps.setArray(1, Columns.array(c, "int4", parts.toArray()));
                    ps.setArray(2, Columns.array(c, "varchar", wantedNames.toArray()));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.computeIfAbsent(rs.getInt(1), k -> new HashMap<>()).put(rs.getString(2), rs.getLong(3));
                        }
                    }
                }
                return out;
            }
            // Locked in (partition, consumer) order, as every claimer takes them, so two nodes cannot deadlock.
            try (PreparedStatement ps = c.prepareStatement("SELECT partition_no, consumer, seq FROM consumer_checkpoints WHERE partition_no IN ("
                    + String.join(", ", java.util.Collections.nCopies(partitions.size(), "?")) + ") AND consumer IN ("
                    + String.join(", ", java.util.Collections.nCopies(names.size(), "?")) + ") ORDER BY partition_no, consumer" + dialect.lockSkipLocked())) {
                int i = 1;
                for (Integer p : partitions) {
                    ps.setInt(i++, p);
                }
                for (String n : names) {
                    ps.setString(i++, n);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int p = rs.getInt(1);
                        String n = rs.getString(2);
                        if (consumers.getOrDefault(p, List.of()).contains(n)) {
                            out.computeIfAbsent(p, k -> new HashMap<>()).put(n, rs.getLong(3));
                        }
                    }
                }
            }
            return out;
        });
    }

    @Override
    public List<Signal> readAcross(List<long[]> ranges) {
        List<long[]> wanted = new ArrayList<>();
        for (long[] r : ranges) {
            if (r[2] > r[1]) {
                wanted.add(r);
            }
        }
        if (wanted.isEmpty()) {
            return List.of();
        }
        // One range scan of the primary key per range, in one statement. On PostgreSQL one
        // text for any number of ranges (three arrays, a LATERAL probe each), so it is planned
        // once per connection, not once per pass: a UNION ALL of 64 branches took milliseconds
        // to plan.
        String sql;
        if (dialect == Dialect.POSTGRESQL) {
            sql = "SELECT " + java.util.Arrays.stream(COLUMNS.split(", ")).map(col -> "s." + col).collect(java.util.stream.Collectors.joining(", "))
                    + " FROM UNNEST(CAST(? AS INT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[])) AS r(p, lo, hi) CROSS JOIN LATERAL (SELECT "
                    + COLUMNS + " FROM signals WHERE partition_no = r.p AND seq > r.lo AND seq <= r.hi OFFSET 0) s";
        } else {
            StringBuilder union = new StringBuilder();
            for (int i = 0; i < wanted.size(); i++) {
                if (i > 0) {
                    union.append(" UNION ALL ");
                }
                union.append("SELECT ").append(COLUMNS).append(" FROM signals WHERE pos > ? AND pos <= ?");
            }
            sql = union.toString();
        }
        return jdbc(c -> {
            java.util.TreeMap<Long, Signal> out = new java.util.TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (dialect == Dialect.POSTGRESQL) {
                    Object[] parts = new Object[wanted.size()];
                    Object[] lo = new Object[wanted.size()];
                    Object[] hi = new Object[wanted.size()];
                    for (int i = 0; i < wanted.size(); i++) {
                        parts[i] = (int) wanted.get(i)[0];
                        lo[i] = wanted.get(i)[1];
                        hi[i] = wanted.get(i)[2];
                    }
                    ps.setArray(1, Columns.array(c, "int4", parts));
                    ps.setArray(2, Columns.array(c, "int8", lo));
                    ps.setArray(3, Columns.array(c, "int8", hi));
                } else {
                    int i = 1;
                    for (long[] r : wanted) {
                        ps.setLong(i++, position(r[0], r[1]));
                        ps.setLong(i++, position(r[0], r[2]));
                    }
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Signal sig = read(rs);
                        // Overlapping ranges (consumers at different checkpoints) give a signal once.
                        out.put(position(sig.partition(), sig.seq()), sig);
                    }
                }
            }
            return new ArrayList<>(out.values());
        });
    }

    @Override
    public void advanceAcross(Map<Integer, Map<String, Long>> seqs) {
        if (seqs.values().stream().allMatch(Map::isEmpty)) {
            return;
        }
        jdbc(c -> {
            if (dialect == Dialect.POSTGRESQL) {
                // One statement for the whole pass (up to consumers x partitions rows), rows taken
                // in (partition, consumer) order as the claim took them.
                List<Object> names = new ArrayList<>();
                List<Object> parts = new ArrayList<>();
                List<Object> values = new ArrayList<>();
                for (Map.Entry<Integer, Map<String, Long>> p : new java.util.TreeMap<>(seqs).entrySet()) {
                    for (Map.Entry<String, Long> e : new java.util.TreeMap<>(p.getValue()).entrySet()) {
                        names.add(e.getKey());
                        parts.add(p.getKey());
                        values.add(e.getValue());
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE consumer_checkpoints c SET seq = v.seq "
                        + "FROM UNNEST(CAST(? AS VARCHAR[]), CAST(? AS INT[]), CAST(? AS BIGINT[])) AS v(consumer, p, seq) "
                        + "WHERE c.consumer = v.consumer AND c.partition_no = v.p")) {
                    ps.setArray(1, Columns.array(c, "varchar", names.toArray()));
                    ps.setArray(2, Columns.array(c, "int4", parts.toArray()));
                    ps.setArray(3, Columns.array(c, "int8", values.toArray()));
                    ps.executeUpdate();
                }
                return null;
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE consumer_checkpoints SET seq = ? WHERE consumer = ? AND partition_no = ?")) {
                for (Map.Entry<Integer, Map<String, Long>> p : new java.util.TreeMap<>(seqs).entrySet()) {
                    for (Map.Entry<String, Long> e : new java.util.TreeMap<>(p.getValue()).entrySet()) {
                        ps.setLong(1, e.getValue());
                        ps.setString(2, e.getKey());
                        ps.setInt(3, p.getKey());
                        ps.addBatch();
                    }
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    @Override
    public void deadLetter(String consumer, Signal signal, int attempts, String error) {
        jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO consumer_dead_letters (consumer, signal_id, org_id, partition_no, seq, attempts, error, failed_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, consumer);
                ps.setObject(2, signal.id());
                ps.setObject(3, signal.orgId());
                ps.setInt(4, signal.partition());
                ps.setLong(5, signal.seq());
                ps.setInt(6, attempts);
                ps.setString(7, error.length() > 4000 ? error.substring(0, 4000) : error);
                Columns.bind(ps, 8, clock.instant());
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Map<Integer, Long> checkpoints(String consumer) {
        return tx.with(h -> {
            Map<Integer, Long> out = new HashMap<>();
            h.createQuery("SELECT partition_no, seq FROM consumer_checkpoints WHERE consumer = :c").bind("c", consumer)
                    .map((rs, ctx) -> out.put(rs.getInt(1), rs.getLong(2))).list();
            return out;
        });
    }
}

package io.waymark.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.criteria.CompiledCriteria;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import io.waymark.record.Field;
import io.waymark.record.FieldType;
import io.waymark.record.FieldValues;
import io.waymark.record.Module;
import io.waymark.record.Record;
import io.waymark.record.RecordStore;
import io.waymark.record.SystemFields;
import io.waymark.record.Visibility;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/** Records in one table per module; lists by keyset (cursor) pagination. */
final class JdbcRecordStore implements RecordStore {
    private static final String SYSTEM_COLUMNS = "id, org_id, layout_id, subject, version, created_at, created_by, modified_at, modified_by";

    private final JdbcTransactor tx;
    private final Dialect dialect;

    JdbcRecordStore(JdbcTransactor tx, Dialect dialect) {
        this.tx = tx;
        this.dialect = dialect;
    }

    private <T> T jdbc(JdbcTransactor.ConnectionWork<T> work) {
        try {
            return tx.connection(work);
        } catch (SQLException e) {
            throw translate(e);
        }
    }

    private static RuntimeException translate(SQLException e) {
        if ("23505".equals(e.getSQLState())) {
            String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
            int i = m.indexOf("ux_");
            return new DuplicateValueException(i < 0 ? "?" : m.substring(i + 3, Math.min(m.length(), i + 35)));
        }
        return new IllegalStateException("Database error: " + e.getMessage(), e);
    }

    private static String selectList(Module module) {
        StringBuilder b = new StringBuilder(SYSTEM_COLUMNS);
        for (Field f : module.visibleFields()) {
            b.append(", ").append(f.column());
        }
        return b.toString();
    }

    private static Record read(ResultSet rs, Module module) throws SQLException {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Field f : module.visibleFields()) {
            values.put(f.apiName(), Columns.read(rs, f.column(), f.type()));
        }
        return new Record(rs.getObject("id", UUID.class), module.apiName(), rs.getObject("layout_id", UUID.class), rs.getString("subject"),
                rs.getLong("version"), Columns.instant(rs, "created_at"), rs.getObject("created_by", UUID.class),
                Columns.instant(rs, "modified_at"), rs.getObject("modified_by", UUID.class), values);
    }

    /**
     * The condition that limits rows to what a reader may see (appending its parameters), or
     * "1 = 1". Ownership through roles is resolved in the query, so a user's new role counts at once.
     */
    static String visible(UUID orgId, Module module, Visibility v, List<Object> params) {
        if (v.none()) {
            return "1 = 0";
        }
        Field owner = module.field("Owner").orElse(null);
        if (v.all() || owner == null) {
            return "1 = 1";
        }
        params.add(v.self());
        if (v.roles().isEmpty()) {
            return owner.column() + " = ?";
        }
        params.add(orgId);
        params.addAll(v.roles());
        return "(" + owner.column() + " = ? OR " + owner.column() + " IN (SELECT u.id FROM users u WHERE u.org_id = ? AND u.role_id IN ("
                + marks(v.roles().size()) + ")))";
    }

    @Override
    public List<Record> findAll(UUID orgId, Module module, Collection<UUID> ids, Visibility visibility) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return new ArrayList<>(idMap(orgId, module, ids, selectList(module), rs -> read(rs, module), visibility).values());
    }

    @Override
    public Map<UUID, String> subjects(UUID orgId, Module module, Collection<UUID> ids, Visibility visibility) {
        return idMap(orgId, module, ids, "id, subject", rs -> rs.getString("subject"), visibility);
    }

    @Override
    public Map<UUID, String> names(UUID orgId, Module module, Collection<UUID> ids, Visibility visibility) {
        List<Field> display = module.displayFields().stream().map(n -> module.anyField(n).orElse(null)).filter(java.util.Objects::nonNull).toList();
        String cols = "id" + display.stream().map(f -> ", " + f.column()).collect(Collectors.joining());
        return idMap(orgId, module, ids, cols, rs -> {
            StringBuilder b = new StringBuilder();
            for (Field f : display) {
                Object v = Columns.read(rs, f.column(), f.type());
                if (v != null) {
                    if (b.length() > 0) {
                        b.append(' ');
                    }
                    b.append(v);
                }
            }
            return b.toString();
        }, visibility);
    }

    private interface RowValue<T> {
        T get(ResultSet rs) throws SQLException;
    }

    /** Rows of {@code ids} (in chunks), selecting {@code cols} (which must include id), mapped by id. */
    private <T> Map<UUID, T> idMap(UUID orgId, Module module, Collection<UUID> ids, String cols, RowValue<T> value, Visibility visibility) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        List<Object> vp = new ArrayList<>();
        String vis = visible(orgId, module, visibility, vp);
        return jdbc(c -> {
            Map<UUID, T> out = new LinkedHashMap<>();
            for (List<UUID> chunk : chunks(ids)) {
                // By id alone, the organisation checked on each row: ids are unique across
                // organisations, and with "org_id = ? AND id IN (…)" PostgreSQL, on a table without
                // statistics yet (just filled), walked the organisation's whole created index
                // instead of the primary key (48 ms instead of 1 ms for 200 ids out of 20,000).
                String sql = "SELECT " + cols + ", org_id AS org_id_ FROM " + module.storage() + " WHERE id IN (" + marks(chunk.size()) + ") AND "
                        + vis;
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    int i = 1;
                    for (UUID id : chunk) {
                        ps.setObject(i++, id);
                    }
                    for (Object p : vp) {
                        Columns.bind(ps, i++, p);
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            if (orgId.equals(rs.getObject("org_id_", UUID.class))) {
                                out.put(rs.getObject("id", UUID.class), value.get(rs));
                            }
                        }
                    }
                }
            }
            return out;
        });
    }

    @Override
    public Map<Object, UUID> holders(UUID orgId, Module module, Field field, Collection<Object> values) {
        return jdbc(c -> {
            Map<Object, UUID> out = new HashMap<>();
            for (List<Object> chunk : chunks(values)) {
                String sql = "SELECT id, " + field.column() + " FROM " + module.storage() + " WHERE org_id = ? AND " + field.column()
                        + " IN (" + marks(chunk.size()) + ")";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setObject(1, orgId);
                    int i = 2;
                    for (Object v : chunk) {
                        Columns.bind(ps, i++, v);
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.put(Columns.read(rs, field.column(), field.type()), rs.getObject("id", UUID.class));
                        }
                    }
                }
            }
            return out;
        });
    }

    /** Names the unique field a violated index belongs to. */
    private static <T> T naming(Module module, java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (DuplicateValueException e) {
            String hex = e.field();
            String name = module.fields().stream().filter(f -> f.id().toString().replace("-", "").startsWith(hex.length() > 8 ? hex.substring(0, 8) : hex))
                    .map(Field::apiName).findFirst().orElse(hex);
            throw new DuplicateValueException(name);
        }
    }

    @Override
    public void insert(UUID orgId, Module module, List<Record> records) {
        naming(module, () -> {
            insertRows(orgId, module, records);
            return null;
        });
    }

    @Override
    public void update(UUID orgId, Module module, List<Record> records) {
        naming(module, () -> {
            updateRows(orgId, module, records);
            return null;
        });
    }

    private void insertRows(UUID orgId, Module module, List<Record> records) {
        List<Field> fields = module.visibleFields();
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(module.storage()).append(" (").append(SYSTEM_COLUMNS);
        fields.forEach(f -> sql.append(", ").append(f.column()));
        sql.append(") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?");
        fields.forEach(f -> sql.append(", ?"));
        sql.append(')');
        jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (Record r : records) {
                    ps.setObject(1, r.id());
                    ps.setObject(2, orgId);
                    ps.setObject(3, r.layoutId());
                    ps.setString(4, r.subject());
                    ps.setLong(5, r.version());
                    Columns.bind(ps, 6, r.createdAt());
                    ps.setObject(7, r.createdBy());
                    Columns.bind(ps, 8, r.modifiedAt());
                    ps.setObject(9, r.modifiedBy());
                    int i = 10;
                    for (Field f : fields) {
                        Columns.bindTyped(ps, i++, r.values().get(f.apiName()), f.type());
                    }
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    private void updateRows(UUID orgId, Module module, List<Record> records) {
        if (dialect == Dialect.POSTGRESQL && records.size() > 1
                && records.stream().map(Record::id).distinct().count() == records.size()) {
            updateInOneStatement(orgId, module, records);
            return;
        }
        List<Field> fields = module.visibleFields();
        StringBuilder sql = new StringBuilder("UPDATE ").append(module.storage())
                .append(" SET layout_id = ?, subject = ?, version = ?, modified_at = ?, modified_by = ?");
        fields.forEach(f -> sql.append(", ").append(f.column()).append(" = ?"));
        sql.append(" WHERE id = ? AND org_id = ? AND version = ?");
        jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (Record r : records) {
                    ps.setObject(1, r.layoutId());
                    ps.setString(2, r.subject());
                    ps.setLong(3, r.version());
                    Columns.bind(ps, 4, r.modifiedAt());
                    ps.setObject(5, r.modifiedBy());
                    int i = 6;
                    for (Field f : fields) {
                        Columns.bindTyped(ps, i++, r.values().get(f.apiName()), f.type());
                    }
                    ps.setObject(i++, r.id());
                    ps.setObject(i++, orgId);
                    ps.setLong(i, r.version() - 1);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                for (int k = 0; k < counts.length; k++) {
                    if (counts[k] == 0) {
                        throw new StaleVersionException(records.get(k).id());
                    }
                }
            }
            return null;
        });
    }

    /**
     * The update of several records on PostgreSQL, as one statement: every column's new values
     * go as one array, joined to the rows by id. Sent as a batch of one-row statements, each
     * statement cost the server its own bind, plan lookup and execution, several times the
     * row's own work; a batch of field updates from the outbox (one row per record) spent most of
     * its database time so (bench/README.md, eleventh pass). The values travel as text and are
     * cast to each column's type; the column's own length and scale then apply on assignment,
     * as they do to a bound value (an explicit cast to {@code VARCHAR(n)} would cut a value where
     * the assignment rejects it). A record whose version moved meanwhile is not updated, and the
     * first such record, in the given order, is reported, as the batch of statements did. The
     * ids must be distinct (the caller falls back to one statement per record otherwise).
     */
    private void updateInOneStatement(UUID orgId, Module module, List<Record> records) {
        List<Field> fields = module.visibleFields();
        int width = 7 + fields.size();
        Object[][] columns = Columns.arrays(records, width, r -> {
            Object[] row = new Object[width];
            row[0] = r.id();
            row[1] = r.version() - 1;
            row[2] = r.layoutId();
            row[3] = r.subject();
            row[4] = r.version();
            row[5] = r.modifiedAt();
            row[6] = r.modifiedBy();
            for (int f = 0; f < fields.size(); f++) {
                row[7 + f] = r.values().get(fields.get(f).apiName());
            }
            for (int k = 0; k < width; k++) {
                row[k] = Columns.text(row[k]);
            }
            return row;
        });
        String[] types = new String[width];
        java.util.Arrays.fill(types, "text");
        StringBuilder sql = new StringBuilder("UPDATE ").append(module.storage()).append(" r SET layout_id = CAST(v.layout_id AS UUID), ")
                .append("subject = v.subject, version = CAST(v.version AS BIGINT), modified_at = CAST(v.modified_at AS TIMESTAMPTZ), ")
                .append("modified_by = CAST(v.modified_by AS UUID)");
        for (int f = 0; f < fields.size(); f++) {
            Field field = fields.get(f);
            String cast = Columns.castFromText(field.type());
            sql.append(", ").append(field.column()).append(" = ").append(cast == null ? "v.c" + f : "CAST(v.c" + f + " AS " + cast + ")");
        }
        sql.append(" FROM UNNEST(").append("CAST(? AS TEXT[]), ".repeat(width));
        sql.setLength(sql.length() - 2);
        sql.append(") AS v(id, expected, layout_id, subject, version, modified_at, modified_by");
        for (int f = 0; f < fields.size(); f++) {
            sql.append(", c").append(f);
        }
        // The organisation is checked on each row found, not used to find rows (see below).
        sql.append(") WHERE r.id = CAST(v.id AS UUID) AND r.version = CAST(v.expected AS BIGINT) AND (r.org_id = ?) IS TRUE RETURNING r.id");
        jdbc(c -> {
            java.util.Set<UUID> updated = new java.util.HashSet<>(records.size() * 2);
            // Each row is found by its id, one index probe per row, whatever the statistics say:
            // a table that grew fast since its last ANALYZE looked small to the planner, which
            // then read every row of the organisation by its index into a hash join (30 ms for
            // 200 rows of 22,000). So the joins other than the nested loop are off for this
            // statement, and the organisation is no condition an index could serve.
            PlannerSwitches.without(c, List.of("enable_hashjoin", "enable_mergejoin", "enable_bitmapscan", "enable_seqscan"), conn -> {
                try (PreparedStatement ps = conn.prepareStatement(sql.toString())) {
                    ps.setObject(Columns.bindArrays(conn, ps, 1, types, columns), orgId);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            updated.add(rs.getObject(1, UUID.class));
                        }
                    }
                }
                return null;
            });
            for (Record r : records) {
                if (!updated.contains(r.id())) {
                    throw new StaleVersionException(r.id());
                }
            }
            return null;
        });
    }

    @Override
    public void delete(UUID orgId, Module module, List<Record> records, UUID actor, Instant at) {
        jdbc(c -> {
            try (PreparedStatement keep = c.prepareStatement("INSERT INTO deleted_records (id, org_id, module_id, data, deleted_at, deleted_by) "
                    + "VALUES (?, ?, ?, ?, ?, ?)");
                 PreparedStatement del = c.prepareStatement("DELETE FROM " + module.storage() + " WHERE id = ? AND org_id = ? AND version = ?")) {
                for (Record r : records) {
                    del.setObject(1, r.id());
                    del.setObject(2, orgId);
                    del.setLong(3, r.version());
                    if (del.executeUpdate() == 0) {
                        throw new StaleVersionException(r.id());
                    }
                    ObjectNode data = Json.object();
                    data.put("subject", r.subject());
                    data.put("version", r.version());
                    data.put("layout_id", r.layoutId().toString());
                    data.put("created_at", r.createdAt().toString());
                    data.put("created_by", String.valueOf(r.createdBy()));
                    ObjectNode values = data.putObject("values");
                    r.values().forEach((k, v) -> values.set(k, FieldValues.toJson(v)));
                    keep.setObject(1, r.id());
                    keep.setObject(2, orgId);
                    keep.setObject(3, module.id());
                    keep.setString(4, Json.write(data));
                    Columns.bind(keep, 5, at);
                    keep.setObject(6, actor);
                    keep.executeUpdate();
                }
            }
            return null;
        });
    }

    @Override
    public boolean wasDeleted(UUID orgId, Module module, UUID id) {
        return tx.with(h -> h.createQuery("SELECT COUNT(*) FROM deleted_records WHERE org_id = :org AND id = :id AND module_id = :m")
                .bind("org", orgId).bind("id", id).bind("m", module.id()).mapTo(Long.class).one() > 0);
    }

    @Override
    public RecordPage list(UUID orgId, Module module, CompiledCriteria criteria, List<Sort> sort, int limit, String after, Instant now,
                           ZoneId zone, Visibility visibility) {
        List<Object> params = new ArrayList<>();
        StringBuilder where = new StringBuilder(visible(orgId, module, visibility, params)).append(" AND (");
        SqlCriteria.append(criteria, where, params, now, zone);
        where.append(')');
        return page(orgId, module, where.toString(), params, sort, limit, after);
    }

    @Override
    public long count(UUID orgId, Module module, CompiledCriteria criteria, Instant now, ZoneId zone, Visibility visibility) {
        StringBuilder sql = new StringBuilder("SELECT COUNT(*) FROM ").append(module.storage()).append(" WHERE org_id = ? AND ");
        List<Object> params = new ArrayList<>();
        params.add(orgId);
        sql.append(visible(orgId, module, visibility, params)).append(" AND (");
        SqlCriteria.append(criteria, sql, params, now, zone);
        sql.append(')');
        return jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                bindAll(ps, params);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    @Override
    public RecordPage related(UUID orgId, Module module, Field field, UUID targetId, int limit, String after, Visibility visibility) {
        List<Object> params = new ArrayList<>();
        params.add(targetId);
        String where = field.column() + " = ? AND " + visible(orgId, module, visibility, params);
        Sort newest = new Sort(SystemFields.find(SystemFields.CREATED_AT).orElseThrow(), true);
        return page(orgId, module, where, params, List.of(newest), limit, after);
    }

    private RecordPage page(UUID orgId, Module module, String where, List<Object> whereParams, List<Sort> sort, int limit, String after) {
        List<Object> params = new ArrayList<>();
        params.add(orgId);
        params.addAll(whereParams);
        StringBuilder sql = new StringBuilder("SELECT ").append(selectList(module));
        List<Object> keyParams = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int k = 0; k < sort.size(); k++) {
            keys.add(sortExpression(sort.get(k).field(), keyParams));
            sql.append(", ").append(keys.get(k)).append(" AS sk").append(k);
        }
        sql.append(" FROM ").append(module.storage()).append(" WHERE org_id = ? AND (").append(where).append(')');
        List<Object> all = new ArrayList<>(keyParams);
        all.addAll(params);
        String signature = signature(module, sort);
        if (after != null) {
            List<Object> cursor = decodeCursor(after, signature, sort);
            sql.append(" AND ");
            keyset(sort, keys, keyParams, cursor, 0, sql, all);
        }
        sql.append(" ORDER BY ");
        for (int k = 0; k < sort.size(); k++) {
            sql.append(keys.get(k)).append(sort.get(k).descending() ? " DESC" : " ASC").append(" NULLS LAST, ");
            all.addAll(keyParams.subList(paramStart(sort, k), paramStart(sort, k + 1)));
        }
        sql.append("id ASC LIMIT ?");
        all.add(limit + 1);
        return jdbc(c -> {
            List<Record> records = new ArrayList<>();
            List<Object> lastKeys = null;
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                bindAll(ps, all);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (records.size() == limit) {
                            return new RecordPage(records, encodeCursor(signature, lastKeys, records.get(records.size() - 1).id()));
                        }
                        records.add(read(rs, module));
                        lastKeys = new ArrayList<>();
                        for (int k = 0; k < sort.size(); k++) {
                            lastKeys.add(sortValue(rs, "sk" + k, sort.get(k).field()));
                        }
                    }
                }
            }
            return new RecordPage(records, null);
        });
    }

    /** The SQL of a sort key: picklists sort by the position of their values. */
    private static String sortExpression(Field f, List<Object> params) {
        if (f.type() == FieldType.PICKLIST) {
            StringBuilder b = new StringBuilder("CASE ").append(f.column());
            for (int i = 0; i < f.picklistValues().size(); i++) {
                b.append(" WHEN ? THEN ").append(i);
                params.add(f.picklistValues().get(i));
            }
            return b.append(" END").toString();
        }
        return f.column();
    }

    private static int paramStart(List<Sort> sort, int k) {
        int n = 0;
        for (int i = 0; i < k; i++) {
            Field f = sort.get(i).field();
            n += f.type() == FieldType.PICKLIST ? f.picklistValues().size() : 0;
        }
        return n;
    }

    /**
     * Rows strictly after the cursor in (k1, …, kn, id) order with empty values last:
     * after(i) = gt(i) OR (eq(i) AND after(i+1)); after(n) = id > cursor id.
     */
    private static void keyset(List<Sort> sort, List<String> keys, List<Object> keyParams, List<Object> cursor, int i, StringBuilder sql,
                               List<Object> params) {
        if (i == sort.size()) {
            sql.append("id > ?");
            params.add(cursor.get(cursor.size() - 1));
            return;
        }
        String key = keys.get(i);
        List<Object> kp = keyParams.subList(paramStart(sort, i), paramStart(sort, i + 1));
        Object v = cursor.get(i);
        sql.append('(');
        if (v == null) {
            sql.append(key).append(" IS NULL");
            params.addAll(kp);
            sql.append(" AND ");
            keyset(sort, keys, keyParams, cursor, i + 1, sql, params);
        } else {
            sql.append(key).append(sort.get(i).descending() ? " < ?" : " > ?").append(" OR ").append(key).append(" IS NULL OR (").append(key).append(" = ? AND ");
            params.addAll(kp);
            params.add(v);
            params.addAll(kp);
            params.addAll(kp);
            params.add(v);
            keyset(sort, keys, keyParams, cursor, i + 1, sql, params);
            sql.append(')');
        }
        sql.append(')');
    }

    private static Object sortValue(ResultSet rs, String column, Field f) throws SQLException {
        if (f.type() == FieldType.PICKLIST) {
            int v = rs.getInt(column);
            return rs.wasNull() ? null : (long) v;
        }
        return Columns.read(rs, column, f.type());
    }

    private static String signature(Module module, List<Sort> sort) {
        StringBuilder b = new StringBuilder(module.id().toString().substring(0, 8));
        sort.forEach(s -> b.append(s.descending() ? '-' : '+').append(s.field().apiName()));
        return Integer.toHexString(b.toString().hashCode());
    }

    private static String encodeCursor(String signature, List<Object> keys, UUID id) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        a.add(signature);
        keys.forEach(k -> a.add(FieldValues.toJson(k)));
        a.add(id.toString());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.write(a).getBytes(StandardCharsets.UTF_8));
    }

    private static List<Object> decodeCursor(String cursor, String signature, List<Sort> sort) {
        try {
            JsonNode a = Json.read(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
            if (!a.isArray() || a.size() != sort.size() + 2 || !signature.equals(a.get(0).asText())) {
                throw new IllegalArgumentException("cursor of another query");
            }
            List<Object> out = new ArrayList<>();
            for (int k = 0; k < sort.size(); k++) {
                JsonNode v = a.get(k + 1);
                Field f = sort.get(k).field();
                out.add(v.isNull() ? null : switch (f.type()) {
                    case PICKLIST, INTEGER -> v.longValue();
                    case DECIMAL, CURRENCY, PERCENT -> new BigDecimal(v.asText());
                    case BOOLEAN -> v.booleanValue();
                    case DATE -> LocalDate.parse(v.asText());
                    case DATETIME -> Instant.parse(v.asText());
                    case LOOKUP, OWNER -> UUID.fromString(v.asText());
                    default -> v.asText();
                });
            }
            out.add(UUID.fromString(a.get(a.size() - 1).asText()));
            return out;
        } catch (RuntimeException e) {
            throw new ValidationException("Invalid cursor", List.of(new FieldError("cursor",
                    "is not a cursor of this list (use the next_cursor of the previous page, with the same sort)")));
        }
    }

    private static void bindAll(PreparedStatement ps, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            Columns.bind(ps, i + 1, params.get(i));
        }
    }

    private static String marks(int n) {
        return "?" + ", ?".repeat(Math.max(0, n - 1));
    }

    private static <T> List<List<T>> chunks(Collection<T> items) {
        List<List<T>> out = new ArrayList<>();
        List<T> cur = new ArrayList<>();
        for (T t : items) {
            cur.add(t);
            if (cur.size() == 500) {
                out.add(cur);
                cur = new ArrayList<>();
            }
        }
        if (!cur.isEmpty()) {
            out.add(cur);
        }
        return out;
    }
}

package io.waymark.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Migration V18: on PostgreSQL the outbox's due index covers only live entries and the signals'
 * record index only signals with a record, while the outbox's record-order index (the list API's
 * way to a record's entries) stays whole; on H2 (no partial indexes) all three stay whole. The queries that use them are exercised by the outbox and
 * signal-log tests on both databases.
 */
class PartialIndexesTest {
    @BothDatabases
    void liveOnlyDueAndRecordIndexesOnPostgresqlWholeOnesOnH2(TestDb db) throws Exception {
        Map<String, String> defs = new HashMap<>();
        try (Connection c = db.store().dataSource().getConnection()) {
            String sql = db.kind().equals("h2")
                    ? "SELECT index_name, index_name FROM information_schema.indexes WHERE LOWER(index_name) IN "
                    + "('outbox_entries_due_order', 'outbox_entries_record_order', 'signals_record')"
                    : "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN ('outbox_entries_due_order', 'outbox_entries_record_order', 'signals_record')";
            try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    defs.put(rs.getString(1).toLowerCase(java.util.Locale.ROOT), rs.getString(2));
                }
            }
        }
        assertThat(defs).containsOnlyKeys("outbox_entries_due_order", "outbox_entries_record_order", "signals_record");
        if (db.kind().equals("postgresql")) {
            assertThat(defs.get("outbox_entries_due_order")).contains("(status, transactional, next_attempt_at, seq)")
                    .containsPattern("WHERE \\(+\\(?status\\)?::text = ANY");
            assertThat(defs.get("outbox_entries_record_order")).contains("(record_id, status, seq)").doesNotContain("WHERE");
            assertThat(defs.get("signals_record")).contains("(org_id, record_id, occurred_at)").contains("WHERE (record_id IS NOT NULL)");
        }
    }
}

package io.waymark.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.waymark.action.OutboxEntry;
import io.waymark.action.OutboxStore;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An operator's list of one status among an organisation's many finished entries: the failed
 * entries come back newest first, page by page, and the list reads them, not the history (on H2
 * counted with {@code EXPLAIN ANALYZE}; on PostgreSQL the plan takes the partial index of failed
 * entries).
 */
class OutboxListTest {
    static final int DONE = 3_000;

    @BothDatabases
    void failedEntriesAreListedNewestFirstWithoutReadingTheHistory(TestDb db) throws Exception {
        Dialect dialect = db.kind().equals("h2") ? Dialect.H2 : Dialect.POSTGRESQL;
        JdbcOutboxStore store = new JdbcOutboxStore((JdbcTransactor) db.store().transactor(), dialect);
        Instant now = TestDb.START;
        List<OutboxEntry> all = new ArrayList<>();
        List<OutboxEntry> failed = new ArrayList<>();
        for (int i = 0; i < DONE; i++) {
            all.add(OutboxClaimTest.entry(db, i % 2 == 0, OutboxEntry.Status.DONE, now.minusSeconds(DONE - i)));
            if (i % 1000 == 500) {
                // Ids as the outbox gives them (time-ordered), so that newest first is a known order.
                OutboxEntry e = OutboxClaimTest.entry(db, false, OutboxEntry.Status.FAILED, now.minus(Duration.ofMinutes(1)));
                OutboxEntry f = new OutboxEntry(io.waymark.Ids.next(java.time.Clock.fixed(now.plusSeconds(i), java.time.ZoneOffset.UTC)), e.orgId(),
                        e.source(), e.type(), e.config(), e.module(), e.recordId(), e.subject(), e.actorId(), e.transactional(), e.status(),
                        e.attempts(), e.maxAttempts(), e.nextAttemptAt(), "refused", null, null, e.depth(), e.createdAt(), e.updatedAt());
                all.add(f);
                failed.add(0, f);
            }
        }
        store.insert(all);
        try {
            check(db, dialect, store, failed);
        } finally {
            try (Connection c = db.store().dataSource().getConnection();
                    PreparedStatement ps = c.prepareStatement("DELETE FROM outbox_entries WHERE org_id = ?")) {
                ps.setObject(1, db.admin().orgId());
                ps.executeUpdate();
            }
        }
    }

    private static void check(TestDb db, Dialect dialect, JdbcOutboxStore store, List<OutboxEntry> failed) throws Exception {

        OutboxStore.OutboxPage first = store.list(db.admin().orgId(), new OutboxStore.OutboxQuery(OutboxEntry.Status.FAILED, null, null, 2, null));
        assertThat(first.entries()).extracting(OutboxEntry::id).containsExactly(failed.get(0).id(), failed.get(1).id());
        assertThat(first.next()).isNotNull();
        OutboxStore.OutboxPage second = store.list(db.admin().orgId(), new OutboxStore.OutboxQuery(OutboxEntry.Status.FAILED, null, null, 2, first.next()));
        assertThat(second.entries()).extracting(OutboxEntry::id).containsExactly(failed.get(2).id());
        assertThat(second.next()).isNull();
        assertThat(store.list(db.admin().orgId(), new OutboxStore.OutboxQuery(OutboxEntry.Status.DONE, null, null, 5, null)).entries())
                .hasSize(5).allSatisfy(e -> assertThat(e.status()).isEqualTo(OutboxEntry.Status.DONE));

        String sql = JdbcOutboxStore.listSql(dialect, OutboxEntry.Status.FAILED) + " ORDER BY id DESC LIMIT ?";
        try (Connection c = db.store().dataSource().getConnection()) {
            if (dialect == Dialect.H2) {
                assertThat(OutboxClaimTest.rowsRead(c, sql, db.admin().orgId(), 3)).isLessThan(100);
            } else {
                try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + sql)) {
                    ps.setObject(1, db.admin().orgId());
                    ps.setInt(2, 3);
                    StringBuilder plan = new StringBuilder();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            plan.append(rs.getString(1)).append('\n');
                        }
                    }
                    assertThat(plan.toString()).contains("outbox_entries_failed");
                }
            }
        }
    }
}

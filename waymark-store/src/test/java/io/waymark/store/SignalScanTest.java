package io.waymark.store;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.pathfinder.PathFinderStore;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** The bulk read behind live discovery: every row reaches the sink once, and a failing sink stops the scan with its error. */
class SignalScanTest {
    private static final PathFinderStore.SignalScan WEB = new PathFinderStore.SignalScan(List.of("web.visit"), List.of("chat."), false,
            List.of("page", "visitor_id"), false);

    private static JdbcPathFinderStore store(TestDb db) {
        return new JdbcPathFinderStore((JdbcTransactor) db.store().transactor(), Dialect.of(db.kind().equals("h2") ? "jdbc:h2:" : "jdbc:postgresql:"));
    }

    private static void ingest(TestDb db, int n) {
        for (int from = 0; from < n; from += 1000) {
            List<JsonNode> batch = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + 1000); i++) {
                String type = i % 3 == 0 ? "chat.started" : i % 3 == 1 ? "web.visit" : "email.opened";
                batch.add(json("{'type': '" + type + "', 'subject': 's" + i % 50 + "', 'payload': {'page': '/p" + i + "', 'nested': {'a': 1}}}"));
            }
            db.engine().signals().ingest(db.admin(), batch);
        }
    }

    @BothDatabases
    void everyMatchingRowReachesTheSinkOnceWithItsAttributes(TestDb db) {
        ingest(db, 3_000);
        Set<String> pages = new HashSet<>();
        int[] rows = {0};
        store(db).scanSignals(db.admin().orgId(), WEB, new PathFinderStore.SignalSink() {
            @Override
            public void signal(String subject, String type, long at, long order, String[] attributes) {
                rows[0]++;
                assertThat(type).isIn("web.visit", "chat.started");
                assertThat(attributes[1]).isNull();
                pages.add(attributes[0]);
            }

            @Override
            public void recordSignal(String subject, String type, String module, UUID recordId, long at, String payload) {
                throw new AssertionError("not asked for");
            }
        });
        assertThat(rows[0]).isEqualTo(2_000);
        assertThat(pages).hasSize(2_000);
        assertThat(store(db).datasets(db.otherOrg().admin().orgId())).isEmpty();
    }

    /** Many signals at once, in a partition no consumer reads (1000; the log has 0 to 63). */
    private static void bulk(TestDb db, int n) throws Exception {
        boolean h2 = db.kind().equals("h2");
        String sql = "INSERT INTO signals (partition_no, seq, id, org_id, type, subject, payload, occurred_at, recorded_at) SELECT 1000, g, "
                + (h2 ? "RANDOM_UUID()" : "gen_random_uuid()") + ", ?, CASE WHEN MOD(g, 2) = 0 THEN 'web.visit' ELSE 'chat.started' END, "
                + "CONCAT('s', MOD(g, 50)), CAST('{\"page\": \"/x\"}' AS JSONB), CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM "
                + (h2 ? "(SELECT \"X\" AS g FROM SYSTEM_RANGE(1, ?)) r" : "generate_series(1, ?) g");
        try (var c = db.store().dataSource().getConnection(); var ps = c.prepareStatement(sql)) {
            ps.setObject(1, db.admin().orgId());
            ps.setInt(2, n);
            ps.executeUpdate();
        }
    }

    @BothDatabases
    void aFailingSinkStopsTheScanWithItsError(TestDb db) throws Exception {
        bulk(db, 40_000); // more chunks than the hand-off queue holds: the reader must not wait forever
        int[] rows = {0};
        assertThatThrownBy(() -> store(db).scanSignals(db.admin().orgId(), WEB, new PathFinderStore.SignalSink() {
            @Override
            public void signal(String subject, String type, long at, long order, String[] attributes) {
                if (++rows[0] == 10) {
                    throw new IllegalStateException("sink broke");
                }
            }

            @Override
            public void recordSignal(String subject, String type, String module, UUID recordId, long at, String payload) {
            }
        })).isInstanceOf(IllegalStateException.class).hasMessage("sink broke");
        assertThat(rows[0]).isEqualTo(10);
        try (var c = db.store().dataSource().getConnection(); var ps = c.prepareStatement("DELETE FROM signals WHERE partition_no = 1000")) {
            ps.executeUpdate();
        }
    }
}

package io.waymark.store.automation;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import io.waymark.Actor;
import io.waymark.Waymark;
import io.waymark.action.ActionDefinition;
import io.waymark.action.Outbox;
import io.waymark.clock.SettableClock;
import io.waymark.identity.Orgs;
import io.waymark.record.Record;
import io.waymark.store.JdbcStore;
import io.waymark.store.testing.TestDatabases;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Kills a real worker process (SIGKILL, no shutdown hook) while it drains the outbox, then lets
 * a new worker finish: every action must have happened exactly once. PostgreSQL only: two
 * processes cannot share the in-memory H2 database that tests use.
 */
class OutboxKillTest {

    static long count(JdbcStore store, String sql, UUID org) throws Exception {
        try (Connection c = store.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, org);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void killingAWorkerProcessMidDrainLosesNothingAndRunsNothingTwice() throws Exception {
        TestDatabases.assumeAvailable(TestDatabases.POSTGRESQL);
        JdbcStore store = TestDatabases.get(TestDatabases.POSTGRESQL);
        Waymark engine = store.engine(new SettableClock(Instant.parse("2026-01-05T09:00:00Z")));
        Orgs.Created org = engine.orgs().create("Kill test " + UUID.randomUUID(), "admin@example.com", "Ada", null);
        Actor admin = org.admin();
        int n = 3_000;
        List<JsonNode> inputs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            inputs.add(json("{'Deal_Name': 'Deal " + i + "', 'Amount': " + i + "}"));
        }
        List<Record> deals = new ArrayList<>();
        for (int from = 0; from < n; from += 1000) {
            deals.addAll(engine.records().createAll(admin, "Deals", inputs.subList(from, from + 1000)));
        }
        ActionDefinition bump = new ActionDefinition("field_update", (ObjectNode) json("{'field': 'Amount', 'value': 'Amount + 1'}"));
        List<Outbox.NewAction> actions = new ArrayList<>();
        for (Record d : deals) {
            actions.add(new Outbox.NewAction(admin.orgId(), "test:kill", bump, "Deals", d.id(), d.subject(), null, 1));
        }
        engine.outbox().enqueue(actions);
        UUID o = admin.orgId();
        String done = "SELECT COUNT(*) FROM outbox_entries WHERE org_id = ? AND status = 'done'";

        HikariDataSource ds = (HikariDataSource) store.dataSource();
        Process worker = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), OutboxWorkerProcess.class.getName(), ds.getJdbcUrl(), ds.getUsername(),
                ds.getPassword() == null ? "" : ds.getPassword())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (count(store, done, o) < n / 4) {
                assertThat(System.nanoTime()).as("the worker process made progress").isLessThan(deadline);
                assertThat(worker.isAlive()).as("the worker process is running").isTrue();
                Thread.sleep(5);
            }
        } finally {
            worker.destroyForcibly();
            worker.waitFor(10, TimeUnit.SECONDS);
        }
        long doneAtKill = count(store, done, o);
        assertThat(doneAtKill).isLessThan(n);

        // A new worker finishes the rest.
        engine.outbox().runDue();
        assertThat(count(store, done, o)).isEqualTo(n);
        assertThat(count(store, "SELECT COUNT(*) FROM outbox_entries WHERE org_id = ? AND attempts <> 1", o)).isZero();
        assertThat(count(store, "SELECT COUNT(*) FROM signals WHERE org_id = ? AND type = 'action.succeeded'", o)).isEqualTo(n);
        assertThat(count(store, "SELECT COUNT(*) FROM signals WHERE org_id = ? AND type = 'record.updated'", o)).isEqualTo(n);
        for (int i = 0; i < n; i++) {
            BigDecimal amount = (BigDecimal) engine.records().get(admin, "Deals", deals.get(i).id()).values().get("Amount");
            assertThat(amount).as("deal " + i).isEqualByComparingTo(BigDecimal.valueOf(i + 1));
        }
        System.out.println("killed the worker after " + doneAtKill + " of " + n + " actions");
    }
}

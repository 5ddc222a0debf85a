package io.waymark.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Waymark;
import io.waymark.action.ActionDefinition;
import io.waymark.action.Outbox;
import io.waymark.identity.Orgs;
import io.waymark.json.Json;
import io.waymark.record.Record;
import io.waymark.store.JdbcStore;
import io.waymark.timer.Timer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The automation runtime's benchmarks, in-process against the engine (no HTTP: what is measured
 * is the runtime, not request parsing).
 *
 * <ul>
 *   <li>{@code timers}: COUNT (default 100,000) pending timers, half of them due now and half a
 *       day later; the background scheduler (db-scheduler) is started and the rate at which the due
 *       half fire (each appends its {@code timer.fired} signal and is removed) is measured.</li>
 *   <li>{@code outbox}: COUNT (default 20,000) {@code field_update} entries, each on its own deal
 *       (an internal action: record update + its signal + the entry marked done + an
 *       {@code action.succeeded} signal, in one transaction per batch), drained by 2 workers.</li>
 *   <li>{@code workflow-rules}: COUNT (default 3,000) pairs of single-record writes
 *       ({@code Records.update}), one in an organisation with 50 active rules on Deals and one in
 *       an organisation with none, interleaved, with the engine (dispatcher, rules, outbox)
 *       running in the background; the figure is the difference in p99 write latency. Also prints
 *       the rules' evaluation cost per record signal.</li>
 * </ul>
 */
final class AutomationBench {
    private final JdbcStore store;
    private final Waymark engine;
    private final Actor admin;

    AutomationBench(JdbcStore store) {
        this.store = store;
        this.engine = store.engine(Clock.systemUTC());
        Orgs.Created org = engine.orgs().create("Bench " + System.nanoTime(), "bench@example.com", "Bench", null);
        this.admin = org.admin();
    }

    void close() {
        engine.close();
    }

    private long count(String sql, Object... params) throws Exception {
        try (Connection c = store.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static JsonNode json(String singleQuoted) {
        return Json.read(singleQuoted.replace('\'', '"'));
    }

    String timers(int total) throws Exception {
        Instant now = Instant.now();
        int due = total / 2;
        long t0 = System.nanoTime();
        List<Timer> batch = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            Instant at = i < due ? now.minusSeconds(60).plusMillis(i % 1000) : now.plus(Duration.ofDays(1));
            batch.add(new Timer(admin.orgId(), "bench-" + i, "bench", at, "cust-" + (i % 10_000), null, null, Json.object()));
            if (batch.size() == 5_000) {
                engine.timers().schedule(batch);
                batch.clear();
            }
        }
        engine.timers().schedule(batch);
        System.out.printf("scheduled %d timers (%d due) in %.1f s%n", total, due, (System.nanoTime() - t0) / 1e9);
        long start = System.nanoTime();
        engine.timers().start();
        long fired;
        long lastPrint = start;
        while ((fired = count("SELECT COUNT(*) FROM signals WHERE org_id = ? AND type = 'timer.fired'", admin.orgId())) < due) {
            Thread.sleep(100);
            if (System.nanoTime() - lastPrint > 5e9) {
                lastPrint = System.nanoTime();
                System.out.printf("  %d fired after %.1f s%n", fired, (lastPrint - start) / 1e9);
            }
            if (System.nanoTime() - start > 600e9) {
                throw new IllegalStateException("only " + fired + " of " + due + " fired in 10 minutes");
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        long pending = count("SELECT COUNT(*) FROM timers WHERE org_id = ?", admin.orgId());
        System.out.printf("%d due timers fired in %.2f s; %d still pending (not yet due)%n", due, secs, pending);
        return String.format("timers: %.0f timers/s", due / secs);
    }

    String outbox(int total) throws Exception {
        List<JsonNode> deals = new ArrayList<>();
        List<Record> created = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            deals.add(json("{'Deal_Name': 'Deal " + i + "', 'Amount': " + (1000 + i) + "}"));
            if (deals.size() == 1000) {
                created.addAll(engine.records().createAll(admin, "Deals", deals));
                deals.clear();
            }
        }
        if (!deals.isEmpty()) {
            created.addAll(engine.records().createAll(admin, "Deals", deals));
        }
        ActionDefinition discount = new ActionDefinition("field_update", (ObjectNode) json("{'field': 'Amount', 'value': 'Amount * 0.9'}"));
        List<Outbox.NewAction> actions = new ArrayList<>();
        for (Record r : created) {
            actions.add(new Outbox.NewAction(admin.orgId(), "bench:outbox", discount, "Deals", r.id(), r.subject(), null, 1));
            if (actions.size() == 5_000) {
                engine.outbox().enqueue(actions);
                actions.clear();
            }
        }
        engine.outbox().enqueue(actions);
        System.out.printf("queued %d field updates on %d deals%n", total, created.size());
        long start = System.nanoTime();
        engine.outbox().start(2, Duration.ofMillis(50));
        long done;
        while ((done = count("SELECT COUNT(*) FROM outbox_entries WHERE org_id = ? AND status = 'done'", admin.orgId())) < total) {
            Thread.sleep(50);
            if (count("SELECT COUNT(*) FROM outbox_entries WHERE org_id = ? AND status = 'failed'", admin.orgId()) > 0) {
                throw new IllegalStateException("some entries failed");
            }
            if (System.nanoTime() - start > 600e9) {
                throw new IllegalStateException("only " + done + " of " + total + " done in 10 minutes");
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        Record first = engine.records().get(admin, "Deals", created.get(0).id());
        System.out.printf("drained %d entries in %.2f s (first deal's Amount now %s)%n", total, secs, first.values().get("Amount"));
        return String.format("outbox: %.0f actions/s", total / secs);
    }

    String workflowRules(int writes) throws Exception {
        // Two organisations on one database, written to in turns: one with 50 active rules on
        // Deals, one with none. Interleaving puts both under the same (shared, noisy) machine load.
        Actor plain = engine.orgs().create("Bench plain " + System.nanoTime(), "plain@example.com", "Plain", null).admin();
        List<Record> ruled = engine.records().createAll(admin, "Deals", java.util.stream.IntStream.range(0, 200)
                .mapToObj(i -> json("{'Deal_Name': 'Deal " + i + "', 'Amount': " + i + "}")).toList());
        List<Record> unruled = engine.records().createAll(plain, "Deals", java.util.stream.IntStream.range(0, 200)
                .mapToObj(i -> json("{'Deal_Name': 'Deal " + i + "', 'Amount': " + i + "}")).toList());
        // 50 active rules: every one is evaluated on every write of a deal; five of them match.
        for (int i = 0; i < 50; i++) {
            String criteria = i % 10 == 0 ? "(Amount:greater_than:" + i + ")" : "(Deal_Name:equals:nobody-" + i + ")";
            engine.workflowRules().create(admin, json("{'name': 'rule " + i + "', 'module': 'Deals', 'trigger': {'type': 'create_or_edit'}, "
                    + "'rules': [{'criteria': '" + criteria + "', 'actions': [{'type': 'emit_signal', 'config': {'type': 'bench.matched'}}]}]}"));
        }
        engine.start(Duration.ofMillis(200), 2);
        for (int i = 0; i < 300; i++) {
            write(admin, ruled, i);
            write(plain, unruled, i);
        }
        long[] with = new long[writes];
        long[] without = new long[writes];
        for (int i = 0; i < writes; i++) {
            // Alternate which goes first, so neither always follows the other's background work.
            if (i % 2 == 0) {
                with[i] = write(admin, ruled, i);
                without[i] = write(plain, unruled, i);
            } else {
                without[i] = write(plain, unruled, i);
                with[i] = write(admin, ruled, i);
            }
            Thread.sleep(5);
        }
        long matched = count("SELECT COUNT(*) FROM signals WHERE org_id = ? AND type = 'bench.matched'", admin.orgId());
        // The rules' own cost, off the write path: evaluate a backlog of signals with the dispatcher alone.
        engine.close();
        Waymark quiet = store.engine(Clock.systemUTC());
        quiet.dispatcher().runOnce();
        quiet.outbox().runDue();
        quiet.dispatcher().runOnce();
        for (int i = 0; i < 2_000; i++) {
            Record r = ruled.get(i % ruled.size());
            quiet.records().update(admin, "Deals", r.id(), json("{'Description': 'backlog " + i + "'}"), null);
        }
        long t0 = System.nanoTime();
        quiet.dispatcher().runOnce();
        double perSignal = (System.nanoTime() - t0) / 1e3 / 2_000;
        quiet.outbox().runDue();
        double[] w = percentiles(with);
        double[] wo = percentiles(without);
        System.out.printf("%d single-record updates each, interleaved, engine running in the background (%d actions ran)%n", writes, matched);
        System.out.printf("write latency, 0 rules:  p50 %.2f ms, p99 %.2f ms%n", wo[0], wo[1]);
        System.out.printf("write latency, 50 rules: p50 %.2f ms, p99 %.2f ms%n", w[0], w[1]);
        System.out.printf("rule evaluation off the write path: %.0f us per record signal with 50 rules (incl. queueing 5 matched actions and their history)%n", perSignal);
        return String.format("workflow-rules: %.2f ms p99 added", w[1] - wo[1]);
    }

    private long write(Actor actor, List<Record> deals, int i) {
        Record r = deals.get(i % deals.size());
        JsonNode body = json("{'Amount': " + (i % 100) + ", 'Description': 'w" + i + "'}");
        long t0 = System.nanoTime();
        engine.records().update(actor, "Deals", r.id(), body, null);
        return System.nanoTime() - t0;
    }

    private static double[] percentiles(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new double[] {sorted[sorted.length / 2] / 1e6, sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1e6};
    }
}

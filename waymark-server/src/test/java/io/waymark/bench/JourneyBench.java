package io.waymark.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Waymark;
import io.waymark.action.OutboxEntry;
import io.waymark.action.OutboxStore;
import io.waymark.json.Json;
import io.waymark.record.Record;
import io.waymark.store.JdbcStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code bench/run journeys [N]}: N customers (default 100,000) enter the journey Nurturing →
 * (email.opened) → Surveyed → (survey.responded) → Converted, with a field update on each
 * transition. The figure is signals per second over the 2N signals, from the first append until
 * every transition is committed and every action has run, with the engine running as the server
 * runs it (background dispatcher, two outbox workers). Setup (creating the leads and letting them
 * enter) is not timed. It also reports the database size per instance at rest.
 */
final class JourneyBench {
    static final String JOURNEY = """
            {"name": "Lead nurture", "entry": [{"type": "record_created", "module": "Leads"}], "states": [
              {"key": "Nurturing", "module": "Leads", "transitions": [{"key": "opened", "signal": "email.opened", "to": "Surveyed",
                "actions": [{"type": "field_update", "config": {"field": "Lead_Status", "value": "Contacted"}}]}]},
              {"key": "Surveyed", "module": "Leads", "transitions": [{"key": "responded", "signal": "survey.responded", "to": "Converted",
                "actions": [{"type": "field_update", "config": {"field": "Lead_Status", "value": "Pre-Qualified"}}]}]},
              {"key": "Converted", "end": "success"}]}""";

    private JourneyBench() {
    }

    static String run(JdbcStore store, Waymark engine, Actor admin, int n) throws Exception {
        ObjectNode j = engine.journeys().create(admin, Json.read(JOURNEY));
        UUID id = UUID.fromString(j.get("id").asText());
        engine.journeys().publish(admin, id);
        // H2 has no SKIP LOCKED: two outbox workers would wait on each other's row locks there.
        engine.start(Duration.ofMillis(50), store.databaseKind().equals("postgresql") ? 2 : 1);
        long t0 = System.nanoTime();
        List<String> subjects = new ArrayList<>(n);
        for (int from = 0; from < n; from += 1000) {
            List<JsonNode> batch = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + 1000); i++) {
                batch.add(Json.read("{\"Last_Name\": \"Patel" + i + "\", \"Email\": \"c" + i + "@zylker.example\"}"));
            }
            for (Record r : engine.records().createAll(admin, "Leads", batch)) {
                subjects.add(r.subject());
            }
        }
        waitFor(engine, admin, id, "Nurturing", n);
        System.out.printf("setup: %d customers entered in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
        System.out.println("active, 1 path line each: " + size(store, n));
        long start = System.nanoTime();
        for (String type : List.of("email.opened", "survey.responded")) {
            for (int from = 0; from < n; from += 1000) {
                List<JsonNode> batch = new ArrayList<>();
                for (int i = from; i < Math.min(n, from + 1000); i++) {
                    ObjectNode s = Json.object();
                    s.put("type", type).put("subject", subjects.get(i));
                    s.putObject("payload").put(type.equals("email.opened") ? "template" : "survey", "welcome");
                    batch.add(s);
                }
                ingest(engine, admin, batch);
            }
        }
        long appended = System.nanoTime();
        waitFor(engine, admin, id, "Converted", n);
        long moved = System.nanoTime();
        while (!engine.outbox().list(admin, new OutboxStore.OutboxQuery(OutboxEntry.Status.PENDING, null, null, 1, null)).entries().isEmpty()) {
            Thread.sleep(20);
        }
        long end = System.nanoTime();
        double secs = (end - start) / 1e9;
        System.out.printf("appended 2N=%d signals in %.1f s; all transitions committed at %.1f s; all actions run at %.1f s%n", 2 * n,
                (appended - start) / 1e9, (moved - start) / 1e9, secs);
        long failed = engine.outbox().list(admin, new OutboxStore.OutboxQuery(OutboxEntry.Status.FAILED, null, null, 10, null)).entries().size();
        if (failed > 0) {
            throw new IllegalStateException(failed + " actions failed");
        }
        System.out.println("ended, 3 path lines each: " + size(store, n));
        return String.format("journeys: %.0f signals/s", 2 * n / secs);
    }

    /**
     * {@code bench/run journeys-latency [N] [RATE]}: N customers (default 20,000) enter the same
     * journey (not timed); then one {@code email.opened} per customer is ingested at a fixed RATE
     * (default 1,000 signals/s; the issue asks for half the maximum sustained rate), in batches of
     * RATE/100 every 10 ms, open loop, with the engine running as the server runs it. A poller
     * reads the committed path lines ({@code jr_steps}, by the signal ids it gave) every 2 ms.
     * Latency of a signal: from the time its batch was due to be ingested (so a stall of the
     * sender is counted, not hidden) until the poller first sees its transition committed. The
     * figure is the p99; the poll interval bounds the error (+2 ms plus one poll query).
     */
    static String latency(JdbcStore store, Waymark engine, Actor admin, int n, int rate) throws Exception {
        ObjectNode j = engine.journeys().create(admin, Json.read(JOURNEY));
        UUID id = UUID.fromString(j.get("id").asText());
        engine.journeys().publish(admin, id);
        engine.start(Duration.ofMillis(50), store.databaseKind().equals("postgresql") ? 2 : 1);
        List<String> subjects = new ArrayList<>(n);
        for (int from = 0; from < n; from += 1000) {
            List<JsonNode> batch = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + 1000); i++) {
                batch.add(Json.read("{\"Last_Name\": \"Patel" + i + "\", \"Email\": \"c" + i + "@zylker.example\"}"));
            }
            for (Record r : engine.records().createAll(admin, "Leads", batch)) {
                subjects.add(r.subject());
            }
        }
        waitFor(engine, admin, id, "Nurturing", n);
        // Let the setup's actions and signals settle, so that the paced run starts from a quiet engine.
        while (!engine.outbox().list(admin, new OutboxStore.OutboxQuery(OutboxEntry.Status.PENDING, null, null, 1, null)).entries().isEmpty()) {
            Thread.sleep(20);
        }
        Thread.sleep(1000);
        java.util.Map<UUID, Long> due = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.Map<UUID, Long> seen = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean sending = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread poller = new Thread(() -> {
            try (Connection c = store.dataSource().getConnection();
                 java.sql.PreparedStatement ps = c.prepareStatement(
                         "SELECT signal_id FROM jr_steps WHERE journey_id = ? AND kind = 'transition' AND at >= ?")) {
                c.setAutoCommit(true);
                java.time.Instant window = java.time.Instant.now().minusSeconds(5);
                while (sending.get() || seen.size() < due.size()) {
                    java.time.Instant pollStart = java.time.Instant.now();
                    ps.setObject(1, id);
                    ps.setObject(2, java.time.OffsetDateTime.ofInstant(window, java.time.ZoneOffset.UTC));
                    try (ResultSet rs = ps.executeQuery()) {
                        long now = System.nanoTime();
                        while (rs.next()) {
                            seen.putIfAbsent(rs.getObject(1, UUID.class), now);
                        }
                    }
                    // Path lines carry the time of the decision, before their commit: look back a
                    // while (generously: under a heavy load a delivery transaction can take seconds,
                    // and a line older than the window would never be seen).
                    window = pollStart.minusSeconds(30);
                    Thread.sleep(2);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "latency-poller");
        poller.setDaemon(true);
        poller.start();
        int perTick = Math.max(1, rate / 100);
        long start = System.nanoTime();
        long tick = 10_000_000L * perTick * 100 / rate;
        int sent = 0;
        for (int k = 0; sent < n; k++) {
            long dueAt = start + k * tick;
            long wait = dueAt - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            List<JsonNode> batch = new ArrayList<>();
            for (int i = sent; i < Math.min(n, sent + perTick); i++) {
                UUID sid = io.waymark.Ids.next(java.time.Clock.systemUTC());
                ObjectNode s = Json.object();
                s.put("id", sid.toString()).put("type", "email.opened").put("subject", subjects.get(i));
                s.putObject("payload").put("template", "welcome");
                batch.add(s);
                due.put(sid, dueAt);
            }
            sent += batch.size();
            ingest(engine, admin, batch);
            engine.dispatcher().wake();
        }
        double sendSecs = (System.nanoTime() - start) / 1e9;
        sending.set(false);
        poller.join(120_000);
        if (seen.size() < due.size()) {
            throw new IllegalStateException("only " + seen.size() + " of " + due.size() + " transitions seen");
        }
        long[] lat = due.entrySet().stream().mapToLong(e -> seen.get(e.getKey()) - e.getValue()).sorted().toArray();
        System.out.printf("sent %d email.opened at %.0f signals/s (target %d/s) in %.1f s%n", n, n / sendSecs, rate, sendSecs);
        System.out.printf("arrival to committed transition: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                lat[lat.length / 2] / 1e6, lat[(int) (lat.length * 0.9)] / 1e6, lat[(int) (lat.length * 0.99)] / 1e6, lat[lat.length - 1] / 1e6);
        return String.format("journeys-latency: %.1f ms p99", lat[(int) (lat.length * 0.99)] / 1e6);
    }

    /**
     * {@code bench/run journeys-steps [N]}: the same workload, but each stage run to completion
     * on its own in this thread (no background threads competing): the dispatcher with the
     * journey runner moving every instance, then the outbox running every action, then the
     * dispatcher again over the actions' result signals. Says which stage bounds the figure of
     * {@code journeys}. The figure is the transition stage's signals per second.
     */
    static String steps(Waymark engine, Actor admin, int n) {
        ObjectNode j = engine.journeys().create(admin, Json.read(JOURNEY));
        UUID id = UUID.fromString(j.get("id").asText());
        engine.journeys().publish(admin, id);
        List<String> subjects = new ArrayList<>(n);
        for (int from = 0; from < n; from += 1000) {
            List<JsonNode> batch = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + 1000); i++) {
                batch.add(Json.read("{\"Last_Name\": \"Patel" + i + "\"}"));
            }
            engine.records().createAll(admin, "Leads", batch).forEach(r -> subjects.add(r.subject()));
        }
        long t = System.nanoTime();
        int d = engine.dispatcher().runOnce();
        System.out.printf("entry: %d deliveries (2 consumers) in %.2f s%n", d, (System.nanoTime() - t) / 1e9);
        for (String type : List.of("email.opened", "survey.responded")) {
            for (int from = 0; from < n; from += 1000) {
                List<JsonNode> batch = new ArrayList<>();
                for (int i = from; i < Math.min(n, from + 1000); i++) {
                    ObjectNode s = Json.object();
                    s.put("type", type).put("subject", subjects.get(i));
                    batch.add(s);
                }
                engine.signals().ingest(admin, batch);
            }
        }
        t = System.nanoTime();
        d = engine.dispatcher().runOnce();
        double moved = (System.nanoTime() - t) / 1e9;
        System.out.printf("transitions: %d deliveries (2 consumers) in %.2f s = %.0f signals/s%n", d, moved, 2 * n / moved);
        t = System.nanoTime();
        d = engine.outbox().runDue();
        double ran = (System.nanoTime() - t) / 1e9;
        System.out.printf("actions: %d field updates in %.2f s = %.0f actions/s%n", d, ran, d / ran);
        t = System.nanoTime();
        d = engine.dispatcher().runOnce();
        System.out.printf("results: %d deliveries of action and record signals in %.2f s%n", d, (System.nanoTime() - t) / 1e9);
        if (engine.journeys().counts(admin, id).at("/status/succeeded").asLong() != n) {
            throw new IllegalStateException("not every instance converted: " + engine.journeys().counts(admin, id));
        }
        return String.format("journeys-steps: %.0f signals/s", 2 * n / moved);
    }

    /**
     * Appends a batch, again if the database chose it as a deadlock victim or it timed out on a
     * lock (nothing of it was stored then). The outbox appends its signals partition by partition
     * within one long transaction, while an ingest locks its partitions in order: on PostgreSQL
     * the two can deadlock, and on H2 (2 s lock timeout) the ingest can time out.
     */
    private static void ingest(Waymark engine, Actor admin, List<JsonNode> batch) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                engine.signals().ingest(admin, batch);
                return;
            } catch (IllegalStateException e) {
                String m = String.valueOf(e.getMessage());
                if (attempt >= 10 || !m.contains("deadlock") && !m.contains("Timeout trying to lock")) {
                    throw e;
                }
                System.out.println("ingest chosen as deadlock victim (or timed out on a lock); appending the batch again");
                Thread.sleep(10);
            }
        }
    }

    private static void waitFor(Waymark engine, Actor admin, UUID id, String state, int n) throws InterruptedException {
        long last = -1;
        long since = System.nanoTime();
        while (true) {
            JsonNode a = engine.journeys().counts(admin, id);
            long count = countIn(engine, admin, id, state);
            if (count >= n) {
                return;
            }
            if (count != last) {
                last = count;
                since = System.nanoTime();
            } else if (System.nanoTime() - since > 120_000_000_000L) {
                throw new IllegalStateException("stuck at " + count + " of " + n + " in " + state + " " + a);
            }
            Thread.sleep(50);
        }
    }

    private static long countIn(Waymark engine, Actor admin, UUID id, String state) {
        JsonNode c = engine.journeys().counts(admin, id);
        return state.equals("Converted") ? c.at("/status/succeeded").asLong(0) : c.at("/active/1/" + state).asLong(0);
    }

    /** Bytes of the journey tables (rows and indexes) per instance. */
    private static String size(JdbcStore store, int n) throws Exception {
        try (Connection c = store.dataSource().getConnection(); Statement st = c.createStatement()) {
            if (store.databaseKind().equals("postgresql")) {
                st.execute("VACUUM ANALYZE jr_instances");
                st.execute("VACUUM ANALYZE jr_steps");
                try (ResultSet rs = st.executeQuery("SELECT pg_total_relation_size('jr_instances') + pg_total_relation_size('jr_steps')")) {
                    rs.next();
                    long bytes = rs.getLong(1);
                    return String.format("%d bytes in jr_instances + jr_steps (rows and indexes) = %d bytes per instance", bytes, bytes / n);
                }
            }
            return "size per instance is measured on PostgreSQL only";
        }
    }
}

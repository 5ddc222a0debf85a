package io.waymark.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.waymark.Actor;
import io.waymark.Waymark;
import io.waymark.clock.SettableClock;
import io.waymark.json.Json;
import io.waymark.store.JdbcStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code bench/run cadences [N]}: N leads enrolled by hand in a cadence whose first follow-up (a
 * task) is due a day later; the clock moves a day and the due follow-ups are run: timers fire,
 * the cadence runner decides and enqueues one outbox entry each (the figure), then the outbox
 * creates the tasks. Runs on the engine directly, with a settable clock.
 */
final class CadenceBench {
    private CadenceBench() {
    }

    static String run(JdbcStore store, Waymark engine, SettableClock clock, Actor admin, int n) throws Exception {
        JsonNode c = engine.cadences().create(admin, Json.read("{\"name\": \"Bench\", \"module\": \"Leads\", \"follow_ups\": ["
                + "{\"key\": \"first\", \"type\": \"task\", \"subject\": \"Call back\", \"after\": {\"days\": 1}},"
                + "{\"key\": \"second\", \"type\": \"task\", \"subject\": \"Call again\", \"after\": {\"days\": 3}}]}"));
        UUID id = UUID.fromString(c.get("id").asText());
        engine.cadences().publish(admin, id);
        List<UUID> leads = new ArrayList<>(n);
        for (int from = 0; from < n; from += 1000) {
            List<JsonNode> batch = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + 1000); i++) {
                batch.add(Json.read("{\"Last_Name\": \"Patel" + i + "\"}"));
            }
            engine.records().createAll(admin, "Leads", batch).forEach(r -> leads.add(r.id()));
        }
        engine.dispatcher().runOnce();
        long t = System.nanoTime();
        for (int from = 0; from < n; from += 1000) {
            ArrayNode ids = Json.MAPPER.createArrayNode();
            leads.subList(from, Math.min(n, from + 1000)).forEach(l -> ids.add(l.toString()));
            engine.cadences().enroll(admin, id, Json.object().set("record_ids", ids));
        }
        double enrolled = (System.nanoTime() - t) / 1e9;
        System.out.printf("enrollment: %d records in %.2f s = %.0f/s%n", n, enrolled, n / enrolled);
        clock.advance(Duration.ofDays(1).plusMinutes(1));
        t = System.nanoTime();
        int fired = engine.timers().runDue();
        double firing = (System.nanoTime() - t) / 1e9;
        t = System.nanoTime();
        engine.dispatcher().runOnce();
        double deciding = (System.nanoTime() - t) / 1e9;
        System.out.printf("timers: %d fired in %.2f s; runner: decided and enqueued in %.2f s%n", fired, firing, deciding);
        t = System.nanoTime();
        int ran = engine.outbox().runDue();
        double running = (System.nanoTime() - t) / 1e9;
        System.out.printf("outbox: %d tasks created in %.2f s%n", ran, running);
        engine.runPending();
        long active = engine.cadences().analytics(admin, id).get("active").asLong();
        if (fired != n || ran != n || active != n) {
            throw new IllegalStateException("expected " + n + " fired, run and active; got " + fired + ", " + ran + ", " + active);
        }
        System.out.println(size(store, n));
        double total = firing + deciding;
        return String.format("cadences: %.0f due follow-ups/s (timer fired, decided, outbox entry written; %d enrollments)", n / total, n);
    }

    /**
     * {@code bench/run cadences-enroll [N]}: N leads that match a criteria filter (Lead_Status Not
     * Contacted) among N/10 that do not, then one enrollment by that criteria; the figure is its
     * time. Checks that exactly the N matching were enrolled and that a second request enrolls none.
     */
    static String enroll(JdbcStore store, Waymark engine, Actor admin, int n) throws Exception {
        JsonNode c = engine.cadences().create(admin, Json.read("{\"name\": \"Bench\", \"module\": \"Leads\", \"follow_ups\": ["
                + "{\"key\": \"first\", \"type\": \"task\", \"subject\": \"Call back\", \"after\": {\"days\": 1}},"
                + "{\"key\": \"second\", \"type\": \"task\", \"subject\": \"Call again\", \"after\": {\"days\": 3}}]}"));
        UUID id = UUID.fromString(c.get("id").asText());
        engine.cadences().publish(admin, id);
        long t = System.nanoTime();
        int others = n / 10;
        for (int from = 0; from < n + others; from += 1000) {
            List<JsonNode> batch = new ArrayList<>();
            for (int i = from; i < Math.min(n + others, from + 1000); i++) {
                String status = i % 11 == 10 && i / 11 < others ? "Contacted" : "Not Contacted"; // n of them match, spread among the others
                batch.add(Json.read("{\"Last_Name\": \"Patel" + i + "\", \"Lead_Status\": \"" + status + "\"}"));
            }
            engine.records().createAll(admin, "Leads", batch);
        }
        System.out.printf("created %d leads in %.2f s%n", n + others, (System.nanoTime() - t) / 1e9);
        engine.dispatcher().runOnce();
        JsonNode body = Json.object().put("criteria", "(Lead_Status:equals:Not Contacted)");
        t = System.nanoTime();
        JsonNode counts = engine.cadences().enroll(admin, id, body).get("counts");
        double seconds = (System.nanoTime() - t) / 1e9;
        System.out.printf("enrolled by criteria: %s in %.2f s = %.0f/s%n", counts, seconds, counts.get("enrolled").asLong() / seconds);
        long matching = engine.cadences().analytics(admin, id).get("active").asLong();
        JsonNode again = engine.cadences().enroll(admin, id, body).get("counts");
        System.out.println("again: " + again);
        if (counts.get("enrolled").asLong() != n || matching != n || again.get("already_enrolled").asLong() != n || again.get("enrolled").asLong() != 0) {
            throw new IllegalStateException("expected " + n + " enrolled once; got " + counts + ", active " + matching + ", again " + again);
        }
        System.out.println(size(store, n));
        return String.format("cadences-enroll: %.2f s", seconds);
    }

    private static String size(JdbcStore store, int n) throws Exception {
        try (Connection c = store.dataSource().getConnection(); Statement st = c.createStatement()) {
            if (store.databaseKind().equals("postgresql")) {
                st.execute("VACUUM ANALYZE cad_enrollments");
                try (ResultSet rs = st.executeQuery("SELECT pg_total_relation_size('cad_enrollments')")) {
                    rs.next();
                    long bytes = rs.getLong(1);
                    return String.format("%d bytes in cad_enrollments (rows, TOAST and indexes) = %d bytes per enrollment", bytes, bytes / n);
                }
            }
            return "size per enrollment is measured on PostgreSQL only";
        }
    }

    static SettableClock clock() {
        return new SettableClock(Instant.parse("2026-01-05T09:00:00Z"));
    }
}

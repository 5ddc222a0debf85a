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
 * enter) is not timed, nor is a warm-up round (a tenth of N more customers, 2,000 to 10,000,
 * through the same journey first, so that the figure is that of compiled code). It also reports
 * the database size per instance at rest.
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

    /**
     * The outbox workers: two, as the server starts them on either database (the property
     * {@code waymark.bench.workers} changes it). On H2 this benchmark ran one worker until
     * 2026-12-07, on the belief that two would wait on each other's locks; the claims are split
     * by shard, so they do not, and the server runs two. On this 2-core machine one worker is
     * the faster on H2 (the pipeline is CPU-bound, and a second worker takes CPU from the
     * dispatcher): three pairs in turn gave 3,059 / 3,230 / 2,919 signals/s with two workers
     * against 3,556 / 3,458 / 3,129 with one, about 9% less.
     */
    private static int workers() {
        return Integer.getInteger("waymark.bench.workers", 2);
    }

    static String run(JdbcStore store, Waymark engine, Actor admin, int n) throws Exception {
        ObjectNode j = engine.journeys().create(admin, Json.read(JOURNEY));
        UUID id = UUID.fromString(j.get("id").asText());
        engine.journeys().publish(admin, id);
        engine.start(Duration.ofMillis(50), workers());
        long t0 = System.nanoTime();
        int w = warmUpSize(n);
        List<String> all = customers(engine, admin, n + w);
        waitFor(engine, admin, id, "Nurturing", n + w);
        System.out.printf("setup: %d customers entered in %.1f s%n", n + w, (System.nanoTime() - t0) / 1e9);
        System.out.println("active, 1 path line each: " + size(store, n + w));
        // A sustained rate is that of compiled code: the first round (its own customers, the same
        // work) lets the JIT compile the transition and action paths, and is not counted.
        double warm = round(store, engine, admin, all.subList(n, n + w), null);
        System.out.printf("warm-up: %d customers, %.0f signals/s (not counted)%n", w, 2 * w / warm);
        long[] marks = new long[2];
        H2Writes before = H2Writes.now(store);
        double secs = round(store, engine, admin, all.subList(0, n), marks);
        H2Writes after = H2Writes.now(store);
        System.out.printf("appended 2N=%d signals in %.1f s; all transitions committed at %.1f s; all actions run at %.1f s%n", 2 * n,
                marks[0] / 1e9, marks[1] / 1e9, secs);
        H2Writes.print(before, after, 2L * n);
        if (countIn(engine, admin, id, "Converted") != n + w) {
            throw new IllegalStateException("not every instance converted: " + engine.journeys().counts(admin, id));
        }
        // Each lead got two field updates, in that order: the last one must be the one that stays.
        long last = engine.records().count(admin, "Leads", io.waymark.criteria.CompactCriteria.parse("(Lead_Status:equals:Pre-Qualified)"));
        if (last != n + w) {
            throw new IllegalStateException((n + w - last) + " leads do not hold the value of their last field update");
        }
        long failed = engine.outbox().list(admin, new OutboxStore.OutboxQuery(OutboxEntry.Status.FAILED, null, null, 10, null)).entries().size();
        if (failed > 0) {
            throw new IllegalStateException(failed + " actions failed");
        }
        System.out.println("ended, 3 path lines each: " + size(store, n + w));
        return String.format("journeys: %.0f signals/s", 2 * n / secs);
    }

    /** Customers of the warm-up round: a tenth of N, at least 2,000 and at most 10,000. */
    private static int warmUpSize(int n) {
        Integer set = Integer.getInteger("waymark.bench.journeyWarmup");
        if (set != null) {
            return set;
        }
        return Math.max(2_000, Math.min(10_000, n / 10));
    }

    /** Creates leads (each enters the journey) and returns their subjects, in order. */
    private static List<String> customers(Waymark engine, Actor admin, int count) {
        List<String> subjects = new ArrayList<>(count);
        for (int from = 0; from < count; from += 1000) {
            List<JsonNode> batch = new ArrayList<>();
            for (int i = from; i < Math.min(count, from + 1000); i++) {
                batch.add(Json.read("{\"Last_Name\": \"Patel" + i + "\", \"Email\": \"c" + i + "@zylker.example\"}"));
            }
            for (Record r : engine.records().createAll(admin, "Leads", batch)) {
                subjects.add(r.subject());
            }
        }
        return subjects;
    }

    /**
     * One round: both signals of every given customer appended in batches of 1,000, then waits
     * until every transition is committed and every action has run. Returns the seconds taken;
     * {@code marks}, if given, receives the nanoseconds at which the appends ended and the
     * transitions were all committed.
     */
    private static double round(JdbcStore store, Waymark engine, Actor admin, List<String> subjects, long[] marks) throws Exception {
        long start = System.nanoTime();
        for (String type : List.of("email.opened", "survey.responded")) {
            for (int from = 0; from < subjects.size(); from += 1000) {
                List<JsonNode> batch = new ArrayList<>();
                for (int i = from; i < Math.min(subjects.size(), from + 1000); i++) {
                    ObjectNode s = Json.object();
                    s.put("type", type).put("subject", subjects.get(i));
                    s.putObject("payload").put(type.equals("email.opened") ? "template" : "survey", "welcome");
                    batch.add(s);
                }
                ingest(engine, admin, batch);
            }
        }
        long appended = System.nanoTime();
        delivered(store, heads(store));
        long moved = System.nanoTime();
        while (pending(store)) {
            Thread.sleep(5);
        }
        long end = System.nanoTime();
        if (marks != null) {
            marks[0] = appended - start;
            marks[1] = moved - start;
        }
        return (end - start) / 1e9;
    }

    /**
     * {@code bench/run journeys-latency [N] [RATE]}: N customers (default 20,000) enter the same
     * journey (not timed); then one {@code email.opened} per customer is ingested at a fixed RATE
     * (default 1,000 signals/s; the issue asks for half the maximum sustained rate), in batches of
     * RATE/100 every 10 ms, open loop, with the engine running as the server runs it. A warm-up
     * run at the same rate (its own customers: five seconds' worth, 2,000 to N/4) comes first and
     * is not counted. A poller
     * reads the journey runner's checkpoints every millisecond: a signal's transition is committed
     * in the transaction that moves the checkpoint of its partition past it.
     * Latency of a signal: from the time its batch was due to be ingested (so a stall of the
     * sender is counted, not hidden) until the poller first sees its transition committed. The
     * figure is the p99; the poll interval bounds the error (+1 ms plus one poll query).
     */
    static String latency(JdbcStore store, Waymark engine, Actor admin, int n, int rate) throws Exception {
        ObjectNode j = engine.journeys().create(admin, Json.read(JOURNEY));
        UUID id = UUID.fromString(j.get("id").asText());
        engine.journeys().publish(admin, id);
        engine.start(Duration.ofMillis(50), workers());
        // The warm-up's signals: five seconds at the rate by default; waymark.bench.latencyWarmup sets it.
        int w = Integer.getInteger("waymark.bench.latencyWarmup", Math.max(2_000, Math.min(n / 4, rate * 5)));
        List<String> subjects = customers(engine, admin, n + w);
        waitFor(engine, admin, id, "Nurturing", n + w);
        // The warm-up (its own customers, the same rate, not counted) lets the JIT compile the
        // paths a transition takes; then the measured run, each from a quiet engine.
        settle(store);
        long[] warm = paced(store, engine, admin, subjects.subList(n, n + w), rate, null);
        System.out.printf("warm-up: %d signals, p99 %.1f ms (not counted)%n", w, warm[(int) (warm.length * 0.99)] / 1e6);
        settle(store);
        double[] sendSecs = new double[1];
        // The dispatcher's passes during the measured run: how long each took, what it delivered.
        java.util.Queue<long[]> passes = new java.util.concurrent.ConcurrentLinkedQueue<>();
        long[] lat;
        try (io.waymark.signal.SignalDispatcher.Registration listening = engine.dispatcher().onPass((nanos, deliveries) -> passes.add(new long[] {nanos, deliveries}))) {
            lat = paced(store, engine, admin, subjects.subList(0, n), rate, sendSecs);
        }
        long[] took = passes.stream().mapToLong(p -> p[0]).sorted().toArray();
        if (took.length > 0) {
            System.out.printf("dispatcher passes: %d, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, %.0f deliveries each on average%n", took.length,
                    took[took.length / 2] / 1e6, took[(int) (took.length * 0.9)] / 1e6, took[(int) (took.length * 0.99)] / 1e6,
                    passes.stream().mapToLong(p -> p[1]).average().orElse(0));
        }
        if (engine.journeys().counts(admin, id).at("/active/1/Surveyed").asLong(0) != n + w) {
            throw new IllegalStateException("not every instance moved: " + engine.journeys().counts(admin, id));
        }
        System.out.printf("sent %d email.opened at %.0f signals/s (target %d/s) in %.1f s%n", n, n / sendSecs[0], rate, sendSecs[0]);
        System.out.printf("arrival to committed transition: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                lat[lat.length / 2] / 1e6, lat[(int) (lat.length * 0.9)] / 1e6, lat[(int) (lat.length * 0.99)] / 1e6, lat[lat.length - 1] / 1e6);
        return String.format("journeys-latency: %.1f ms p99", lat[(int) (lat.length * 0.99)] / 1e6);
    }

    /** Waits until no action is pending, then a second more. */
    private static void settle(JdbcStore store) throws Exception {
        while (pending(store)) {
            Thread.sleep(20);
        }
        Thread.sleep(1000);
    }

    /**
     * Sends one {@code email.opened} to each subject at a fixed rate (open loop) and returns the
     * latencies (ns, sorted) from each signal's due time to its committed transition.
     */
    private static long[] paced(JdbcStore store, Waymark engine, Actor admin, List<String> subjects, int rate, double[] sendSecs) throws Exception {
        int n = subjects.size();
        // Per partition, the (seq, due time) of each signal sent, in seq order.
        java.util.Map<Integer, java.util.concurrent.ConcurrentLinkedQueue<long[]>> inFlight = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicInteger sentCount = new java.util.concurrent.atomic.AtomicInteger();
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        // The worst latency of the signals due in each second of the run: shows whether the tail is
        // a steady state or a few stalls.
        java.util.Map<Integer, Long> worst = new java.util.concurrent.ConcurrentSkipListMap<>();
        long start0 = System.nanoTime();
        java.util.concurrent.atomic.AtomicBoolean sending = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread poller = new Thread(() -> {
            // A transition commits in the same transaction that moves the journey runner's
            // checkpoint past its signal, so the signal (partition p, seq n) has moved its instance
            // once the checkpoint of p is at n or beyond. Reading the 64 checkpoints every
            // millisecond costs the database next to nothing (looking for the path lines themselves
            // took more of its time than the journeys did).
            try (Connection c = store.dataSource().getConnection();
                 java.sql.PreparedStatement ps = c.prepareStatement("SELECT partition_no, seq FROM consumer_checkpoints WHERE consumer = ?")) {
                c.setAutoCommit(true);
                ps.setString(1, io.waymark.journey.JourneyRunner.NAME);
                while (sending.get() || latencies.size() < sentCount.get()) {
                    try (ResultSet rs = ps.executeQuery()) {
                        long now = System.nanoTime();
                        while (rs.next()) {
                            java.util.concurrent.ConcurrentLinkedQueue<long[]> q = inFlight.get(rs.getInt(1));
                            long at = rs.getLong(2);
                            while (q != null && q.peek() != null && q.peek()[0] <= at) {
                                long[] done = q.poll();
                                latencies.add(now - done[1]);
                                worst.merge((int) ((done[1] - start0) / 1_000_000_000L), now - done[1], Math::max);
                            }
                        }
                    }
                    Thread.sleep(1);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "latency-poller");
        poller.setDaemon(true);
        poller.start();
        int perTick = Math.max(1, rate / 100);
        List<Long> appends = new ArrayList<>();
        long start = start0;
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
                ObjectNode s = Json.object();
                s.put("type", "email.opened").put("subject", subjects.get(i));
                s.putObject("payload").put("template", "welcome");
                batch.add(s);
            }
            long appendStart = System.nanoTime();
            List<io.waymark.signal.Signal> appended = ingest(engine, admin, batch);
            appends.add(System.nanoTime() - appendStart);
            for (io.waymark.signal.Signal sig : appended) {
                inFlight.computeIfAbsent(sig.partition(), p -> new java.util.concurrent.ConcurrentLinkedQueue<>()).add(new long[] {sig.seq(), dueAt});
                sentCount.incrementAndGet();
            }
            sent += batch.size();
            engine.dispatcher().wake();
        }
        if (sendSecs != null) {
            sendSecs[0] = (System.nanoTime() - start) / 1e9;
        }
        sending.set(false);
        poller.join(120_000);
        if (latencies.size() < n) {
            throw new IllegalStateException("only " + latencies.size() + " of " + n + " transitions seen");
        }
        // How long each append of a tick's batch took (its share of the latency: mostly waiting for
        // partition rows that outbox workers hold until they commit).
        long[] a = appends.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("append of each batch of %d: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", perTick, a[a.length / 2] / 1e6,
                a[(int) (a.length * 0.99)] / 1e6, a[a.length - 1] / 1e6);
        StringBuilder bySecond = new StringBuilder();
        worst.forEach((sec, ns) -> bySecond.append(String.format(" %d", ns / 1_000_000)));
        System.out.println("worst latency of the signals due in each second (ms):" + bySecond);
        return latencies.stream().mapToLong(Long::longValue).sorted().toArray();
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
    private static List<io.waymark.signal.Signal> ingest(Waymark engine, Actor admin, List<JsonNode> batch) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return engine.signals().ingest(admin, batch);
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

    /**
     * Whether any action waits to run. Straight on the due index: the outbox list API (newest
     * first, filtered by status) took 20 ms a call on a table of finished entries, and polling it
     * every few milliseconds took more of the database's time than the actions themselves.
     */
    private static boolean pending(JdbcStore store) throws Exception {
        try (Connection c = store.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT 1 FROM outbox_entries WHERE status = 'pending' FETCH FIRST 1 ROWS ONLY")) {
            return rs.next();
        }
    }

    /** Every partition's head now: the signals appended so far. */
    private static java.util.Map<Integer, Long> heads(JdbcStore store) throws Exception {
        java.util.Map<Integer, Long> heads = new java.util.HashMap<>();
        try (Connection c = store.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT partition_no, head FROM signal_partitions")) {
            while (rs.next()) {
                heads.put(rs.getInt(1), rs.getLong(2));
            }
        }
        return heads;
    }

    /**
     * Waits until the journey runner's checkpoints reach the given heads: every signal appended
     * by then has been delivered to it, so its transitions are committed (the checkpoint moves in
     * the same transaction). Reading 64 checkpoint rows every 5 ms costs the database next to
     * nothing, unlike counting the instances by state (a scan of the table, which the benchmark
     * used to do every 50 ms, taking a tenth of the database's time from the work it measures).
     */
    private static void delivered(JdbcStore store, java.util.Map<Integer, Long> heads) throws Exception {
        long since = System.nanoTime();
        try (Connection c = store.dataSource().getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT partition_no, seq FROM consumer_checkpoints WHERE consumer = ?")) {
            c.setAutoCommit(true);
            ps.setString(1, io.waymark.journey.JourneyRunner.NAME);
            while (true) {
                int behind = 0;
                java.util.Map<Integer, Long> at = new java.util.HashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        at.put(rs.getInt(1), rs.getLong(2));
                    }
                }
                for (java.util.Map.Entry<Integer, Long> h : heads.entrySet()) {
                    if (at.getOrDefault(h.getKey(), 0L) < h.getValue()) {
                        behind++;
                    }
                }
                if (behind == 0) {
                    return;
                }
                if (System.nanoTime() - since > 600_000_000_000L) {
                    throw new IllegalStateException(behind + " partitions not delivered to the journey runner after 10 minutes");
                }
                Thread.sleep(5);
            }
        }
    }

    private static void waitFor(Waymark engine, Actor admin, UUID id, String state, int n) throws InterruptedException {
        long last = -1;
        long since = System.nanoTime();
        while (true) {
            long count = countIn(engine, admin, id, state);
            if (count >= n) {
                return;
            }
            if (count != last) {
                last = count;
                since = System.nanoTime();
            } else if (System.nanoTime() - since > 120_000_000_000L) {
                throw new IllegalStateException("stuck at " + count + " of " + n + " in " + state + " " + engine.journeys().counts(admin, id));
            }
            Thread.sleep(200);
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

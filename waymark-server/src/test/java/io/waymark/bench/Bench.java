package io.waymark.bench;

import io.waymark.Waymark;
import io.waymark.identity.Orgs;
import io.waymark.server.ServerConfig;
import io.waymark.server.WaymarkServer;
import io.waymark.store.JdbcStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The foundation's benchmarks, each over HTTP against a real server in this JVM, on the embedded
 * database (a fresh H2 file database, as a default install runs) or on PostgreSQL when
 * {@code WAYMARK_DB_URL} is set. The last line of output is {@code NAME: <figure> <unit>}. With
 * {@code WAYMARK_BENCH_URL} (and {@code WAYMARK_BENCH_TOKEN}) it only generates load, against a
 * server running in another process.
 *
 * <ul>
 *   <li>{@code records}: bulk creates of 1,000 leads per call from two client threads; records/s,
 *       each record stored with its signal (the timeline reads the signal log).</li>
 *   <li>{@code signals}: external signals appended in batches of 1,000 from two client threads;
 *       signals/s.</li>
 *   <li>{@code record-read}: GET one lead by id at a fixed 500 requests/s (open loop, latency
 *       measured from the intended send time, so a stall is not hidden); p99 in ms.</li>
 *   <li>{@code pathfinder}: XES parsing, graph + variants over 10M events in memory, and live
 *       discovery over 1M signals ({@link PathFinderBench}); seconds of live discovery.</li>
 * </ul>
 */
public final class Bench {
    private static final HttpClient HTTP = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "bench-http");
        t.setDaemon(true);
        return t;
    })).build();

    private final URI base;
    private final String token;

    private Bench(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    /** Every benchmark bench/run knows. */
    static final List<String> NAMES = List.of("records", "signals", "record-read", "visible-list", "login", "timers", "outbox", "workflow-rules", "email", "pathfinder", "journeys", "journeys-steps", "journeys-latency", "blueprint-transitions", "cadences", "cadences-enroll");

    /**
     * With {@code -Dwaymark.bench.queryStats=true} on H2: switches H2's per-statement statistics
     * on ({@code start}) or prints the 25 statements that took the most time (H2's counterpart of
     * PostgreSQL's pg_stat_statements, which needs a server restart to load).
     */
    static void queryStatistics(JdbcStore store, boolean start) {
        if (!Boolean.getBoolean("waymark.bench.queryStats") || !store.databaseKind().equals("h2")) {
            return;
        }
        try (java.sql.Connection c = store.dataSource().getConnection(); java.sql.Statement st = c.createStatement()) {
            if (start) {
                st.execute("SET QUERY_STATISTICS_MAX_ENTRIES 1000");
                st.execute("SET QUERY_STATISTICS TRUE");
                return;
            }
            try (java.sql.ResultSet rs = st.executeQuery("SELECT execution_count, cumulative_execution_time, average_execution_time, "
                    + "cumulative_row_count, sql_statement FROM information_schema.query_statistics ORDER BY cumulative_execution_time DESC LIMIT 25")) {
                System.out.println("calls\ttotal ms\tmean ms\trows\tstatement");
                while (rs.next()) {
                    String sql = rs.getString(5).replaceAll("\\s+", " ");
                    System.out.printf("%d\t%.0f\t%.3f\t%d\t%s%n", rs.getLong(1), rs.getDouble(2), rs.getDouble(3), rs.getLong(4),
                            sql.length() > 600 ? sql.substring(0, 600) : sql);
                }
            }
        } catch (java.sql.SQLException e) {
            System.out.println("query statistics: " + e.getMessage());
        }
    }

    /** After a run: prints H2's statement statistics if asked for, closes the store, removes its files. */
    static void close(JdbcStore store, Path dir) {
        queryStatistics(store, false);
        store.close();
        delete(dir);
    }

    /** Removes the embedded database's directory after a run (null: PostgreSQL, nothing to remove). */
    static void delete(Path dir) {
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // Called in finally blocks: a leftover directory must not hide the run's own error.
                System.err.println("could not remove " + dir + ": " + e);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        String name = args.length > 0 ? args[0] : "";
        if (!NAMES.contains(name)) {
            System.err.println("usage: bench/run " + String.join("|", NAMES) + " [count]");
            System.exit(2);
        }
        String target = System.getenv("WAYMARK_BENCH_URL");
        if (target != null && !target.isBlank() && List.of("visible-list", "login").contains(name)) {
            System.err.println(name + " sets up users through the engine and runs in-process only");
            System.exit(2);
        }
        if (target != null && !target.isBlank()) {
            // Load only, against a server started elsewhere: separates the client's costs from the server's.
            Bench remote = new Bench(URI.create(target), env("WAYMARK_BENCH_TOKEN", ""));
            String figure = null;
            try {
                figure = switch (name) {
                    case "records" -> remote.records(args.length > 1 ? Integer.parseInt(args[1]) : 200_000);
                    case "signals" -> remote.signals(null, args.length > 1 ? Integer.parseInt(args[1]) : 500_000);
                    case "email" -> remote.email(args.length > 1 ? Integer.parseInt(args[1]) : 5_000);
                    default -> remote.recordRead(args.length > 1 ? Integer.parseInt(args[1]) : 15_000);
                };
            } catch (Exception e) {
                e.printStackTrace();
            }
            System.out.println(figure == null ? name + ": failed" : figure);
            System.exit(figure == null ? 1 : 0);
        }
        String url = System.getenv("WAYMARK_DB_URL");
        Path dir = null;
        JdbcStore store;
        if (url != null && !url.isBlank()) {
            store = JdbcStore.open(url, env("WAYMARK_DB_USER", "postgres"), env("WAYMARK_DB_PASSWORD", ""));
        } else {
            dir = Files.createTempDirectory("waymark-bench");
            store = JdbcStore.embedded(dir);
        }
        System.out.println("database: " + store.databaseKind() + (dir == null ? " " + url : " (file) " + dir));
        queryStatistics(store, true);
        if (name.equals("blueprint-transitions")) {
            String figure = null;
            try {
                figure = BpmBench.transitions(store, args.length > 1 ? Integer.parseInt(args[1]) : 2_000);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                close(store, dir);
            }
            System.out.println(figure == null ? name + ": failed" : figure);
            System.exit(figure == null ? 1 : 0);
        }
        if (List.of("timers", "outbox", "workflow-rules").contains(name)) {
            System.exit(automation(name, args, store, dir));
        }
        if (name.equals("cadences-enroll")) {
            // The engine directly (what POST /cadences/{id}/enroll with criteria runs, minus HTTP).
            io.waymark.clock.SettableClock clock = CadenceBench.clock();
            Waymark engine = store.engine(clock);
            Orgs.Created org = engine.orgs().create("Bench " + System.nanoTime(), "bench@example.com", "Bench", null);
            String figure = null;
            try {
                figure = CadenceBench.enroll(store, engine, org.admin(), args.length > 1 ? Integer.parseInt(args[1]) : 100_000);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                engine.close();
                close(store, dir);
            }
            System.out.println(figure == null ? name + ": failed" : figure);
            System.exit(figure == null ? 1 : 0);
        }
        if (name.equals("cadences")) {
            // The engine directly, with a settable clock: the figure is the cadence runtime's.
            io.waymark.clock.SettableClock clock = CadenceBench.clock();
            Waymark engine = store.engine(clock);
            Orgs.Created org = engine.orgs().create("Bench " + System.nanoTime(), "bench@example.com", "Bench", null);
            String figure = null;
            try {
                figure = CadenceBench.run(store, engine, clock, org.admin(), args.length > 1 ? Integer.parseInt(args[1]) : 20_000);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                engine.close();
                close(store, dir);
            }
            System.out.println(figure == null ? name + ": failed" : figure);
            System.exit(figure == null ? 1 : 0);
        }
        Waymark engine = store.engine(Clock.systemUTC());
        if (name.startsWith("journeys")) {
            // The engine directly: the figure is the journey runtime's, not HTTP's.
            Orgs.Created org = engine.orgs().create("Bench " + System.nanoTime(), "bench@example.com", "Bench", null);
            String figure = null;
            try {
                int n = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
                figure = switch (name) {
                    case "journeys" -> JourneyBench.run(store, engine, org.admin(), n);
                    case "journeys-latency" -> JourneyBench.latency(store, engine, org.admin(), args.length > 1 ? n : 20_000,
                            args.length > 2 ? Integer.parseInt(args[2]) : 1_000);
                    default -> JourneyBench.steps(engine, org.admin(), n);
                };
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                engine.close();
                close(store, dir);
            }
            System.out.println(figure == null ? name + ": failed" : figure);
            System.exit(figure == null ? 1 : 0);
        }
        WaymarkServer server = new WaymarkServer(store, engine,
                ServerConfig.ofPort(0).withRateLimit(ServerConfig.RateLimit.NONE)).start();
        Orgs.Created org = engine.orgs().create("Bench " + System.nanoTime(), "bench@example.com", "Bench", null);
        Bench bench = new Bench(URI.create("http://127.0.0.1:" + server.port()), org.token());
        String figure = null;
        try {
            figure = switch (name) {
                case "pathfinder" -> PathFinderBench.run(store, engine, org.admin(), args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000);
                case "records" -> bench.records(args.length > 1 ? Integer.parseInt(args[1]) : 200_000);
                case "signals" -> bench.signals(store, args.length > 1 ? Integer.parseInt(args[1]) : 500_000);
                case "visible-list" -> IdentityBench.visibleList(engine, org, bench.base, args.length > 1 ? Integer.parseInt(args[1]) : 2_000);
                case "login" -> IdentityBench.login(engine, org, bench.base, args.length > 1 ? Integer.parseInt(args[1]) : 50);
                case "email" -> bench.email(args.length > 1 ? Integer.parseInt(args[1]) : 5_000);
                default -> bench.recordRead(args.length > 1 ? Integer.parseInt(args[1]) : 15_000);
            };
        } catch (Exception e) {
            e.printStackTrace();
        } finally {
            server.stop();
            close(store, dir);
        }
        if (figure == null) {
            System.err.println(name + ": failed");
            System.exit(1);
        }
        System.out.println(figure);
        System.exit(0);
    }

    /** The automation runtime's benchmarks ({@link AutomationBench}); returns the exit code. */
    private static int automation(String name, String[] args, JdbcStore store, Path dir) throws IOException {
        String figure = null;
        AutomationBench bench = new AutomationBench(store);
        try {
            Integer count = args.length > 1 ? Integer.parseInt(args[1]) : null;
            figure = switch (name) {
                case "timers" -> bench.timers(count == null ? 100_000 : count);
                case "outbox" -> bench.outbox(count == null ? 20_000 : count);
                default -> bench.workflowRules(count == null ? 3_000 : count);
            };
        } catch (Exception e) {
            e.printStackTrace();
        } finally {
            bench.close();
            close(store, dir);
        }
        System.out.println(figure == null ? name + ": failed" : figure);
        return figure == null ? 1 : 0;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null ? fallback : v;
    }

    private static String leads(int batch, int size, Random random) {
        String[] statuses = {"New", "Contacted", "Pre-Qualified", "Not Contacted"};
        StringBuilder b = new StringBuilder(size * 220).append('[');
        for (int i = 0; i < size; i++) {
            int n = batch * size + i;
            b.append(i == 0 ? "" : ",").append("{\"First_Name\":\"Asha").append(n).append("\",\"Last_Name\":\"Patel").append(n)
                    .append("\",\"Email\":\"asha").append(n).append("@zylker.example\",\"Phone\":\"+91 98450 ").append(10000 + n % 89999)
                    .append("\",\"Company\":\"Zylker Travels ").append(n % 500).append("\",\"Lead_Status\":\"")
                    .append(statuses[random.nextInt(statuses.length)]).append("\",\"Lead_Source\":\"Web Form\",\"No_of_Employees\":")
                    .append(random.nextInt(5000)).append(",\"Annual_Revenue\":").append(random.nextInt(10_000_000)).append(".5}");
        }
        return b.append(']').toString();
    }

    private static String signals(int batch, int size) {
        StringBuilder b = new StringBuilder(size * 120).append('[');
        for (int i = 0; i < size; i++) {
            int n = batch * size + i;
            b.append(i == 0 ? "" : ",").append("{\"type\":\"web.visit\",\"subject\":\"visitor-").append(n % 20_000)
                    .append("\",\"payload\":{\"page\":\"/tours/").append(n % 137).append("\",\"referrer\":\"search\"}}");
        }
        return b.append(']').toString();
    }

    private HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + token);
        if (body != null) {
            r.header("Content-Type", "application/json");
        }
        r.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> resp = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + " -> " + resp.statusCode() + " " + resp.body());
        }
        return resp;
    }

    /** Runs {@code batches} calls from two threads and returns the elapsed nanoseconds. */
    private long twoClients(int batches, BatchCall call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            futures.add(pool.submit(() -> {
                int b;
                while ((b = next.getAndIncrement()) < batches) {
                    call.run(b);
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        long elapsed = System.nanoTime() - start;
        pool.shutdown();
        return elapsed;
    }

    private interface BatchCall {
        void run(int batch) throws Exception;
    }

    /**
     * Calls of 1,000 made before the measured ones of {@code records} and {@code signals}. A
     * profile of the measured part after only 20 of them had the JIT compiler (C2) taking about
     * a third of all CPU time; a sustained rate is that of compiled code. After 100 of them it
     * still took a core: JFR's compilation events show C2 busy for the first 25 s of the JVM
     * (H2's MVStore methods, recompiled several times, are half of it), so the default is 300,
     * about 20 s of load; the table the measured calls write into is then 300,000 rows bigger,
     * which makes each insert dearer, not cheaper.
     */
    private static final int WARM_UP_BATCHES = Integer.getInteger("waymark.bench.warmup", 300);

    /**
     * The warm-up of {@code signals}: 1,000 calls, again about 20 s of load. Since H2's subject
     * index is cut into epochs (V20), 300 calls took 7–10 s, and a profile of the measured part
     * after them had C2 at 31% of all CPU time; after 1,000 at 7%. A bigger table no longer
     * makes an append dearer: 2,000,000 signals after the warm-up went as fast as 500,000.
     */
    private static final int SIGNALS_WARM_UP_BATCHES = Integer.getInteger("waymark.bench.warmup", 1000);

    /** Marks the end of the warm-up on stdout, so that a profiler can be attached to the measured part only. */
    private static void measuring() {
        System.out.println("warm-up done, measuring");
        System.out.flush();
    }

    private String records(int total) throws Exception {
        int size = 1000;
        Random random = new Random(7);
        List<String> bodies = new ArrayList<>();
        int batches = Math.max(1, total / size);
        for (int b = 0; b < batches + WARM_UP_BATCHES; b++) {
            bodies.add(leads(b, size, random));
        }
        twoClients(WARM_UP_BATCHES, b -> send("POST", "/api/v1/records/Leads", bodies.get(batches + b)));
        measuring();
        long nanos = twoClients(batches, b -> send("POST", "/api/v1/records/Leads", bodies.get(b)));
        long stored = Long.parseLong(send("GET", "/api/v1/records/Leads/count", null).body().replaceAll("\\D", ""));
        double rate = batches * (double) size / (nanos / 1e9);
        System.out.printf("created %d leads (after a warm-up of %d) in %.2f s; %d stored in all%n", batches * size, WARM_UP_BATCHES * size, nanos / 1e9, stored);
        return String.format("records: %.0f records/s", rate);
    }

    private String signals(JdbcStore store, int total) throws Exception {
        int size = 1000;
        int batches = Math.max(1, total / size);
        List<String> bodies = new ArrayList<>();
        for (int b = 0; b < batches + SIGNALS_WARM_UP_BATCHES; b++) {
            bodies.add(signals(b, size));
        }
        twoClients(SIGNALS_WARM_UP_BATCHES, b -> send("POST", "/api/v1/signals", bodies.get(batches + b)));
        measuring();
        H2Writes before = H2Writes.now(store);
        long nanos = twoClients(batches, b -> send("POST", "/api/v1/signals", bodies.get(b)));
        H2Writes after = H2Writes.now(store);
        System.out.printf("appended %d signals (after a warm-up of %d) in %.2f s%n", batches * size, SIGNALS_WARM_UP_BATCHES * size, nanos / 1e9);
        H2Writes.print(before, after, (long) batches * size);
        return String.format("signals: %.0f signals/s", batches * (double) size / (nanos / 1e9));
    }

    /**
     * {@code POST /api/v1/email/send} one message at a time from two client threads, to 1,000
     * contacts, through the embedded mail catcher: each renders the template (merge fields, the
     * owner, a lookup), rewrites links, signs three tracking tokens, stores the message and its
     * {@code email.sent} signal. Emails/s.
     */
    private String email(int total) throws Exception {
        String template = io.waymark.json.Json.read(send("POST", "/api/v1/email/templates", "{\"name\":\"Bench " + System.nanoTime()
                + "\",\"module\":\"Contacts\",\"subject\":\"Hello {{Contacts.First_Name}}\",\"html\":\"<p>Dear {{Contacts.First_Name}} "
                + "{{Contacts.Last_Name}},</p><p>{{Owner.Name}} has ideas for {{Contacts.Mailing_City}}: <a href=\\\"https://zylker.example/a\\\">A</a> "
                + "<a href=\\\"https://zylker.example/b\\\">B</a></p>\"}").body()).get("id").asText();
        List<String> ids = new ArrayList<>();
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < 1000; i++) {
            b.append(i == 0 ? "" : ",").append("{\"First_Name\":\"Asha").append(i).append("\",\"Last_Name\":\"Patel\",\"Email\":\"asha")
                    .append(i).append("@zylker.example\",\"Mailing_City\":\"Chennai\"}");
        }
        io.waymark.json.Json.read(send("POST", "/api/v1/records/Contacts", b.append(']').toString()).body()).get("data")
                .forEach(r -> ids.add(r.get("id").asText()));
        String run = Long.toString(System.nanoTime());
        BatchCall one = n -> send("POST", "/api/v1/email/send", "{\"template_id\":\"" + template + "\",\"module\":\"Contacts\",\"record_id\":\""
                + ids.get(n % ids.size()) + "\",\"idempotency_key\":\"" + run + "-" + n + "\"}");
        twoClients(500, n -> one.run(total + n));
        long nanos = twoClients(total, one);
        System.out.printf("sent %d emails through the catcher (after a warm-up of 500) in %.2f s%n", total, nanos / 1e9);
        return String.format("email: %.0f emails/s", total / (nanos / 1e9));
    }

    private String recordRead(int requests) throws Exception {
        Random random = new Random(11);
        List<String> ids = new ArrayList<>();
        for (int b = 0; b < 10; b++) {
            String body = send("POST", "/api/v1/records/Leads", leads(b, 1000, random)).body();
            io.waymark.json.Json.read(body).get("data").forEach(r -> ids.add(r.get("id").asText()));
        }
        int rate = 500;
        long interval = 1_000_000_000L / rate;
        // Warm-up at the same rate, then the measured run.
        openLoop(ids, random, Integer.getInteger("waymark.bench.readWarmup", 2_500), interval);
        long[] latencies = openLoop(ids, random, requests, interval);
        StringBuilder tl = new StringBuilder();
        for (int sec = 0; sec * rate < latencies.length; sec++) {
            long[] w = Arrays.copyOfRange(latencies, sec * rate, Math.min(latencies.length, sec * rate + rate));
            Arrays.sort(w);
            int slow = 0;
            for (long x : w) if (x > 5_000_000) slow++;
            tl.append(String.format(" %d/%.0f", slow, w[w.length - 1] / 1e6));
        }
        System.out.println("per second: requests over 5 ms / max ms:" + tl);
        Arrays.sort(latencies);
        double p50 = latencies[latencies.length / 2] / 1e6;
        double p99 = latencies[(int) Math.ceil(latencies.length * 0.99) - 1] / 1e6;
        double max = latencies[latencies.length - 1] / 1e6;
        System.out.printf("%d GETs at %d/s: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", requests, rate, p50, p99, max);
        return String.format("record-read: %.2f ms p99", p99);
    }

    private long[] openLoop(List<String> ids, Random random, int requests, long interval) throws Exception {
        String[] paths = new String[requests];
        for (int i = 0; i < requests; i++) {
            paths[i] = "/api/v1/records/Leads/" + ids.get(random.nextInt(ids.size()));
        }
        return OpenLoop.run(base, token, requests, interval, 8, i -> paths[i]);
    }
}

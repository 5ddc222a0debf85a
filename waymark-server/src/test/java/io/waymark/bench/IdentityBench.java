package io.waymark.bench;

import io.waymark.Actor;
import io.waymark.Waymark;
import io.waymark.identity.Orgs;
import io.waymark.identity.Role;
import io.waymark.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Benchmarks of identity and access, in-process only (they set up users through the engine).
 *
 * <ul>
 *   <li>{@code visible-list}: 50,000 leads spread over 40 owners; a manager whose role sees
 *       themselves and two reps (7.5% of the leads) reads the first page (50, newest first) of
 *       {@code GET /api/v1/records/Leads} sequentially; p99 ms. The visibility filter is part of
 *       the SQL; the admin's unfiltered page is printed alongside.</li>
 *   <li>{@code login}: sequential {@code POST /api/v1/sessions} with the right password; ms per
 *       login (Argon2id, 19 MiB, 2 passes, dominates by design).</li>
 * </ul>
 */
final class IdentityBench {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private IdentityBench() {
    }

    static String visibleList(Waymark engine, Orgs.Created org, URI base, int requests) throws Exception {
        Actor admin = org.admin();
        UUID ceo = engine.roles().list(admin).stream().filter(r -> r.name().equals(Orgs.TOP_ROLE)).map(Role::id).findFirst().orElseThrow();
        UUID managerRole = engine.roles().create(admin, Json.read("{\"name\":\"Manager\",\"reports_to\":\"" + ceo + "\"}")).id();
        UUID repRole = engine.roles().create(admin, Json.read("{\"name\":\"Rep\",\"reports_to\":\"" + managerRole + "\"}")).id();
        List<UUID> owners = new ArrayList<>();
        UUID manager = user(engine, admin, "manager", managerRole);
        owners.add(manager);
        owners.add(user(engine, admin, "rep1", repRole));
        owners.add(user(engine, admin, "rep2", repRole));
        for (int i = 0; i < 37; i++) {
            owners.add(user(engine, admin, "other" + i, null));
        }
        String managerToken = engine.users().createToken(new Actor(admin.orgId(), manager), Json.read("{\"name\":\"bench\"}")).secret();
        for (int b = 0; b < 50; b++) {
            StringBuilder body = new StringBuilder("[");
            for (int i = 0; i < 1000; i++) {
                int n = b * 1000 + i;
                body.append(i == 0 ? "" : ",").append("{\"Last_Name\":\"Lead").append(n).append("\",\"Company\":\"Co ").append(n % 300)
                        .append("\",\"Owner\":\"").append(owners.get(n % owners.size())).append("\"}");
            }
            send(base, org.token(), "POST", "/api/v1/records/Leads", body.append(']').toString());
        }
        long visible = Long.parseLong(send(base, managerToken, "GET", "/api/v1/records/Leads/count", null).replaceAll("\\D", ""));
        System.out.printf("50000 leads over %d owners; the manager sees %d%n", owners.size(), visible);
        long[] admins = page(base, org.token(), requests);
        long[] managers = page(base, managerToken, requests);
        System.out.printf("admin (all visible): p50 %.2f ms, p99 %.2f ms%n", pct(admins, 0.5), pct(admins, 0.99));
        System.out.printf("manager (role filter in SQL): p50 %.2f ms, p99 %.2f ms%n", pct(managers, 0.5), pct(managers, 0.99));
        return String.format("visible-list: %.2f ms p99", pct(managers, 0.99));
    }

    static String login(Waymark engine, Orgs.Created org, URI base, int logins) throws Exception {
        String password = "bench password 123";
        engine.users().create(org.admin(), Json.read("{\"email\":\"login@bench.example\",\"name\":\"Login\",\"password\":\"" + password + "\"}"));
        String body = "{\"email\":\"login@bench.example\",\"password\":\"" + password + "\"}";
        for (int i = 0; i < 5; i++) {
            send(base, null, "POST", "/api/v1/sessions", body);
        }
        long[] took = new long[logins];
        for (int i = 0; i < logins; i++) {
            long t = System.nanoTime();
            send(base, null, "POST", "/api/v1/sessions", body);
            took[i] = System.nanoTime() - t;
        }
        double mean = Arrays.stream(took).average().orElse(0) / 1e6;
        System.out.printf("%d sequential logins: mean %.1f ms, p99 %.1f ms%n", logins, mean, pct(took, 0.99));
        return String.format("login: %.1f ms per login", mean);
    }

    private static UUID user(Waymark engine, Actor admin, String name, UUID role) {
        return engine.users().create(admin, Json.read("{\"email\":\"" + name + "@bench.example\",\"name\":\"" + name + "\""
                + (role == null ? "" : ",\"role\":\"" + role + "\"") + "}")).id();
    }

    private static long[] page(URI base, String token, int requests) throws Exception {
        for (int i = 0; i < 200; i++) {
            send(base, token, "GET", "/api/v1/records/Leads?limit=50", null);
        }
        long[] took = new long[requests];
        for (int i = 0; i < requests; i++) {
            long t = System.nanoTime();
            send(base, token, "GET", "/api/v1/records/Leads?limit=50", null);
            took[i] = System.nanoTime() - t;
        }
        return took;
    }

    private static double pct(long[] values, double p) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v[Math.max(0, (int) Math.ceil(v.length * p) - 1)] / 1e6;
    }

    private static String send(URI base, String token, String method, String path, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(path));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            r.header("Content-Type", "application/json");
        }
        r.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> resp = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + " -> " + resp.statusCode() + " " + resp.body());
        }
        return resp.body();
    }
}

package io.waymark.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.waymark.Waymark;
import io.waymark.clock.SettableClock;
import io.waymark.identity.Orgs;
import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;
import io.waymark.store.testing.TestDatabases;
import io.waymark.store.testing.TestDb;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Browser sessions (cookie + CSRF token), logins with lockout over HTTP, and the per-token rate limit. */
class SessionsApiTest {
    private static final String PASSWORD = "a good long password";

    private static String cookie(Api.Response login) {
        String setCookie = login.header("Set-Cookie");
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    @BothServers
    void aBrowserSessionNeedsItsCsrfTokenForChangesAndEndsOnLogout(Api api) {
        api.post("/api/v1/users", "{'email': 'browser@example.com', 'name': 'Bea', 'password': '" + PASSWORD + "'}");
        Api.Response login = api.withToken(null).post("/api/v1/sessions", "{'email': 'browser@example.com', 'password': '" + PASSWORD + "'}");
        assertThat(login.status()).as(login.toString()).isEqualTo(201);
        assertThat(login.header("Set-Cookie")).startsWith("waymark_session=wm_").contains("HttpOnly").contains("Secure")
                .contains("SameSite=Strict").contains("Path=/");
        String cookie = cookie(login);
        String csrf = login.json().get("csrf_token").asText();
        Api browser = api.withToken(null);

        assertThat(browser.send("GET", "/api/v1/users/me", null, "Cookie", cookie).json().get("email").asText()).isEqualTo("browser@example.com");
        long before = api.get("/api/v1/records/Leads/count").json().get("count").asLong();
        assertThat(browser.send("POST", "/api/v1/records/Leads", "{'Last_Name': 'X'}", "Cookie", cookie).status()).isEqualTo(403);
        assertThat(browser.send("POST", "/api/v1/records/Leads", "{'Last_Name': 'X'}", "Cookie", cookie, "X-CSRF-Token", "wm_guess").status())
                .isEqualTo(403);
        assertThat(api.get("/api/v1/records/Leads/count").json().get("count").asLong()).isEqualTo(before);
        assertThat(browser.send("POST", "/api/v1/records/Leads", "{'Last_Name': 'X'}", "Cookie", cookie, "X-CSRF-Token", csrf).status())
                .isEqualTo(201);

        Api.Response logout = browser.send("DELETE", "/api/v1/sessions/current", null, "Cookie", cookie, "X-CSRF-Token", csrf);
        assertThat(logout.status()).isEqualTo(204);
        assertThat(logout.header("Set-Cookie")).contains("Max-Age=0");
        assertThat(browser.send("GET", "/api/v1/users/me", null, "Cookie", cookie).status()).isEqualTo(401);
    }

    @BothServers
    void wrongPasswordsAreRefusedAndRepeatedOnesLockTheAccount(Api api) {
        api.post("/api/v1/users", "{'email': 'lock@example.com', 'name': 'Lou', 'password': '" + PASSWORD + "'}");
        Api anon = api.withToken(null);
        for (int i = 0; i < 5; i++) {
            Api.Response r = anon.post("/api/v1/sessions", "{'email': 'lock@example.com', 'password': 'not the password'}");
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.header("Set-Cookie")).isNull();
        }
        Api.Response locked = anon.post("/api/v1/sessions", "{'email': 'lock@example.com', 'password': '" + PASSWORD + "'}");
        assertThat(locked.status()).isEqualTo(429);
        assertThat(locked.header("Retry-After")).isEqualTo("60");
        api.clock().advance(Duration.ofMinutes(1));
        assertThat(anon.post("/api/v1/sessions", "{'email': 'lock@example.com', 'password': '" + PASSWORD + "'}").status()).isEqualTo(201);
        assertThat(api.get("/api/v1/audit?type=login.failed").json().get("data")).hasSize(5);
        assertThat(api.get("/api/v1/audit?type=user.locked").json().get("data")).hasSize(1);
    }

    @Test
    void eachTokenHasItsOwnRateLimitAndIsToldWhenToRetry() throws Exception {
        var store = TestDatabases.get(TestDatabases.H2);
        SettableClock clock = new SettableClock(TestDb.START);
        Waymark engine = store.engine(clock);
        Orgs.Created org = engine.orgs().create("Limited", "admin@limited.example", "Admin", null);
        String second = engine.orgs().issueToken(org.admin(), org.admin().userId(), "second");
        try (WaymarkServer server = new WaymarkServer(store, engine,
                ServerConfig.ofPort(0).withRateLimit(new ServerConfig.RateLimit(3, Duration.ofMinutes(1)))).start()) {
            HttpClient client = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/api/v1/users/me");
            HttpRequest first = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + org.token()).build();
            HttpRequest other = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + second).build();
            for (int i = 0; i < 3; i++) {
                assertThat(client.send(first, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            }
            HttpResponse<String> limited = client.send(first, HttpResponse.BodyHandlers.ofString());
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("Retry-After")).hasValue("20");
            assertThat(limited.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(client.send(other, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            clock.advance(Duration.ofSeconds(20));
            assertThat(client.send(first, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(client.send(first, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(429);
        }
    }
}

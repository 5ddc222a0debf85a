package io.waymark.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Passwords, their hashes, tokens, token hashes and CSRF tokens never appear in logs, API responses or the timeline. */
class SecretsTest {
    private static final String PASSWORD = "Very-Secret-Password-42";

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    @BothServers
    void secretsNeverAppearInLogsResponsesOrTheTimeline(Api api) throws Exception {
        // Every library at its configured level, Waymark's own code at its most verbose.
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger waymark = (Logger) LoggerFactory.getLogger("io.waymark");
        Level level = waymark.getLevel();
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        waymark.setLevel(Level.TRACE);
        List<String> responses = new ArrayList<>();
        List<String> secrets = new ArrayList<>();
        try {
            Api.Response user = api.post("/api/v1/users", "{'email': 'secret@example.com', 'name': 'Sam', 'password': '" + PASSWORD + "'}");
            responses.add(user.body());
            String userId = user.json().get("id").asText();
            Api.Response login = api.withToken(null).post("/api/v1/sessions", "{'email': 'secret@example.com', 'password': '" + PASSWORD + "'}");
            String cookie = login.header("Set-Cookie");
            String session = cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
            String csrf = login.json().get("csrf_token").asText();
            api.withToken(null).post("/api/v1/sessions", "{'email': 'secret@example.com', 'password': 'wrong " + PASSWORD + "'}");
            Api.Response created = api.post("/api/v1/tokens", "{'name': 'ci', 'user': '" + userId + "'}");
            String token = created.json().get("token").asText();
            Api sam = api.withToken(token);
            String lead = sam.post("/api/v1/records/Leads", "{'Last_Name': 'Patel'}").json().get("id").asText();
            responses.add(sam.patch("/api/v1/records/Leads/" + lead, "{'Company': 'Zylker'}").body());
            responses.add(api.withToken(null).send("PUT", "/api/v1/users/" + userId + "/password",
                    "{'password': 'Another-Secret-Password-43', 'current_password': '" + PASSWORD + "'}", "Cookie", "waymark_session=" + session,
                    "X-CSRF-Token", csrf).body());
            for (String path : List.of("/api/v1/users", "/api/v1/users/" + userId, "/api/v1/users/me", "/api/v1/tokens?user=" + userId,
                    "/api/v1/sessions?user=" + userId, "/api/v1/audit?limit=1000", "/api/v1/signals?limit=1000",
                    "/api/v1/records/Leads/" + lead + "/timeline", "/api/v1/records/Leads/" + lead, "/api/v1/records/Leads/export",
                    "/api/v1/profiles", "/api/v1/openapi.json")) {
                Api.Response r = api.get(path);
                assertThat(r.status()).as(path).isEqualTo(200);
                responses.add(r.body());
            }
            responses.add(sam.get("/api/v1/users/me").body());

            String passwordHash;
            try (Connection c = api.running().store().dataSource().getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT password_hash FROM users WHERE id = ?")) {
                ps.setObject(1, java.util.UUID.fromString(userId));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    passwordHash = rs.getString(1);
                }
            }
            assertThat(passwordHash).startsWith("$argon2id$");
            secrets.addAll(List.of(PASSWORD, "Another-Secret-Password-43", passwordHash, passwordHash.substring(passwordHash.lastIndexOf('$') + 1),
                    token, sha256(token), session, sha256(session), csrf, sha256(csrf), api.token(), sha256(api.token())));
        } finally {
            root.detachAppender(logs);
            waymark.setLevel(level);
        }
        StringBuilder logged = new StringBuilder();
        for (ILoggingEvent e : logs.list) {
            logged.append(e.getFormattedMessage()).append(' ').append(e.getMDCPropertyMap()).append(' ');
            if (e.getThrowableProxy() != null) {
                logged.append(e.getThrowableProxy().getMessage());
            }
            logged.append('\n');
        }
        assertThat(logs.list).as("the test captured the server's logs").isNotEmpty();
        assertThat(logged.toString()).contains("audit");
        String all = String.join("\n", responses);
        for (String s : secrets) {
            assertThat(logged.toString()).as("logs").doesNotContain(s);
            assertThat(all).as("responses").doesNotContain(s);
        }
        assertThat(all).doesNotContain("argon2").doesNotContain("password_hash").doesNotContain("token_hash");
    }
}

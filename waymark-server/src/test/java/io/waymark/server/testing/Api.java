package io.waymark.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.Actor;
import io.waymark.clock.SettableClock;
import io.waymark.identity.Orgs;
import io.waymark.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

/**
 * A test's HTTP client: a fresh organisation on a running server, speaking as its admin.
 * JSON bodies may use single quotes for readability; they are turned into double quotes.
 */
public final class Api {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String kind;
    private final ServerInvocations.Running running;
    private final Orgs.Created org;
    private final String token;

    Api(String kind, ServerInvocations.Running running) {
        this(kind, running, running.engine().orgs().create("Org " + UUID.randomUUID().toString().substring(0, 8),
                "admin@example.com", "Ada Admin", null), null);
    }

    private Api(String kind, ServerInvocations.Running running, Orgs.Created org, String token) {
        this.kind = kind;
        this.running = running;
        this.org = org;
        this.token = token == null ? org.token() : token;
    }

    /** A client for a fresh organisation on another running server (one wired to a test mail server, say). */
    public static Api on(String kind, ServerInvocations.Running running) {
        return new Api(kind, running);
    }

    public String kind() {
        return kind;
    }

    public SettableClock clock() {
        return running.clock();
    }

    public ServerInvocations.Running running() {
        return running;
    }

    public Actor admin() {
        return org.admin();
    }

    public String token() {
        return token;
    }

    /** The same organisation, speaking with another token (or none, when null). */
    public Api withToken(String other) {
        return new Api(kind, running, org, other == null ? "" : other);
    }

    /** A client for a different, new organisation on the same server. */
    public Api otherOrg() {
        return new Api(kind, running);
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + running.server().port() + path);
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    public Response post(String path, String json) {
        return send("POST", path, json);
    }

    public Response patch(String path, String json) {
        return send("PATCH", path, json);
    }

    public Response put(String path, String json) {
        return send("PUT", path, json);
    }

    public Response delete(String path) {
        return send("DELETE", path, null);
    }

    public Response send(String method, String path, String json, String... headers) {
        return sendRaw(method, path, json == null ? null : json.replace('\'', '"'), headers);
    }

    /** Sends the body exactly as given (for malformed JSON). */
    public Response sendRaw(String method, String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60));
        if (!token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.setHeader(headers[i], headers[i + 1]);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends raw bytes (an uploaded file) with the given content type. */
    public Response sendBytes(String method, String path, byte[] body, String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60));
        if (!token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        }
        b.header("Content-Type", contentType);
        b.method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A response: status, headers and the body (parsed lazily as JSON). */
    public record Response(int status, HttpHeaders headers, String body) {
        public JsonNode json() {
            return Json.read(body);
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }
}

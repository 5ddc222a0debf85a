package io.waymark.store.integration;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.waymark.Actor;
import io.waymark.Waymark;
import io.waymark.action.ActionContext;
import io.waymark.action.ActionFailure;
import io.waymark.action.ActionType;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.integration.IntegrationSettings;
import io.waymark.json.Json;
import io.waymark.record.Record;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import io.waymark.webhook.AddressGuard;
import io.waymark.webhook.Webhook;
import io.waymark.webhook.Webhooks;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WebhooksTest {

    /** A local HTTP server that records requests and answers with a programmable status. */
    static final class Target implements AutoCloseable {
        record Received(String method, Map<String, List<String>> headers, String body) {
        }

        final HttpServer server;
        final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
        final AtomicInteger status = new AtomicInteger(200);
        volatile long delayMillis;

        Target() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", ex -> {
                String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                received.add(new Received(ex.getRequestMethod(), ex.getRequestHeaders(), body));
                if (delayMillis > 0) {
                    try {
                        Thread.sleep(delayMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                byte[] out = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(status.get(), out.length);
                ex.getResponseBody().write(out);
                ex.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    static Waymark engine(TestDb db) {
        return db.store().engineBuilder(db.clock()).integrationSettings(IntegrationSettings.defaults()
                .withWebhookAllowList(List.of("127.0.0.1")).withWebhookTimeout(Duration.ofMillis(800))).build();
    }

    static ActionContext context(TestDb db, Record r, Webhook w, String key) {
        return new ActionContext(Actor.system(db.admin().orgId()), "Contacts", r.id(), (ObjectNode) json("{'webhook_id': '" + w.id() + "'}"), key, 1,
                db.clock().instant());
    }

    @BothDatabases
    void aJsonWebhookCarriesMergedFieldsASignatureAndTheIdempotencyKey(TestDb db) throws Exception {
        Waymark engine = engine(db);
        try (Target target = new Target()) {
            Webhook w = engine.webhooks().create(db.admin(), json("{'name': 'CRM sync', 'module': 'Contacts', 'url': '" + target.url() + "', "
                    + "'body': {'email': '{{Contacts.Email}}', 'who': {'name': '{{Contacts.First_Name}} \\\"{{Contacts.Last_Name}}\\\"'}, "
                    + "'owner': ['{{Owner.Email}}']}, 'headers': {'X-Team': 'travel'}}"));
            assertThat(w.secret()).startsWith("whsec_");
            Record c = db.engine().records().create(db.admin(), "Contacts", json("{'First_Name': 'Asha', 'Last_Name': 'Pa\\\"tel', 'Email': 'asha@example.com'}"));
            ActionType hook = engine.integrationActions().stream().filter(a -> a.name().equals("webhook")).findFirst().orElseThrow();
            hook.validate(db.admin(), "Contacts", (ObjectNode) json("{'webhook_id': '" + w.id() + "'}"));
            assertThat(hook.execute(context(db, c, w, "outbox-1")).detail().get("status").asInt()).isEqualTo(200);

            Target.Received r = target.received.poll();
            assertThat(r.method()).isEqualTo("POST");
            ObjectNode body = (ObjectNode) Json.read(r.body());
            assertThat(body.get("email").asText()).isEqualTo("asha@example.com");
            assertThat(body.get("who").get("name").asText()).isEqualTo("Asha \"Pa\"tel\"");
            assertThat(body.get("owner").get(0).asText()).isEqualTo("admin@example.com");
            assertThat(r.headers().get("Idempotency-key")).containsExactly("outbox-1");
            assertThat(r.headers().get("X-team")).containsExactly("travel");
            String ts = r.headers().get("X-waymark-timestamp").get(0);
            assertThat(r.headers().get("X-waymark-signature")).containsExactly("sha256=" + Webhooks.sign(w.secret(), ts + "." + r.body()));
        }
    }

    @BothDatabases
    void aFormWebhookWithTheDefaultBodyPostsTheRecord(TestDb db) throws Exception {
        Waymark engine = engine(db);
        try (Target target = new Target()) {
            Webhook w = engine.webhooks().create(db.admin(), json("{'name': 'Form', 'module': 'Contacts', 'url': '" + target.url() + "', "
                    + "'format': 'form', 'method': 'put'}"));
            Record c = db.engine().records().create(db.admin(), "Contacts", json("{'Last_Name': 'Patel & Sons', 'Email': 'p@example.com'}"));
            engine.webhooks().call(db.admin(), w.id(), "Contacts", c.id(), null);
            Target.Received r = target.received.poll();
            assertThat(r.method()).isEqualTo("PUT");
            assertThat(r.headers().get("Content-type").get(0)).startsWith("application/x-www-form-urlencoded");
            assertThat(r.body()).contains("Last_Name=Patel+%26+Sons").contains("id=" + c.id()).contains("webhook=Form");
        }
    }

    @BothDatabases
    void serverErrorsAndTimeoutsAreRetryableClientErrorsAreNot(TestDb db) throws Exception {
        Waymark engine = engine(db);
        try (Target target = new Target()) {
            Webhook w = engine.webhooks().create(db.admin(), json("{'name': 'Flaky', 'module': 'Contacts', 'url': '" + target.url() + "', 'timeout_ms': 300}"));
            Record c = db.engine().records().create(db.admin(), "Contacts", json("{'Last_Name': 'Patel'}"));
            ActionType hook = engine.integrationActions().stream().filter(a -> a.name().equals("webhook")).findFirst().orElseThrow();
            target.status.set(503);
            assertThatThrownBy(() -> hook.execute(context(db, c, w, "k"))).isInstanceOfSatisfying(ActionFailure.class, f -> {
                assertThat(f.retryable()).isTrue();
                assertThat(f.getMessage()).contains("HTTP 503");
            });
            target.status.set(429);
            assertThatThrownBy(() -> hook.execute(context(db, c, w, "k"))).isInstanceOfSatisfying(ActionFailure.class, f -> assertThat(f.retryable()).isTrue());
            target.status.set(422);
            assertThatThrownBy(() -> hook.execute(context(db, c, w, "k"))).isInstanceOfSatisfying(ActionFailure.class, f -> {
                assertThat(f.retryable()).isFalse();
                assertThat(f.getMessage()).contains("HTTP 422");
            });
            target.status.set(302);
            assertThatThrownBy(() -> hook.execute(context(db, c, w, "k"))).isInstanceOfSatisfying(ActionFailure.class, f -> {
                assertThat(f.retryable()).isFalse();
                assertThat(f.getMessage()).contains("redirects are not followed");
            });
            target.status.set(200);
            target.delayMillis = 1_000;
            assertThatThrownBy(() -> hook.execute(context(db, c, w, "k"))).isInstanceOfSatisfying(ActionFailure.class, f -> {
                assertThat(f.retryable()).isTrue();
                assertThat(f.getMessage()).contains("timed out");
            });
            target.delayMillis = 0;
            target.close();
            assertThatThrownBy(() -> hook.execute(context(db, c, w, "k"))).isInstanceOfSatisfying(ActionFailure.class, f -> {
                assertThat(f.retryable()).isTrue();
                assertThat(f.getMessage()).contains("could not reach");
            });
        }
    }

    @BothDatabases
    void privateTargetsAreRefusedWhenSavedAndWhenCalled(TestDb db) throws Exception {
        for (String url : List.of("http://127.0.0.1:9/x", "http://10.1.2.3/x", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data",
                "http://[::1]/x", "http://[fd00::1]/", "http://100.64.0.1/", "http://0.0.0.0/", "http://localhost/", "ftp://example.com/",
                "http://user:pw@8.8.8.8/")) {
            assertThatThrownBy(() -> db.engine().webhooks().create(db.admin(), json("{'name': 'Bad', 'module': 'Contacts', 'url': '" + url + "'}")))
                    .as(url).isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).extracting(FieldError::field).containsExactly("url"));
        }
        assertThat(db.engine().webhooks().list(db.admin(), 50, null).items()).isEmpty();
        // Saved while allowed, refused at call time by an engine whose configuration no longer allows it.
        try (Target target = new Target()) {
            Webhook w = engine(db).webhooks().create(db.admin(), json("{'name': 'Local', 'module': 'Contacts', 'url': '" + target.url() + "'}"));
            Record c = db.engine().records().create(db.admin(), "Contacts", json("{'Last_Name': 'Patel'}"));
            ActionType strict = db.engine().integrationActions().stream().filter(a -> a.name().equals("webhook")).findFirst().orElseThrow();
            assertThatThrownBy(() -> strict.execute(context(db, c, w, "k"))).isInstanceOfSatisfying(ActionFailure.class, f -> {
                assertThat(f.retryable()).isFalse();
                assertThat(f.getMessage()).contains("loopback, private");
            });
            assertThat(target.received).isEmpty();
        }
    }

    @BothDatabases
    void badWebhookDefinitionsNameEachProblem(TestDb db) {
        assertThatThrownBy(() -> engine(db).webhooks().create(db.admin(), json("{'name': 'Bad', 'module': 'Contacts', 'url': 'http://127.0.0.1/', "
                + "'method': 'GET', 'format': 'xml', 'timeout_ms': 5, 'secret': 'short', 'headers': {'Host': 'x'}, "
                + "'body': {'a': '{{Contacts.Nope}}'}, 'colour': 'red'}")))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).extracting(FieldError::field)
                        .containsExactlyInAnyOrder("method", "format", "timeout_ms", "secret", "headers.Host", "body.a", "colour"));
    }

    @Test
    void theGuardKnowsSpecialAddressesAndHonoursTheAllowList() throws Exception {
        AddressGuard strict = new AddressGuard(List.of(), host -> new InetAddress[] {InetAddress.getByName("10.0.0.5")});
        assertThatThrownBy(() -> strict.check(URI.create("https://rebinding.example/x"))).isInstanceOf(AddressGuard.Refused.class);
        AddressGuard ranges = new AddressGuard(List.of("10.0.0.0/24", "hooks.internal"), host -> new InetAddress[] {
            InetAddress.getByName(host.equals("hooks.internal") ? "192.168.7.7" : "10.0.0.5")});
        assertThat(ranges.check(URI.create("https://anything.example/x"))).hasSize(1);
        assertThat(ranges.check(URI.create("https://hooks.internal/x"))).hasSize(1);
        AddressGuard mixed = new AddressGuard(List.of(), host -> new InetAddress[] {InetAddress.getByName("8.8.8.8"), InetAddress.getByName("127.0.0.1")});
        assertThatThrownBy(() -> mixed.check(URI.create("https://mixed.example/"))).as("one private address is enough to refuse")
                .isInstanceOf(AddressGuard.Refused.class);
        for (String a : List.of("8.8.8.8", "1.1.1.1", "2606:4700:4700::1111")) {
            assertThat(AddressGuard.special(InetAddress.getByName(a))).as(a).isFalse();
        }
        for (String a : List.of("127.0.0.2", "10.9.9.9", "172.31.0.1", "192.168.0.1", "169.254.1.1", "100.100.0.1", "0.1.2.3", "224.0.0.1",
                "255.255.255.255", "198.18.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "2001:db8::1")) {
            assertThat(AddressGuard.special(InetAddress.getByName(a))).as(a).isTrue();
        }
    }
}

package io.waymark.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.waymark.Actor;
import io.waymark.error.FieldError;
import io.waymark.identity.Access;
import io.waymark.identity.Capability;
import io.waymark.integration.Definitions;
import io.waymark.integration.IntegrationSettings;
import io.waymark.integration.IntegrationStore;
import io.waymark.integration.MergeFields;
import io.waymark.json.Json;
import io.waymark.record.Metadata;
import io.waymark.record.Module;
import io.waymark.record.ModuleCatalog;
import io.waymark.record.Record;
import io.waymark.record.Records;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Webhook definitions and calls. A definition is validated when saved (the URL against the
 * {@link AddressGuard}, every merge field against the module); a call renders the body for one
 * record, signs it, checks the target's addresses again after a fresh DNS lookup, and sends it
 * with the idempotency key in {@code Idempotency-Key} and {@code X-Waymark-Idempotency-Key}.
 *
 * <p>Signature: {@code X-Waymark-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>}
 * with {@code X-Waymark-Timestamp} in epoch seconds, so a receiver can refuse replays.
 */
public final class Webhooks {
    static final String KIND = "webhook";
    private static final Logger log = LoggerFactory.getLogger(Webhooks.class);
    private static final Set<String> KEYS = Set.of("name", "module", "url", "method", "format", "body", "headers", "secret", "timeout_ms");
    private static final Set<String> METHODS = Set.of("POST", "PUT", "PATCH");
    private static final Set<String> RESTRICTED_HEADERS = Set.of("host", "content-length", "content-type", "connection", "expect", "upgrade",
            "transfer-encoding", "te", "trailer", "idempotency-key", "x-waymark-signature", "x-waymark-timestamp", "x-waymark-idempotency-key",
            "x-waymark-webhook-id");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Definitions definitions;
    private final Metadata metadata;
    private final Records records;
    private final MergeFields merge;
    private final Access access;
    private final IntegrationSettings settings;
    private final AddressGuard guard;
    private final Clock clock;
    private final HttpClient http;

    public Webhooks(Definitions definitions, Metadata metadata, Records records, MergeFields merge, Access access,
                    IntegrationSettings settings, Clock clock) {
        this.definitions = definitions;
        this.metadata = metadata;
        this.records = records;
        this.merge = merge;
        this.access = access;
        this.settings = settings;
        this.guard = new AddressGuard(settings.webhookAllowList());
        this.clock = clock;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.webhookTimeout()).version(HttpClient.Version.HTTP_1_1).build();
    }

    public AddressGuard guard() {
        return guard;
    }

    public Webhook create(Actor actor, JsonNode body) {
        access.require(actor, Capability.MANAGE_INTEGRATIONS);
        ObjectNode in = Definitions.object(body).deepCopy();
        if (!in.hasNonNull("secret")) {
            byte[] b = new byte[24];
            RANDOM.nextBytes(b);
            in.put("secret", "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b));
        }
        ObjectNode v = validate(actor, in);
        return of(definitions.create(actor, KIND, v.get("name").textValue(), v));
    }

    public Webhook update(Actor actor, UUID id, JsonNode body, Long expectedVersion) {
        access.require(actor, Capability.MANAGE_INTEGRATIONS);
        IntegrationStore.Definition old = definitions.get(actor, KIND, id, "webhook");
        ObjectNode v = validate(actor, Definitions.merge(old.body(), Definitions.object(body)));
        return of(definitions.update(actor, old, v.get("name").textValue(), v, expectedVersion));
    }

    public Webhook get(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_INTEGRATIONS);
        return of(definitions.get(actor, KIND, id, "webhook"));
    }

    public record Page(List<Webhook> items, String next) {
    }

    public Page list(Actor actor, int limit, String cursor) {
        access.require(actor, Capability.MANAGE_INTEGRATIONS);
        Definitions.Page p = definitions.list(actor, KIND, limit, cursor);
        return new Page(p.items().stream().map(Webhooks::of).toList(), p.next());
    }

    public void delete(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_INTEGRATIONS);
        definitions.delete(actor, KIND, id, "webhook");
    }

    private ObjectNode validate(Actor actor, ObjectNode in) {
        List<FieldError> errors = new ArrayList<>();
        Definitions.rejectUnknown(in, KEYS, "", errors);
        String name = Definitions.text(in, "name", true, 100, errors);
        String moduleName = Definitions.text(in, "module", true, 50, errors);
        String url = Definitions.text(in, "url", true, 2048, errors);
        String method = Definitions.text(in, "method", false, 10, errors);
        String format = Definitions.text(in, "format", false, 10, errors);
        String secret = Definitions.text(in, "secret", false, 200, errors);
        method = method == null ? "POST" : method.toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            errors.add(new FieldError("method", "must be one of " + new java.util.TreeSet<>(METHODS)));
        }
        format = format == null ? "json" : format.toLowerCase(Locale.ROOT);
        if (!format.equals("json") && !format.equals("form")) {
            errors.add(new FieldError("format", "must be json or form"));
        }
        if (secret != null && secret.length() < 16) {
            errors.add(new FieldError("secret", "must have at least 16 characters"));
        }
        int timeout = (int) settings.webhookTimeout().toMillis();
        JsonNode t = in.get("timeout_ms");
        if (t != null && !t.isNull()) {
            if (!t.canConvertToInt() || !t.isIntegralNumber() || t.intValue() < 100 || t.intValue() > 30_000) {
                errors.add(new FieldError("timeout_ms", "must be a whole number of milliseconds between 100 and 30000"));
            } else {
                timeout = t.intValue();
            }
        }
        if (url != null) {
            try {
                URI uri = new URI(url.strip());
                guard.check(uri);
            } catch (java.net.URISyntaxException e) {
                errors.add(new FieldError("url", "is not a valid URL: " + e.getReason()));
            } catch (AddressGuard.Refused e) {
                errors.add(new FieldError("url", e.getMessage()));
            }
        }
        ModuleCatalog catalog = metadata.catalog(actor.orgId());
        Module module = moduleName == null ? null : catalog.find(moduleName).orElse(null);
        if (moduleName != null && module == null) {
            errors.add(new FieldError("module", "no module named " + moduleName));
        }
        JsonNode body = in.get("body");
        if (body != null && !body.isNull()) {
            if (!body.isObject()) {
                errors.add(new FieldError("body", "must be a JSON object (string values may hold merge fields)"));
            } else if (module != null) {
                checkBody(catalog, module, body, "body", "form".equals(format), errors);
            }
        }
        JsonNode headers = in.get("headers");
        if (headers != null && !headers.isNull()) {
            if (!headers.isObject() || headers.size() > 20) {
                errors.add(new FieldError("headers", "must be an object of at most 20 header names to string values"));
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> it = headers.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> h = it.next();
                    if (!h.getKey().matches("[A-Za-z0-9-]{1,64}") || RESTRICTED_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                        errors.add(new FieldError("headers." + h.getKey(), "is not a header name a webhook may set"));
                    } else if (!h.getValue().isTextual() || h.getValue().textValue().length() > 2000
                            || h.getValue().textValue().matches("(?s).*[\\r\\n].*")) {
                        errors.add(new FieldError("headers." + h.getKey(), "must be a one-line string of at most 2000 characters"));
                    }
                }
            }
        }
        Definitions.throwIfAny("The webhook is invalid", errors);
        ObjectNode out = Json.object();
        out.put("name", name.strip());
        out.put("module", module.apiName());
        out.put("url", url.strip());
        out.put("method", method);
        out.put("format", format);
        out.set("body", body == null || body.isNull() ? null : body);
        out.set("headers", headers == null || headers.isNull() ? Json.object() : headers);
        out.put("secret", in.get("secret").textValue());
        out.put("timeout_ms", timeout);
        return out;
    }

    private static void checkBody(ModuleCatalog catalog, Module module, JsonNode node, String path, boolean flat, List<FieldError> errors) {
        if (node.isTextual()) {
            errors.addAll(MergeFields.check(catalog, module, node.textValue(), path, Set.of("Idempotency_Key")));
        } else if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (flat && !e.getValue().isTextual()) {
                    errors.add(new FieldError(path + "." + e.getKey(), "a form body holds only strings"));
                } else {
                    checkBody(catalog, module, e.getValue(), path + "." + e.getKey(), flat, errors);
                }
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkBody(catalog, module, node.get(i), path + "[" + i + "]", flat, errors);
            }
        }
    }

    /** The answer of a successful call. */
    public record Delivery(int status, String responseSnippet, long millis) {
    }

    /**
     * Calls a webhook about one record.
     *
     * @param idempotencyKey sent along so the receiver can drop repeats; stable across retries
     * @throws WebhookFailedException with {@link WebhookFailedException#retryable()} set as described there
     */
    public Delivery call(Actor actor, UUID webhookId, String module, UUID recordId, String idempotencyKey) {
        Webhook w = get(actor, webhookId);
        if (!w.module().equals(module)) {
            throw new WebhookFailedException("Webhook '" + w.name() + "' is for " + w.module() + ", not " + module, false, 0);
        }
        Module m = records.module(actor, module);
        Record record = records.get(actor, module, recordId);
        Map<String, Object> ctx = merge.context(actor, m, record, Map.of("Idempotency_Key", idempotencyKey == null ? "" : idempotencyKey));
        String body;
        String contentType;
        if (w.format().equals("form")) {
            contentType = "application/x-www-form-urlencoded";
            ObjectNode tpl = w.body() != null ? w.body() : defaultBody(actor, m, record, w, true);
            List<String> pairs = new ArrayList<>();
            tpl.fields().forEachRemaining(e -> pairs.add(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                    + URLEncoder.encode(MergeFields.fill(e.getValue().asText(), ctx, false), StandardCharsets.UTF_8)));
            body = String.join("&", pairs);
        } else {
            contentType = "application/json";
            JsonNode filled = w.body() != null ? fill(w.body(), ctx) : defaultBody(actor, m, record, w, false);
            body = Json.write(filled);
        }
        URI uri = URI.create(w.url());
        try {
            guard.check(uri);
        } catch (AddressGuard.Refused e) {
            log.warn("Webhook {} refused at send time: {}", w.id(), e.getMessage());
            throw new WebhookFailedException("Webhook '" + w.name() + "' target refused: " + e.getMessage(), false, 0);
        }
        long ts = clock.instant().getEpochSecond();
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(w.timeoutMs()))
                .method(w.method(), HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .header("Content-Type", contentType + "; charset=utf-8")
                .header("User-Agent", "Waymark-Webhook/1")
                .header("X-Waymark-Webhook-Id", w.id().toString())
                .header("X-Waymark-Timestamp", Long.toString(ts))
                .header("X-Waymark-Signature", "sha256=" + sign(w.secret(), ts + "." + body));
        if (idempotencyKey != null) {
            rb.header("Idempotency-Key", idempotencyKey).header("X-Waymark-Idempotency-Key", idempotencyKey);
        }
        w.headers().forEach(rb::header);
        long begun = System.nanoTime();
        HttpResponse<String> response;
        try {
            response = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new WebhookFailedException("Webhook '" + w.name() + "' timed out after " + w.timeoutMs() + " ms", true, 0);
        } catch (IOException e) {
            throw new WebhookFailedException("Webhook '" + w.name() + "' could not reach " + uri.getHost() + ": " + e, true, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WebhookFailedException("Webhook '" + w.name() + "' call interrupted", true, 0);
        }
        long millis = (System.nanoTime() - begun) / 1_000_000;
        int status = response.statusCode();
        String snippet = response.body() == null ? "" : response.body().substring(0, Math.min(500, response.body().length()));
        if (status >= 200 && status < 300) {
            return new Delivery(status, snippet, millis);
        }
        boolean retryable = status >= 500 || status == 408 || status == 429;
        String why = status >= 300 && status < 400 ? " (redirects are not followed)" : "";
        throw new WebhookFailedException("Webhook '" + w.name() + "' answered HTTP " + status + why + (snippet.isBlank() ? "" : ": " + snippet),
                retryable, status);
    }

    private ObjectNode defaultBody(Actor actor, Module m, Record record, Webhook w, boolean flat) {
        ObjectNode rendered = records.render(actor, m, List.of(record)).get(0);
        ObjectNode o = Json.object();
        if (flat) {
            o.put("webhook", w.name());
            o.put("module", m.apiName());
            o.put("id", record.id().toString());
            rendered.fields().forEachRemaining(e -> {
                if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                    o.put(e.getKey(), e.getValue().asText());
                }
            });
            return o;
        }
        o.put("webhook", w.name());
        o.put("module", m.apiName());
        o.set("record", rendered);
        return o;
    }

    private static JsonNode fill(JsonNode node, Map<String, Object> ctx) {
        if (node.isTextual()) {
            return TextNode.valueOf(MergeFields.fill(node.textValue(), ctx, false));
        }
        if (node.isObject()) {
            ObjectNode o = Json.object();
            node.fields().forEachRemaining(e -> o.set(e.getKey(), fill(e.getValue(), ctx)));
            return o;
        }
        if (node.isArray()) {
            com.fasterxml.jackson.databind.node.ArrayNode a = Json.MAPPER.createArrayNode();
            node.forEach(x -> a.add(fill(x, ctx)));
            return a;
        }
        return node;
    }

    /** The signature a receiver recomputes: hex HMAC-SHA256 of {@code timestamp + "." + body} with the webhook's secret. */
    public static String sign(String secret, String signedText) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(signedText.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static Webhook of(IntegrationStore.Definition d) {
        ObjectNode b = d.body();
        Map<String, String> headers = new LinkedHashMap<>();
        b.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
        return new Webhook(d.id(), d.name(), b.path("module").asText(), b.path("url").asText(), b.path("method").asText("POST"),
                b.path("format").asText("json"), b.get("body") instanceof ObjectNode o ? o : null, headers, b.path("secret").asText(),
                b.path("timeout_ms").asInt(10_000), d.version(), d.createdAt(), d.modifiedAt());
    }
}

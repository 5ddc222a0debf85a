package io.waymark.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.criteria.Condition;
import io.waymark.criteria.Criteria;
import io.waymark.criteria.Operator;
import io.waymark.error.FieldError;
import io.waymark.error.NotFoundException;
import io.waymark.error.ValidationException;
import io.waymark.identity.Access;
import io.waymark.identity.Capability;
import io.waymark.integration.Definitions;
import io.waymark.integration.IntegrationStore;
import io.waymark.json.Json;
import io.waymark.record.Field;
import io.waymark.record.FieldType;
import io.waymark.record.FieldValues;
import io.waymark.record.Metadata;
import io.waymark.record.Module;
import io.waymark.record.Record;
import io.waymark.record.RecordStore;
import io.waymark.record.Records;
import io.waymark.signal.NewSignal;
import io.waymark.signal.Signal;
import io.waymark.signal.SignalStore;
import io.waymark.tx.Transactor;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Incoming-signal endpoints: an outside system (a booking site, a chat tool, a script) calls a
 * generated URL with a secret key and up to {@link #MAX_PARAMS} typed parameters, and Waymark
 * appends a signal of the endpoint's type with those parameters as payload — tied to a record
 * when an identifying parameter (e.g. an email address) matches one.
 *
 * <p>Definition: {@code {"name", "signal_type", "params": [{"name", "type", "required"}],
 * "match": {"param", "module", "field"}}}. The key is shown once, on creation; only its
 * SHA-256 hash is kept.
 */
public final class SignalEndpoints {
    static final String KIND = "signal_endpoint";
    public static final int MAX_PARAMS = 5;
    private static final Set<String> KEYS = Set.of("name", "signal_type", "params", "match");
    private static final Set<String> TYPES = Set.of("text", "number", "boolean", "email", "date", "datetime");
    private static final Pattern SIGNAL_TYPE = Pattern.compile("^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*){1,4}$");
    private static final Pattern PARAM = Pattern.compile("^[a-z][a-z0-9_]{0,39}$");
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s.]+(\\.[^@\\s.]+)+$");
    private static final Set<String> RESERVED = Set.of("record", "lead", "action", "timer", "email", "form");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Definitions definitions;
    private final IntegrationStore store;
    private final Metadata metadata;
    private final Records records;
    private final SignalStore signals;
    private final Transactor tx;
    private final Clock clock;
    private final Access access;
    private final RateLimiter limiter;
    private final Runnable afterCommit;

    public SignalEndpoints(Definitions definitions, IntegrationStore store, Metadata metadata, Records records, SignalStore signals,
                           Transactor tx, Clock clock, Access access, RateLimiter limiter, Runnable afterCommit) {
        this.definitions = definitions;
        this.store = store;
        this.metadata = metadata;
        this.records = records;
        this.signals = signals;
        this.tx = tx;
        this.clock = clock;
        this.access = access;
        this.limiter = limiter;
        this.afterCommit = afterCommit;
    }

    /** Creates an endpoint; the returned one carries its secret key, which is never shown again. */
    public SignalEndpoint create(Actor actor, JsonNode body) {
        access.require(actor, Capability.MANAGE_INTEGRATIONS);
        ObjectNode v = validate(actor, Definitions.object(body));
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        String secret = "wsk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        v.put("secret_hash", hash(secret));
        SignalEndpoint e = of(definitions.create(actor, KIND, v.get("name").textValue(), v));
        return new SignalEndpoint(e.id(), e.name(), e.signalType(), e.params(), e.match(), secret, e.version(), e.createdAt(), e.modifiedAt());
    }

    public SignalEndpoint update(Actor actor, UUID id, JsonNode body, Long expectedVersion) {
        access.require(actor, Capability.MANAGE_INTEGRATIONS);
        IntegrationStore.Definition old = definitions.get(actor, KIND, id, "signal endpoint");
        ObjectNode base = old.body().deepCopy();
        String hash = base.remove("secret_hash").asText();
        ObjectNode v = validate(actor, Definitions.merge(base, Definitions.object(body)));
        v.put("secret_hash", hash);
        return of(definitions.update(actor, old, v.get("name").textValue(), v, expectedVersion));
    }

    public SignalEndpoint get(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_INTEGRATIONS);
        return of(definitions.get(actor, KIND, id, "signal endpoint"));
    }

    public record Page(List<SignalEndpoint> items, String next) {
    }

    public Page list(Actor actor, int limit, String cursor) {
        access.require(actor, Capability.MANAGE_INTEGRATIONS);
        Definitions.Page p = definitions.list(actor, KIND, limit, cursor);
        return new Page(p.items().stream().map(SignalEndpoints::of).toList(), p.next());
    }

    public void delete(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_INTEGRATIONS);
        definitions.delete(actor, KIND, id, "signal endpoint");
    }

    private ObjectNode validate(Actor actor, ObjectNode in) {
        List<FieldError> errors = new ArrayList<>();
        Definitions.rejectUnknown(in, KEYS, "", errors);
        String name = Definitions.text(in, "name", true, 100, errors);
        String type = Definitions.text(in, "signal_type", true, 100, errors);
        if (type != null && !SIGNAL_TYPE.matcher(type).matches()) {
            errors.add(new FieldError("signal_type", "must be lower-case words joined by dots, e.g. booking.requested"));
        } else if (type != null && RESERVED.contains(type.substring(0, type.indexOf('.')))) {
            errors.add(new FieldError("signal_type", "'" + type + "' is reserved for signals Waymark emits itself"));
        }
        ArrayNode params = Json.MAPPER.createArrayNode();
        Set<String> names = new HashSet<>();
        JsonNode p = in.get("params");
        if (p != null && !p.isNull()) {
            if (!p.isArray() || p.size() > MAX_PARAMS) {
                errors.add(new FieldError("params", "must be a list of at most " + MAX_PARAMS + " parameters"));
            } else {
                for (int i = 0; i < p.size(); i++) {
                    String at = "params[" + i + "]";
                    JsonNode one = p.get(i);
                    if (!one.isObject()) {
                        errors.add(new FieldError(at, "must be an object with name, type and required"));
                        continue;
                    }
                    Definitions.rejectUnknown((ObjectNode) one, Set.of("name", "type", "required"), at + ".", errors);
                    String n = one.path("name").asText("");
                    String t = one.path("type").asText("text");
                    if (!PARAM.matcher(n).matches() || n.equals("key") || n.equals("endpoint")) {
                        errors.add(new FieldError(at + ".name", "must be lower-case letters, digits and _ (not key or endpoint), at most 40"));
                    } else if (!names.add(n)) {
                        errors.add(new FieldError(at + ".name", "'" + n + "' is used twice"));
                    }
                    if (!TYPES.contains(t)) {
                        errors.add(new FieldError(at + ".type", "must be one of " + new java.util.TreeSet<>(TYPES)));
                    }
                    JsonNode req = one.get("required");
                    if (req != null && !req.isBoolean()) {
                        errors.add(new FieldError(at + ".required", "must be true or false"));
                    }
                    ObjectNode o = params.addObject();
                    o.put("name", n);
                    o.put("type", t);
                    o.put("required", req != null && req.asBoolean());
                }
            }
        }
        JsonNode m = in.get("match");
        ObjectNode match = null;
        if (m != null && !m.isNull()) {
            if (!m.isObject()) {
                errors.add(new FieldError("match", "must be an object with param, module and field"));
            } else {
                Definitions.rejectUnknown((ObjectNode) m, Set.of("param", "module", "field"), "match.", errors);
                String param = m.path("param").asText(null);
                String moduleName = m.path("module").asText(null);
                String fieldName = m.path("field").asText(null);
                if (param == null || !names.contains(param)) {
                    errors.add(new FieldError("match.param", "must name one of the parameters"));
                }
                Module module = moduleName == null ? null : metadata.catalog(actor.orgId()).find(moduleName).orElse(null);
                if (module == null) {
                    errors.add(new FieldError("match.module", "no module named " + moduleName));
                } else {
                    Field f = fieldName == null ? null : module.field(fieldName).orElse(null);
                    if (f == null || !(f.type().isText() || f.type() == FieldType.INTEGER)) {
                        errors.add(new FieldError("match.field", "must be a text, email, phone or whole-number field of " + module.apiName()));
                    }
                }
                match = Json.object();
                match.put("param", param);
                match.put("module", moduleName);
                match.put("field", fieldName);
            }
        }
        Definitions.throwIfAny("The signal endpoint is invalid", errors);
        ObjectNode out = Json.object();
        out.put("name", name.strip());
        out.put("signal_type", type);
        out.set("params", params);
        out.set("match", match);
        return out;
    }

    /**
     * Handles a call of the public URL: checks the key, the rate (per endpoint and source) and
     * the parameters, and appends the signal.
     *
     * @param source the caller's address, for rate limiting
     * @throws NotFoundException   for an unknown endpoint or a wrong key (the same answer for both)
     * @throws ValidationException naming each bad parameter
     */
    public Signal receive(UUID endpointId, String key, Map<String, String> params, String source) {
        IntegrationStore.Definition d = endpointId == null ? null : store.definitionAnyOrg(KIND, endpointId).orElse(null);
        if (d == null || key == null || !MessageDigest.isEqual(hash(key).getBytes(StandardCharsets.UTF_8),
                d.body().path("secret_hash").asText().getBytes(StandardCharsets.UTF_8))) {
            throw new NotFoundException("No endpoint at this address, or the key is wrong");
        }
        limiter.take("in|" + d.id() + "|" + source, 120, 600, "calls of this endpoint");
        SignalEndpoint e = of(d);
        Actor system = Actor.system(d.orgId());
        List<FieldError> errors = new ArrayList<>();
        ObjectNode payload = Json.object();
        Set<String> known = new HashSet<>();
        for (SignalEndpoint.Param p : e.params()) {
            known.add(p.name());
            String raw = params.get(p.name());
            if (raw == null || raw.isBlank()) {
                if (p.required()) {
                    errors.add(new FieldError(p.name(), "is required"));
                }
                continue;
            }
            if (raw.indexOf('\0') >= 0) {
                errors.add(new FieldError(p.name(), Json.NUL_MESSAGE));
                continue;
            }
            convert(p, raw.strip(), payload, errors);
        }
        for (String k : params.keySet()) {
            if (!known.contains(k) && !k.equals("key")) {
                errors.add(new FieldError(k, "unknown parameter; expected one of " + new java.util.TreeSet<>(known)));
            }
        }
        Definitions.throwIfAny("Invalid parameters", errors);
        Record record = null;
        String subject = null;
        if (e.match() != null && payload.hasNonNull(e.match().param())) {
            JsonNode value = payload.get(e.match().param());
            RecordStore.RecordPage page = records.list(system, e.match().module(),
                    Criteria.of(List.of(new Condition(e.match().field(), Operator.EQUALS, List.of(value))), null), null, 1, null);
            record = page.records().isEmpty() ? null : page.records().get(0);
            subject = record == null ? e.match().param() + ":" + value.asText().toLowerCase(Locale.ROOT) : record.subject();
        }
        if (subject == null) {
            subject = "endpoint:" + e.name();
        }
        payload.put("endpoint", e.name());
        NewSignal s = new NewSignal(Ids.next(clock), d.orgId(), e.signalType(), subject, record == null ? null : record.module(),
                record == null ? null : record.id(), payload, clock.instant(), null);
        Signal stored = tx.inTransaction(() -> signals.append(List.of(s)).get(0));
        afterCommit.run();
        return stored;
    }

    private static void convert(SignalEndpoint.Param p, String raw, ObjectNode out, List<FieldError> errors) {
        switch (p.type()) {
            case "number" -> {
                try {
                    out.put(p.name(), new BigDecimal(raw));
                } catch (NumberFormatException ex) {
                    errors.add(new FieldError(p.name(), "must be a number"));
                }
            }
            case "boolean" -> {
                String b = raw.toLowerCase(Locale.ROOT);
                if (Set.of("true", "1", "yes", "on").contains(b)) {
                    out.put(p.name(), true);
                } else if (Set.of("false", "0", "no", "off").contains(b)) {
                    out.put(p.name(), false);
                } else {
                    errors.add(new FieldError(p.name(), "must be true or false"));
                }
            }
            case "email" -> {
                if (raw.length() > 254 || !EMAIL.matcher(raw).matches()) {
                    errors.add(new FieldError(p.name(), "must be an email address"));
                } else {
                    out.put(p.name(), raw);
                }
            }
            case "date" -> {
                try {
                    out.put(p.name(), LocalDate.parse(raw).toString());
                } catch (DateTimeParseException ex) {
                    errors.add(new FieldError(p.name(), "must be a date as YYYY-MM-DD"));
                }
            }
            case "datetime" -> {
                Instant t = FieldValues.parseInstant(raw);
                if (t == null) {
                    errors.add(new FieldError(p.name(), "must be a date-time with an offset, e.g. 2026-05-01T09:30:00Z"));
                } else {
                    out.put(p.name(), t.toString());
                }
            }
            default -> {
                if (raw.length() > 1000) {
                    errors.add(new FieldError(p.name(), "is longer than 1000 characters"));
                } else {
                    out.set(p.name(), TextNode.valueOf(raw));
                }
            }
        }
    }

    static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static SignalEndpoint of(IntegrationStore.Definition d) {
        ObjectNode b = d.body();
        List<SignalEndpoint.Param> params = new ArrayList<>();
        b.path("params").forEach(p -> params.add(new SignalEndpoint.Param(p.path("name").asText(), p.path("type").asText(), p.path("required").asBoolean())));
        JsonNode m = b.get("match");
        SignalEndpoint.Match match = m == null || m.isNull() ? null
                : new SignalEndpoint.Match(m.path("param").asText(), m.path("module").asText(), m.path("field").asText());
        return new SignalEndpoint(d.id(), d.name(), b.path("signal_type").asText(), params, match, null, d.version(), d.createdAt(), d.modifiedAt());
    }
}

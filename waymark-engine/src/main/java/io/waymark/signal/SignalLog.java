package io.waymark.signal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.error.FieldError;
import io.waymark.error.PayloadTooLargeException;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import io.waymark.record.Record;
import io.waymark.record.Records;
import io.waymark.tx.Transactor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The one log of everything that happens. Record changes append their signals themselves (in
 * the same transaction as the change); this class takes signals from outside — emails, web
 * visits, chats, calls, forms, custom types — validates them and appends them, and reads the log.
 */
public final class SignalLog {
    /** How many ordered streams the log is split into; a subject always lands in the same one. */
    public static final int PARTITIONS = 64;
    public static final String LEAD_CONVERTED = "lead.converted";
    public static final int MAX_BATCH = 1_000;
    static final int MAX_PAYLOAD_CHARS = 64 * 1024;
    private static final Pattern TYPE = Pattern.compile("^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*){1,4}$");
    private static final Set<String> RESERVED = Set.of("record", "lead", "action", "timer");
    private static final Set<String> KEYS = Set.of("id", "type", "subject", "module", "record_id", "payload", "occurred_at");

    private final SignalStore store;
    private final Records records;
    private final io.waymark.identity.Access access;
    private final Transactor tx;
    private final Clock clock;
    private final List<Runnable> afterCommit = new ArrayList<>();

    public SignalLog(SignalStore store, Records records, io.waymark.identity.Access access, Transactor tx, Clock clock) {
        this.store = store;
        this.records = records;
        this.access = access;
        this.tx = tx;
        this.clock = clock;
    }

    /** The partition of a subject: stable across nodes and restarts. */
    public static int partitionOf(UUID orgId, String subject) {
        long h = orgId.getMostSignificantBits() ^ orgId.getLeastSignificantBits();
        h = h * 31 + subject.hashCode();
        h ^= (h >>> 33);
        h *= 0xff51afd7ed558ccdL;
        h ^= (h >>> 33);
        return (int) Math.floorMod(h, (long) PARTITIONS);
    }

    public void onCommit(Runnable listener) {
        afterCommit.add(listener);
    }

    /**
     * Validates and appends external signals, all or none. Each is an object with {@code type}
     * (dotted lower case; {@code record.*}, {@code lead.*}, {@code action.*}, {@code timer.*} are
     * Waymark's own), a {@code subject} and/or a {@code module} + {@code record_id} (the record's
     * subject is then used), an optional {@code payload} object, {@code occurred_at} and {@code id}
     * (a resend with the same id is stored once).
     */
    public List<Signal> ingest(Actor actor, List<JsonNode> inputs) {
        access.require(actor, io.waymark.identity.Capability.SEND_SIGNALS);
        if (inputs.isEmpty()) {
            throw new ValidationException("Empty batch", List.of(new FieldError("body", "must hold at least one signal")));
        }
        if (inputs.size() > MAX_BATCH) {
            throw new PayloadTooLargeException("At most " + MAX_BATCH + " signals per call, got " + inputs.size());
        }
        boolean bulk = inputs.size() > 1;
        List<FieldError> errors = new ArrayList<>();
        List<NewSignal> news = new ArrayList<>(inputs.size());
        Instant now = clock.instant();
        for (int i = 0; i < inputs.size(); i++) {
            NewSignal s = parse(actor, inputs.get(i), bulk ? "[" + i + "]" : "", now, errors);
            if (s != null) {
                news.add(s);
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors.size() == 1 ? errors.get(0).field() + " " + errors.get(0).message()
                    : errors.size() + " fields are invalid", errors);
        }
        // Only ids a client chose can have been sent before; a batch without any (ids made here,
        // unique by construction) skips the look-up of earlier copies.
        boolean resendable = false;
        for (JsonNode in : inputs) {
            resendable |= in.hasNonNull("id");
        }
        boolean mayRepeat = resendable;
        List<Signal> stored = tx.inTransaction(() -> mayRepeat ? store.appendOnce(news) : store.append(news));
        afterCommit.forEach(Runnable::run);
        return stored;
    }

    private NewSignal parse(Actor actor, JsonNode node, String prefix, Instant now, List<FieldError> errors) {
        if (node == null || !node.isObject()) {
            errors.add(new FieldError(prefix.isEmpty() ? "body" : prefix, "must be a JSON object"));
            return null;
        }
        int before = errors.size();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                errors.add(new FieldError(key(prefix, k), "unknown property; expected one of " + new java.util.TreeSet<>(KEYS)));
            }
        }
        String type = node.path("type").isTextual() ? node.get("type").textValue() : null;
        if (type == null || type.length() > 100 || !TYPE.matcher(type).matches()) {
            errors.add(new FieldError(key(prefix, "type"), "is required: lower-case words joined by dots, e.g. email.opened"));
        } else if (RESERVED.contains(type.substring(0, type.indexOf('.')))) {
            errors.add(new FieldError(key(prefix, "type"), "'" + type + "' is reserved for signals Waymark emits itself"));
        }
        UUID id = null;
        if (node.hasNonNull("id")) {
            id = node.get("id").isTextual() ? Ids.parse(node.get("id").textValue()) : null;
            if (id == null) {
                errors.add(new FieldError(key(prefix, "id"), "must be a UUID"));
            }
        }
        String subject = null;
        if (node.hasNonNull("subject")) {
            JsonNode s = node.get("subject");
            if (!s.isTextual() || s.textValue().isBlank() || s.textValue().length() > 200) {
                errors.add(new FieldError(key(prefix, "subject"), "must be a non-empty string of at most 200 characters"));
            } else if (s.textValue().indexOf('\0') >= 0) {
                errors.add(new FieldError(key(prefix, "subject"), Json.NUL_MESSAGE));
            } else {
                subject = s.textValue();
            }
        }
        String module = null;
        UUID recordId = null;
        if (node.hasNonNull("record_id") || node.hasNonNull("module")) {
            module = node.path("module").isTextual() ? node.get("module").textValue() : null;
            recordId = node.path("record_id").isTextual() ? Ids.parse(node.get("record_id").textValue()) : null;
            if (module == null) {
                errors.add(new FieldError(key(prefix, "module"), "is required with record_id"));
            } else if (recordId == null) {
                errors.add(new FieldError(key(prefix, "record_id"), "must be the id (a UUID) of a record of " + module));
            } else {
                Record r = records.visible(actor, module, recordId);
                if (r == null) {
                    errors.add(new FieldError(key(prefix, "record_id"), "no " + module + " record has id " + recordId));
                } else if (subject != null && !subject.equals(r.subject())) {
                    errors.add(new FieldError(key(prefix, "subject"), "differs from the subject of the record (" + r.subject() + ")"));
                } else {
                    subject = r.subject();
                }
            }
        } else if (!node.hasNonNull("subject")) {
            errors.add(new FieldError(key(prefix, "subject"), "is required (or module and record_id)"));
        }
        ObjectNode payload = Json.object();
        if (node.hasNonNull("payload")) {
            if (!node.get("payload").isObject()) {
                errors.add(new FieldError(key(prefix, "payload"), "must be a JSON object"));
            } else {
                payload = (ObjectNode) node.get("payload");
                String nul = Json.nulAt(payload);
                if (nul != null) {
                    errors.add(new FieldError(key(prefix, "payload") + nul, Json.NUL_MESSAGE));
                } else if (Json.write(payload).length() > MAX_PAYLOAD_CHARS) {
                    errors.add(new FieldError(key(prefix, "payload"), "is larger than " + MAX_PAYLOAD_CHARS / 1024 + " KB"));
                }
            }
        }
        Instant occurred = now;
        if (node.hasNonNull("occurred_at")) {
            Instant t = node.get("occurred_at").isTextual() ? io.waymark.record.FieldValues.parseInstant(node.get("occurred_at").textValue()) : null;
            if (t == null) {
                errors.add(new FieldError(key(prefix, "occurred_at"), "must be a date-time with an offset, e.g. 2026-05-01T09:30:00Z"));
            } else if (t.isAfter(now.plus(Duration.ofDays(1)))) {
                errors.add(new FieldError(key(prefix, "occurred_at"), "is more than a day in the future"));
            } else {
                occurred = t;
            }
        }
        if (errors.size() > before) {
            return null;
        }
        return new NewSignal(id == null ? Ids.next(clock) : id, actor.orgId(), type, subject, module, recordId, payload, occurred,
                actor.userId());
    }

    /**
     * Reads the log of the caller's organisation. The log carries the values of records of every
     * module, so reading it needs {@code read_signals}.
     */
    public SignalPage query(Actor actor, SignalQuery query) {
        access.require(actor, io.waymark.identity.Capability.READ_SIGNALS);
        if (query.limit() < 1 || query.limit() > 1000) {
            throw new ValidationException("Invalid limit", List.of(new FieldError("limit", "must be between 1 and 1000")));
        }
        return store.query(actor.orgId(), query);
    }

    private static String key(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }
}

package io.waymark.integration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.error.ConflictException;
import io.waymark.error.FieldError;
import io.waymark.error.NotFoundException;
import io.waymark.error.ValidationException;
import io.waymark.tx.Transactor;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The life cycle every integration definition shares (templates, webhooks, endpoints, forms):
 * names unique per organisation and kind, versions that grow with every change, optimistic
 * concurrency, pages ordered by id. The caller validates the body first.
 */
public final class Definitions {
    private final IntegrationStore store;
    private final Transactor tx;
    private final Clock clock;

    public Definitions(IntegrationStore store, Transactor tx, Clock clock) {
        this.store = store;
        this.tx = tx;
        this.clock = clock;
    }

    /** One page of definitions and the cursor of the next (null at the end). */
    public record Page(List<IntegrationStore.Definition> items, String next) {
    }

    public IntegrationStore.Definition create(Actor actor, String kind, String name, ObjectNode body) {
        Instant now = clock.instant();
        IntegrationStore.Definition d = new IntegrationStore.Definition(Ids.next(clock), actor.orgId(), kind, name, body, 1, now, now);
        try {
            tx.run(() -> store.insertDefinition(d));
        } catch (IntegrationStore.DuplicateNameException e) {
            throw duplicate(name);
        }
        return d;
    }

    public IntegrationStore.Definition update(Actor actor, IntegrationStore.Definition old, String name, ObjectNode body, Long expectedVersion) {
        if (expectedVersion != null && expectedVersion != old.version()) {
            throw stale(old);
        }
        IntegrationStore.Definition d = new IntegrationStore.Definition(old.id(), old.orgId(), old.kind(), name, body, old.version() + 1,
                old.createdAt(), clock.instant());
        boolean ok;
        try {
            ok = tx.inTransaction(() -> store.updateDefinition(d, old.version()));
        } catch (IntegrationStore.DuplicateNameException e) {
            throw duplicate(name);
        }
        if (!ok) {
            throw stale(old);
        }
        return d;
    }

    public IntegrationStore.Definition get(Actor actor, String kind, UUID id, String label) {
        return store.definition(actor.orgId(), kind, id).orElseThrow(() -> new NotFoundException("No " + label + " has id " + id));
    }

    public Page list(Actor actor, String kind, int limit, String cursor) {
        if (limit < 1 || limit > 1000) {
            throw new ValidationException("Invalid limit", List.of(new FieldError("limit", "must be between 1 and 1000")));
        }
        UUID after = null;
        if (cursor != null) {
            after = Ids.parse(cursor);
            if (after == null) {
                throw new ValidationException("Invalid cursor", List.of(new FieldError("cursor", "is not a cursor this list returned")));
            }
        }
        List<IntegrationStore.Definition> rows = store.definitions(actor.orgId(), kind, limit + 1, after);
        String next = null;
        if (rows.size() > limit) {
            rows = new ArrayList<>(rows.subList(0, limit));
            next = rows.get(limit - 1).id().toString();
        }
        return new Page(rows, next);
    }

    public void delete(Actor actor, String kind, UUID id, String label) {
        if (!tx.inTransaction(() -> store.deleteDefinition(actor.orgId(), kind, id))) {
            throw new NotFoundException("No " + label + " has id " + id);
        }
    }

    private static ConflictException duplicate(String name) {
        return new ConflictException("The name '" + name + "' is already used", List.of(new FieldError("name", "is already used by another definition")));
    }

    private static ConflictException stale(IntegrationStore.Definition old) {
        return new ConflictException("The definition was changed by someone else; read it again and retry",
                List.of(new FieldError("version", "is stale (now " + old.version() + ")")));
    }

    // ---------------------------------------------------------------- input helpers shared by the services

    /** The body as an object, or a validation error. */
    public static ObjectNode object(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new ValidationException("The body must be a JSON object", List.of(new FieldError("body", "must be a JSON object")));
        }
        return (ObjectNode) body;
    }

    /** Adds an error for every key of {@code in} not in {@code allowed}. */
    public static void rejectUnknown(ObjectNode in, Set<String> allowed, String prefix, List<FieldError> errors) {
        for (Iterator<String> it = in.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                errors.add(new FieldError(prefix + k, "unknown property; expected one of " + new java.util.TreeSet<>(allowed)));
            }
        }
    }

    /** A string property: null when absent; an error when present but not a string, blank (if required) or too long. */
    public static String text(ObjectNode in, String key, boolean required, int maxLength, List<FieldError> errors) {
        JsonNode v = in.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                errors.add(new FieldError(key, "is required"));
            }
            return null;
        }
        if (!v.isTextual()) {
            errors.add(new FieldError(key, "must be a string"));
            return null;
        }
        String s = v.textValue();
        if (required && s.isBlank()) {
            errors.add(new FieldError(key, "must not be blank"));
            return null;
        }
        if (s.length() > maxLength) {
            errors.add(new FieldError(key, "is longer than " + maxLength + " characters"));
            return null;
        }
        return s;
    }

    /** Throws the collected errors, if any. */
    public static void throwIfAny(String summary, List<FieldError> errors) {
        if (!errors.isEmpty()) {
            throw new ValidationException(errors.size() == 1 ? errors.get(0).field() + " " + errors.get(0).message() : summary, errors);
        }
    }

    /** {@code patch} applied over {@code base}: keys in the patch replace the base's. */
    public static ObjectNode merge(ObjectNode base, ObjectNode patch) {
        ObjectNode out = base.deepCopy();
        patch.fields().forEachRemaining(e -> out.set(e.getKey(), e.getValue()));
        return out;
    }
}

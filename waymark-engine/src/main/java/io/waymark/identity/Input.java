package io.waymark.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Ids;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.record.FieldValues;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/** Reads a JSON request body of the identity services, collecting every problem before failing. */
final class Input {
    final ObjectNode node;
    final List<FieldError> errors = new ArrayList<>();

    private Input(ObjectNode node) {
        this.node = node;
    }

    /** The body as an object whose keys are all in {@code allowed}. */
    static Input of(JsonNode body, Set<String> allowed) {
        if (body == null || !body.isObject()) {
            throw new ValidationException("Expected a JSON object", List.of(new FieldError("body", "must be a JSON object")));
        }
        Input in = new Input((ObjectNode) body);
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                in.errors.add(new FieldError(k, "unknown property; expected one of " + new TreeSet<>(allowed)));
            }
        }
        return in;
    }

    boolean has(String key) {
        return node.has(key);
    }

    /** A trimmed text of 1 to {@code max} characters; null (with an error when required) if absent. */
    String text(String key, int max, boolean required) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                errors.add(new FieldError(key, "is required"));
            }
            return null;
        }
        if (!v.isTextual() || v.textValue().isBlank() || v.textValue().strip().length() > max) {
            errors.add(new FieldError(key, "must be a non-empty text of at most " + max + " characters"));
            return null;
        }
        return v.textValue().strip();
    }

    /** Raw text (not trimmed), e.g. a password. */
    String raw(String key, boolean required) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                errors.add(new FieldError(key, "is required"));
            }
            return null;
        }
        if (!v.isTextual()) {
            errors.add(new FieldError(key, "must be a text"));
            return null;
        }
        return v.textValue();
    }

    UUID id(String key, boolean required) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                errors.add(new FieldError(key, "is required"));
            }
            return null;
        }
        UUID id = v.isTextual() ? Ids.parse(v.textValue()) : null;
        if (id == null) {
            errors.add(new FieldError(key, "must be an id (a UUID)"));
        }
        return id;
    }

    Boolean bool(String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            errors.add(new FieldError(key, "must be true or false"));
            return null;
        }
        return v.booleanValue();
    }

    Instant instant(String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        Instant t = v.isTextual() ? FieldValues.parseInstant(v.textValue()) : null;
        if (t == null) {
            errors.add(new FieldError(key, "must be a date-time with an offset, e.g. 2026-05-01T09:30:00Z"));
        }
        return t;
    }

    void error(String key, String message) {
        errors.add(new FieldError(key, message));
    }

    /** Throws the collected errors, if any. */
    void check() {
        if (!errors.isEmpty()) {
            throw new ValidationException(errors.size() == 1 ? errors.get(0).field() + " " + errors.get(0).message()
                    : errors.size() + " fields are invalid", errors);
        }
    }
}

package io.waymark.server;

import io.javalin.http.Context;
import io.waymark.Ids;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.record.FieldValues;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Reads path, query and header parameters, naming the parameter when one is unusable. */
final class Params {
    static final int DEFAULT_LIMIT = 50;

    private Params() {
    }

    static int limit(Context ctx) {
        String raw = ctx.queryParam("limit");
        if (raw == null || raw.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            return Integer.parseInt(raw.strip());
        } catch (NumberFormatException e) {
            throw invalid("limit", "must be a whole number between 1 and 1000");
        }
    }

    static String cursor(Context ctx) {
        String c = ctx.queryParam("cursor");
        return c == null || c.isBlank() ? null : c;
    }

    /** A record id from the path; something that is not a UUID is a bad request, not a missing record. */
    static UUID recordId(Context ctx) {
        UUID id = Ids.parse(ctx.pathParam("id"));
        if (id == null) {
            throw invalid("id", "must be a record id (a UUID)");
        }
        return id;
    }

    /** An id from the path; something that is not a UUID is a bad request naming the parameter, not a missing object. */
    static UUID pathId(Context ctx, String name) {
        UUID id = Ids.parse(ctx.pathParam(name));
        if (id == null) {
            throw invalid(name, "must be an id (a UUID)");
        }
        return id;
    }

    /** An optional whole-number query parameter (e.g. the {@code revision} a change names). */
    static Long longQuery(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(raw.strip());
        } catch (NumberFormatException e) {
            throw invalid(name, "must be a whole number");
        }
    }

    static UUID uuidQuery(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isBlank()) {
            return null;
        }
        UUID id = Ids.parse(raw.strip());
        if (id == null) {
            throw invalid(name, "must be a UUID");
        }
        return id;
    }

    static Instant instantQuery(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isBlank()) {
            return null;
        }
        // An unencoded '+' in an offset arrives as a space; take it back.
        Instant t = FieldValues.parseInstant(raw.strip().replace(' ', '+'));
        if (t == null) {
            throw invalid(name, "must be a date-time with an offset, e.g. 2026-05-01T09:30:00Z");
        }
        return t;
    }

    static String text(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        return raw == null || raw.isBlank() ? null : raw.strip();
    }

    /**
     * The version a write expects: the {@code If-Match} header ({@code "3"}, {@code W/"3"} or
     * {@code 3}), else the {@code version} query parameter; null when neither is given.
     */
    static Long expectedVersion(Context ctx) {
        String ifMatch = ctx.header("If-Match");
        if (ifMatch != null && !ifMatch.isBlank() && !ifMatch.strip().equals("*")) {
            String v = ifMatch.strip();
            if (v.startsWith("W/")) {
                v = v.substring(2);
            }
            v = v.replace("\"", "");
            return version(v, "If-Match");
        }
        String q = ctx.queryParam("version");
        return q == null || q.isBlank() ? null : version(q.strip(), "version");
    }

    static String etag(long version) {
        return "\"" + version + "\"";
    }

    private static long version(String raw, String name) {
        try {
            long v = Long.parseLong(raw);
            if (v < 1) {
                throw invalid(name, "must be a record version (a positive whole number)");
            }
            return v;
        } catch (NumberFormatException e) {
            throw invalid(name, "must be a record version (a positive whole number)");
        }
    }

    static ValidationException invalid(String name, String message) {
        return new ValidationException("Invalid " + name + ": " + message, List.of(new FieldError(name, message)));
    }
}

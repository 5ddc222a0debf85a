package io.waymark.server;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.javalin.http.Context;
import io.waymark.error.FieldError;
import io.waymark.error.PayloadTooLargeException;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a request body as JSON. The engine validates content; this only makes sure there is
 * well-formed JSON of the right media type, within the size limit.
 */
final class JsonBody {
    /** Trailing garbage after the document is an error too, not silently ignored. */
    private static final ObjectReader READER = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonBody() {
    }

    /** The body, which must be present. */
    static JsonNode required(Context ctx, long maxSize) {
        JsonNode node = optional(ctx, maxSize);
        if (node.isMissingNode()) {
            throw new ValidationException("A JSON body is required", List.of(new FieldError("body", "is required")));
        }
        return node;
    }

    /** The body, or a missing node when the request has none. */
    static JsonNode optional(Context ctx, long maxSize) {
        byte[] bytes = read(ctx, maxSize);
        if (isBlank(bytes)) {
            return MissingNode.getInstance();
        }
        if (!isJson(ctx.contentType())) {
            throw new ApiProblem(415, "Unsupported media type", "Send the body as application/json (got "
                    + (ctx.contentType() == null ? "no Content-Type" : ctx.contentType()) + ")");
        }
        try {
            JsonNode node = READER.readTree(bytes);
            // Walked for every body: a UTF-16 or UTF-32 body, or overlong UTF-8, carries a NUL without the escape's bytes.
            String nul = Json.nulAt(node);
            if (nul != null) {
                // PostgreSQL stores no text with U+0000 in it: refused here, for every route and on every database alike.
                if (node.isArray() && node.size() == 1 && nul.startsWith("[0]")) {
                    nul = nul.substring(3); // a batch of one names its fields as a single item does, as the engine does
                }
                String field = nul.isEmpty() ? "body" : nul.startsWith(".") ? nul.substring(1) : nul;
                throw new ValidationException("The body holds a NUL character", List.of(new FieldError(field, Json.NUL_MESSAGE)));
            }
            return node;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new ValidationException("Malformed JSON" + where, List.of(new FieldError("body", "malformed JSON" + where + ": " + e.getOriginalMessage())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Refuses a query or path parameter holding a NUL character (U+0000), naming it: PostgreSQL
     * takes no text with one, even to compare, so such a look-up would fail there with a 500.
     */
    static void refuseNulInParameters(Context ctx) {
        for (java.util.Map.Entry<String, List<String>> e : ctx.queryParamMap().entrySet()) {
            if (e.getKey().indexOf('\0') >= 0 || e.getValue().stream().anyMatch(v -> v.indexOf('\0') >= 0)) {
                throw nulIn(e.getKey());
            }
        }
        for (java.util.Map.Entry<String, String> e : ctx.pathParamMap().entrySet()) {
            if (e.getValue().indexOf('\0') >= 0) {
                throw nulIn(e.getKey());
            }
        }
    }

    private static ValidationException nulIn(String parameter) {
        String field = parameter.replace("\0", "\\u0000");
        return new ValidationException(field + " " + Json.NUL_MESSAGE, List.of(new FieldError(field, Json.NUL_MESSAGE)));
    }

    /** The elements of a JSON array, or the node itself as a one-element list. */
    static List<JsonNode> items(JsonNode node) {
        List<JsonNode> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(out::add);
        } else {
            out.add(node);
        }
        return out;
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || type.startsWith("application/") && type.endsWith("+json");
    }

    /** The body's bytes, at most {@code maxSize} of them (else 413), whatever its media type. */
    static byte[] read(Context ctx, long maxSize) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxSize) {
            throw tooLarge(maxSize);
        }
        // A chunked body declares no length, so the limit is also enforced while reading.
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] bytes = in.readNBytes((int) Math.min(maxSize + 1, Integer.MAX_VALUE - 8));
            if (bytes.length > maxSize) {
                throw tooLarge(maxSize);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PayloadTooLargeException tooLarge(long maxSize) {
        return new PayloadTooLargeException("The request body is larger than " + maxSize / (1024 * 1024) + " MB");
    }

    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }
}

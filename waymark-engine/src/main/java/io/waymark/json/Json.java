package io.waymark.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.UncheckedIOException;

/** The one JSON configuration shared by the engine, the store and the server. */
public final class Json {
    /** Thread-safe; do not reconfigure. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    private Json() {
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code value} as UTF-8 JSON bytes, for a response body: written straight to bytes, it skips
     * the string that {@link #write} builds and the encoding of that string again (for a batch of
     * 1,000 signals echoed by the ingest, about a quarter of the time of writing the body).
     */
    public static byte[] writeBytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The message of a field refused for holding a NUL character, the same wherever it is checked. */
    public static final String NUL_MESSAGE = "must not contain NUL characters (\\u0000)";

    /**
     * Where {@code node} holds a NUL character (U+0000) in a string or a key, as a path in the
     * API's field style ({@code .payload.text}, {@code [2].note}, relative to {@code node}; empty
     * for the node itself), or null if it holds none. PostgreSQL stores neither text nor
     * {@code jsonb} with NUL in it, so such input is refused up front, on every database alike.
     */
    public static String nulAt(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue().indexOf('\0') >= 0 ? "" : null;
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String at = nulAt(node.get(i));
                if (at != null) {
                    return "[" + i + "]" + at;
                }
            }
        } else if (node.isObject()) {
            for (java.util.Iterator<java.util.Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                java.util.Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().indexOf('\0') >= 0) {
                    return "." + e.getKey().replace("\0", "\\u0000");
                }
                String at = nulAt(e.getValue());
                if (at != null) {
                    return "." + e.getKey() + at;
                }
            }
        }
        return null;
    }

    /**
     * {@code text} with each NUL character replaced by U+FFFD, for text that comes from outside
     * systems (mail, remote responses) and is kept rather than refused; null stays null.
     */
    public static String scrubNul(String text) {
        return text == null || text.indexOf('\0') < 0 ? text : text.replace('\0', '\uFFFD');
    }

    public static JsonNode read(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.waymark.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.javalin.http.Context;
import io.waymark.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The OpenAPI 3.1 description of the API. It is written by hand as YAML (readable in review)
 * and served as JSON, converted once at start-up.
 */
final class OpenApiDocument {
    static final String RESOURCE = "/openapi.yaml";

    private final String json;

    OpenApiDocument() {
        this.json = Json.write(load());
    }

    /** The document as a tree, e.g. for tests that check it covers every route. */
    static JsonNode load() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("Missing resource " + RESOURCE);
            }
            return new YAMLMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void serve(Context ctx) {
        ctx.contentType(Responses.JSON);
        ctx.result(json);
    }
}

package io.waymark.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.waymark.json.Json;
import java.util.Collection;

/** Writes JSON responses through the shared mapper, and the list envelope. */
final class Responses {
    static final String JSON = "application/json";

    private Responses() {
    }

    static void json(Context ctx, int status, JsonNode body) {
        ctx.status(status);
        ctx.contentType(JSON);
        ctx.result(Json.writeBytes(body));
    }

    /** {@code {"data": [...]}}, plus {@code next_cursor} for paged lists. */
    static ObjectNode list(Collection<? extends JsonNode> items) {
        ObjectNode o = Json.object();
        ArrayNode data = o.putArray("data");
        items.forEach(data::add);
        return o;
    }

    static ObjectNode page(Collection<? extends JsonNode> items, String next) {
        ObjectNode o = list(items);
        o.put("next_cursor", next);
        return o;
    }

    static void noContent(Context ctx) {
        ctx.status(204);
    }
}

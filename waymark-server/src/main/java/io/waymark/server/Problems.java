package io.waymark.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.waymark.error.FieldError;
import io.waymark.json.Json;
import java.util.List;

/** Writes RFC 9457 problem details, the one shape every error response has. */
final class Problems {
    static final String CONTENT_TYPE = "application/problem+json";

    private Problems() {
    }

    static ObjectNode body(int status, String title, String detail, List<FieldError> errors) {
        ObjectNode o = Json.object();
        o.put("type", "about:blank");
        o.put("title", title);
        o.put("status", status);
        o.put("detail", detail == null || detail.isBlank() ? title : detail);
        if (!errors.isEmpty()) {
            ArrayNode a = o.putArray("errors");
            for (FieldError e : errors) {
                ObjectNode fe = a.addObject();
                fe.put("field", e.field());
                fe.put("message", e.message());
            }
        }
        return o;
    }

    static void send(Context ctx, int status, String title, String detail, List<FieldError> errors) {
        ctx.status(status);
        ctx.contentType(CONTENT_TYPE);
        ctx.result(Json.writeBytes(body(status, title, detail, errors)));
        if (status == 401) {
            // RFC 6750: tell the client which scheme to use.
            ctx.header("WWW-Authenticate", "Bearer");
        }
    }

    static void send(Context ctx, int status, String detail) {
        send(ctx, status, title(status), detail, List.of());
    }

    /** The short, fixed title of a status that has no engine exception behind it. */
    static String title(int status) {
        return switch (status) {
            case 400 -> "Invalid input";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not found";
            case 405 -> "Method not allowed";
            case 406 -> "Not acceptable";
            case 408 -> "Request timeout";
            case 409 -> "Conflict";
            case 413 -> "Payload too large";
            case 414 -> "URI too long";
            case 415 -> "Unsupported media type";
            case 422 -> "Not allowed now";
            case 429 -> "Too many requests";
            case 431 -> "Request header fields too large";
            case 500 -> "Internal server error";
            case 503 -> "Service unavailable";
            default -> status >= 500 ? "Server error" : "Request error";
        };
    }
}

package io.waymark.action;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.json.Json;

/** The outcome of a successful action; {@code detail} goes into the {@code action.succeeded} signal. */
public record ActionResult(ObjectNode detail) {
    public static ActionResult ok() {
        return new ActionResult(Json.MAPPER.createObjectNode());
    }
}

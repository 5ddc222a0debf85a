package io.waymark.action;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.json.Json;

/**
 * One action as a definition stores it: {@code {"type": "field_update", "config": {...}}}, its
 * config already validated by its {@link ActionType}.
 */
public record ActionDefinition(String type, ObjectNode config) {
    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("type", type);
        o.set("config", config.deepCopy());
        return o;
    }
}

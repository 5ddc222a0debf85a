package io.waymark.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.json.Json;
import io.waymark.signal.Signal;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;

/** The JSON forms of a signal: as the signal API returns it, and as a timeline entry. */
final class SignalJson {
    private SignalJson() {
    }

    static ObjectNode signal(Signal s) {
        ObjectNode o = Json.object();
        o.put("id", s.id().toString());
        o.put("type", s.type());
        o.put("subject", s.subject());
        o.put("module", s.module());
        o.put("record_id", str(s.recordId()));
        o.set("payload", s.payload() == null ? Json.object() : s.payload());
        o.put("occurred_at", s.occurredAt().toString());
        o.put("recorded_at", s.recordedAt() == null ? null : s.recordedAt().toString());
        o.put("actor", str(s.actor()));
        o.put("partition", s.partition());
        o.put("seq", s.seq());
        return o;
    }

    /**
     * One entry of a record's timeline. {@code changes} lists field changes uniformly: updates
     * carry them in their payload; a creation is told as every field going from null to its
     * first value, so a client can render both the same way.
     */
    static ObjectNode timelineEntry(Signal s) {
        ObjectNode o = Json.object();
        o.put("id", s.id().toString());
        o.put("type", s.type());
        o.put("at", s.occurredAt().toString());
        o.put("actor", str(s.actor()));
        ObjectNode payload = s.payload() == null ? Json.object() : s.payload();
        JsonNode changes = payload.get("changes");
        if (changes != null && changes.isArray()) {
            o.set("changes", changes);
        } else {
            ArrayNode derived = Json.MAPPER.createArrayNode();
            JsonNode fields = payload.get("fields");
            if (s.type().equals("record.created") && fields != null && fields.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    ObjectNode c = derived.addObject();
                    c.put("field", e.getKey());
                    c.putNull("old");
                    c.set("new", e.getValue());
                }
            }
            o.set("changes", derived);
        }
        o.set("payload", payload);
        return o;
    }

    private static String str(UUID id) {
        return id == null ? null : id.toString();
    }
}

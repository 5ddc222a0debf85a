package io.waymark.identity;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.json.Json;
import java.util.Set;
import java.util.UUID;

/** A named set of users, e.g. approvers, reviewers, or the grantees of a sharing rule. */
public record Group(UUID id, String name, String description, Set<UUID> members) {
    public Group {
        members = Set.copyOf(members);
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("id", id.toString());
        o.put("name", name);
        o.put("description", description);
        ArrayNode m = o.putArray("members");
        members.stream().map(UUID::toString).sorted().forEach(m::add);
        return o;
    }
}

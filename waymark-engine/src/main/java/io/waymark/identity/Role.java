package io.waymark.identity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.json.Json;
import java.util.UUID;

/**
 * A place in the organisation's hierarchy (CEO → Manager → Sales Rep). A user sees the records
 * owned by users in the roles below theirs; with {@code shareWithPeers} also those of users in
 * the same role.
 *
 * @param parentId the role this one reports to, or null for a top role
 */
public record Role(UUID id, String name, UUID parentId, boolean shareWithPeers) {
    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("id", id.toString());
        o.put("name", name);
        o.put("reports_to", parentId == null ? null : parentId.toString());
        o.put("share_with_peers", shareWithPeers);
        return o;
    }
}

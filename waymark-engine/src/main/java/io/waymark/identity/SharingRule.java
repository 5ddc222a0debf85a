package io.waymark.identity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.json.Json;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * Opens every record of a module to a role (optionally with the roles below it) or a group,
 * beyond what the role hierarchy shows them: read-only or read-write.
 */
public record SharingRule(UUID id, String module, Grantee grantee, UUID granteeId, boolean readWrite) {
    /** Who a rule opens the records to. */
    public enum Grantee {
        ROLE, ROLE_AND_SUBORDINATES, GROUP;

        public String apiName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Grantee> parse(String s) {
            for (Grantee g : values()) {
                if (g.apiName().equals(s)) {
                    return Optional.of(g);
                }
            }
            return Optional.empty();
        }
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("id", id.toString());
        o.put("module", module);
        o.put("grantee_type", grantee.apiName());
        o.put("grantee_id", granteeId.toString());
        o.put("access", readWrite ? "read_write" : "read_only");
        return o;
    }
}

package io.waymark.email;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.json.Json;
import java.time.Instant;
import java.util.UUID;

/**
 * An email template on one module: a subject, an HTML body and a plain-text body, each with
 * merge fields (see {@link io.waymark.integration.MergeFields}) plus {@code {{Unsubscribe_URL}}}.
 *
 * @param text the plain-text body; when null, a text version is derived from the HTML
 */
public record EmailTemplate(UUID id, String name, String module, String subject, String html, String text, long version,
                            Instant createdAt, Instant modifiedAt) {
    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("id", id.toString());
        o.put("name", name);
        o.put("module", module);
        o.put("subject", subject);
        o.put("html", html);
        o.put("text", text);
        o.put("version", version);
        o.put("created_at", createdAt.toString());
        o.put("modified_at", modifiedAt.toString());
        return o;
    }
}

package io.waymark.identity;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import io.waymark.tx.Transactor;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The security audit log: logins, failed logins, lockouts, changes of users, roles, profiles,
 * groups and sharing rules, tokens created and revoked, data exports. Events are written in the
 * transaction of the change they describe (a failed login in one of its own), and read by
 * holders of {@link Capability#MANAGE_USERS}.
 */
public final class AuditLog {
    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
    private final IdentityStore store;
    private final Access access;
    private final Transactor tx;
    private final Clock clock;

    public AuditLog(IdentityStore store, Access access, Transactor tx, Clock clock) {
        this.store = store;
        this.access = access;
        this.tx = tx;
        this.clock = clock;
    }

    /** Appends an event in the current transaction (or its own). {@code detail} must hold no secret. */
    public void record(UUID orgId, UUID actorId, String type, UUID targetId, ObjectNode detail) {
        AuditEvent e = new AuditEvent(Ids.next(clock), clock.instant(), actorId, type, targetId, detail == null ? Json.object() : detail);
        tx.run(() -> store.appendAudit(orgId, e));
        log.info("audit org={} actor={} type={} target={}", orgId, actorId, type, targetId);
    }

    /** Events oldest first; filters optional. */
    public List<AuditEvent> list(Actor actor, String type, Instant from, Instant to, int limit, UUID after) {
        access.require(actor, Capability.MANAGE_USERS);
        if (limit < 1 || limit > 1000) {
            throw new ValidationException("Invalid limit", List.of(new FieldError("limit", "must be between 1 and 1000")));
        }
        return store.audit(actor.orgId(), type, from, to, limit, after);
    }

    /** A detail object built from name/value pairs. */
    public static ObjectNode detail(Object... pairs) {
        ObjectNode o = Json.object();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            Object v = pairs[i + 1];
            if (v == null) {
                o.putNull(String.valueOf(pairs[i]));
            } else if (v instanceof com.fasterxml.jackson.databind.JsonNode j) {
                o.set(String.valueOf(pairs[i]), j);
            } else if (v instanceof Number n) {
                o.put(String.valueOf(pairs[i]), n.longValue());
            } else if (v instanceof Boolean b) {
                o.put(String.valueOf(pairs[i]), b);
            } else {
                o.put(String.valueOf(pairs[i]), v.toString());
            }
        }
        return o;
    }
}

package io.waymark.identity;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.error.NotFoundException;
import io.waymark.record.Metadata;
import io.waymark.tx.Transactor;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Sharing rules: a module's records opened to a role (optionally with its subordinates) or a
 * group, read-only or read-write. Reading and changing them needs {@link Capability#MANAGE_USERS}.
 */
public final class SharingRules {
    private final IdentityStore store;
    private final Access access;
    private final AuditLog audit;
    private final Metadata metadata;
    private final Transactor tx;
    private final Clock clock;

    public SharingRules(IdentityStore store, Access access, AuditLog audit, Metadata metadata, Transactor tx, Clock clock) {
        this.store = store;
        this.access = access;
        this.audit = audit;
        this.metadata = metadata;
        this.tx = tx;
        this.clock = clock;
    }

    public List<SharingRule> list(Actor actor) {
        access.require(actor, Capability.MANAGE_USERS);
        return store.sharingRules(actor.orgId());
    }

    /**
     * A new rule: {@code module}, {@code grantee_type} (role, role_and_subordinates or group),
     * {@code grantee_id} and {@code access} (read_only or read_write).
     */
    public SharingRule create(Actor actor, JsonNode body) {
        access.require(actor, Capability.MANAGE_USERS);
        Input in = Input.of(body, Set.of("module", "grantee_type", "grantee_id", "access"));
        String module = in.text("module", 50, true);
        String kind = in.text("grantee_type", 30, true);
        UUID grantee = in.id("grantee_id", true);
        String acc = in.text("access", 20, true);
        in.check();
        if (metadata.catalog(actor.orgId()).find(module).isEmpty()) {
            in.error("module", "no module has this API name");
        }
        SharingRule.Grantee g = SharingRule.Grantee.parse(kind).orElse(null);
        if (g == null) {
            in.error("grantee_type", "must be role, role_and_subordinates or group");
        } else if (g == SharingRule.Grantee.GROUP ? store.groups(actor.orgId()).stream().noneMatch(x -> x.id().equals(grantee))
                : store.roles(actor.orgId()).stream().noneMatch(x -> x.id().equals(grantee))) {
            in.error("grantee_id", "no " + (g == SharingRule.Grantee.GROUP ? "group" : "role") + " has this id");
        }
        if (!acc.equals("read_only") && !acc.equals("read_write")) {
            in.error("access", "must be read_only or read_write");
        }
        in.check();
        SharingRule rule = new SharingRule(Ids.next(clock), module, g, grantee, acc.equals("read_write"));
        tx.run(() -> {
            store.insertSharingRule(actor.orgId(), rule, clock.instant());
            store.bumpSecurityVersion(actor.orgId());
            audit.record(actor.orgId(), actor.userId(), "sharing_rule.created", rule.id(), rule.toJson());
        });
        access.changed(actor.orgId());
        return rule;
    }

    public void delete(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_USERS);
        SharingRule rule = store.sharingRules(actor.orgId()).stream().filter(r -> r.id().equals(id)).findFirst()
                .orElseThrow(() -> new NotFoundException("No sharing rule has id " + id));
        tx.run(() -> {
            store.deleteSharingRule(actor.orgId(), id);
            store.bumpSecurityVersion(actor.orgId());
            audit.record(actor.orgId(), actor.userId(), "sharing_rule.deleted", id, rule.toJson());
        });
        access.changed(actor.orgId());
    }
}

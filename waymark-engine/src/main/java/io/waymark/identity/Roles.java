package io.waymark.identity;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.error.ConflictException;
import io.waymark.error.FieldError;
import io.waymark.error.NotFoundException;
import io.waymark.tx.Transactor;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * The role hierarchy of an organisation. Reading it is open to every user; changing it needs
 * {@link Capability#MANAGE_USERS}. A role cannot report to itself or to a role below it, and is
 * deleted only when no user holds it and no role reports to it.
 */
public final class Roles {
    private final IdentityStore store;
    private final Access access;
    private final AuditLog audit;
    private final Transactor tx;
    private final Clock clock;

    public Roles(IdentityStore store, Access access, AuditLog audit, Transactor tx, Clock clock) {
        this.store = store;
        this.access = access;
        this.audit = audit;
        this.tx = tx;
        this.clock = clock;
    }

    public List<Role> list(Actor actor) {
        return store.roles(actor.orgId());
    }

    public Role get(Actor actor, UUID id) {
        return store.roles(actor.orgId()).stream().filter(r -> r.id().equals(id)).findFirst()
                .orElseThrow(() -> new NotFoundException("No role has id " + id));
    }

    /** A new role: {@code name}, optional {@code reports_to} (a role id) and {@code share_with_peers}. */
    public Role create(Actor actor, JsonNode body) {
        access.require(actor, Capability.MANAGE_USERS);
        Input in = Input.of(body, Set.of("name", "reports_to", "share_with_peers"));
        String name = in.text("name", 100, true);
        UUID parent = in.id("reports_to", false);
        Boolean peers = in.bool("share_with_peers");
        in.check();
        List<Role> roles = store.roles(actor.orgId());
        if (parent != null && roles.stream().noneMatch(r -> r.id().equals(parent))) {
            in.error("reports_to", "no role has this id");
        }
        in.check();
        checkName(roles, name, null);
        Role role = new Role(Ids.next(clock), name, parent, Boolean.TRUE.equals(peers));
        tx.run(() -> {
            store.insertRole(actor.orgId(), role, clock.instant());
            store.bumpSecurityVersion(actor.orgId());
            audit.record(actor.orgId(), actor.userId(), "role.created", role.id(), role.toJson());
        });
        access.changed(actor.orgId());
        return role;
    }

    /** Changes {@code name}, {@code reports_to} or {@code share_with_peers}. */
    public Role update(Actor actor, UUID id, JsonNode body) {
        access.require(actor, Capability.MANAGE_USERS);
        Role before = get(actor, id);
        Input in = Input.of(body, Set.of("name", "reports_to", "share_with_peers"));
        String name = in.has("name") ? in.text("name", 100, true) : before.name();
        UUID parent = in.has("reports_to") ? in.id("reports_to", false) : before.parentId();
        Boolean peers = in.bool("share_with_peers");
        in.check();
        List<Role> roles = store.roles(actor.orgId());
        Map<UUID, UUID> parents = new HashMap<>();
        roles.forEach(r -> parents.put(r.id(), r.parentId()));
        if (parent != null && !parents.containsKey(parent)) {
            in.error("reports_to", "no role has this id");
        } else {
            for (UUID p = parent; p != null; p = parents.get(p)) {
                if (p.equals(id)) {
                    in.error("reports_to", "cannot be the role itself or a role below it");
                    break;
                }
            }
        }
        in.check();
        checkName(roles, name, id);
        Role after = new Role(id, name, parent, peers == null ? before.shareWithPeers() : peers);
        tx.run(() -> {
            store.updateRole(actor.orgId(), after);
            store.bumpSecurityVersion(actor.orgId());
            audit.record(actor.orgId(), actor.userId(), "role.changed", id, AuditLog.detail("before", before.toJson(), "after", after.toJson()));
        });
        access.changed(actor.orgId());
        return after;
    }

    public void delete(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_USERS);
        Role role = get(actor, id);
        if (store.roles(actor.orgId()).stream().anyMatch(r -> id.equals(r.parentId()))) {
            throw new ConflictException("Other roles report to this role; move them first");
        }
        if (store.users(actor.orgId()).stream().anyMatch(u -> id.equals(u.roleId()))) {
            throw new ConflictException("Users hold this role; give them another role first");
        }
        if (store.sharingRules(actor.orgId()).stream().anyMatch(r -> r.grantee() != SharingRule.Grantee.GROUP && r.granteeId().equals(id))) {
            throw new ConflictException("Sharing rules open records to this role; delete them first");
        }
        tx.run(() -> {
            store.deleteRole(actor.orgId(), id);
            store.bumpSecurityVersion(actor.orgId());
            audit.record(actor.orgId(), actor.userId(), "role.deleted", id, role.toJson());
        });
        access.changed(actor.orgId());
    }

    private static void checkName(List<Role> roles, String name, UUID except) {
        if (roles.stream().anyMatch(r -> r.name().equalsIgnoreCase(name) && !Objects.equals(r.id(), except))) {
            throw new ConflictException("Another role has this name", List.of(new FieldError("name", "is taken")));
        }
    }
}

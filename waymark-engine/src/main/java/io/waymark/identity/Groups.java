package io.waymark.identity;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.error.ConflictException;
import io.waymark.error.FieldError;
import io.waymark.error.NotFoundException;
import io.waymark.tx.Transactor;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Groups of users: approvers, reviewers, grantees of sharing rules. Reading is open to every
 * user; changing needs {@link Capability#MANAGE_USERS}. Members must be active users of the
 * organisation.
 */
public final class Groups {
    private final IdentityStore store;
    private final Access access;
    private final AuditLog audit;
    private final Transactor tx;
    private final Clock clock;

    public Groups(IdentityStore store, Access access, AuditLog audit, Transactor tx, Clock clock) {
        this.store = store;
        this.access = access;
        this.audit = audit;
        this.tx = tx;
        this.clock = clock;
    }

    public List<Group> list(Actor actor) {
        return store.groups(actor.orgId());
    }

    public Group get(Actor actor, UUID id) {
        return store.groups(actor.orgId()).stream().filter(g -> g.id().equals(id)).findFirst()
                .orElseThrow(() -> new NotFoundException("No group has id " + id));
    }

    /** A new group: {@code name}, optional {@code description} and {@code members} (user ids). */
    public Group create(Actor actor, JsonNode body) {
        access.require(actor, Capability.MANAGE_USERS);
        Input in = Input.of(body, Set.of("name", "description", "members"));
        String name = in.text("name", 100, true);
        String description = in.text("description", 1000, false);
        Set<UUID> members = members(actor, in);
        in.check();
        checkName(actor, name, null);
        Group g = new Group(Ids.next(clock), name, description, members);
        tx.run(() -> {
            store.insertGroup(actor.orgId(), g, clock.instant());
            store.bumpSecurityVersion(actor.orgId());
            audit.record(actor.orgId(), actor.userId(), "group.created", g.id(), g.toJson());
        });
        access.changed(actor.orgId());
        return g;
    }

    /** Changes {@code name}, {@code description} or replaces {@code members}. */
    public Group update(Actor actor, UUID id, JsonNode body) {
        access.require(actor, Capability.MANAGE_USERS);
        Group before = get(actor, id);
        Input in = Input.of(body, Set.of("name", "description", "members"));
        String name = in.has("name") ? in.text("name", 100, true) : before.name();
        String description = in.has("description") ? in.text("description", 1000, false) : before.description();
        Set<UUID> members = in.has("members") ? members(actor, in) : before.members();
        in.check();
        checkName(actor, name, id);
        Group after = new Group(id, name, description, members);
        tx.run(() -> {
            store.updateGroup(actor.orgId(), after);
            store.bumpSecurityVersion(actor.orgId());
            audit.record(actor.orgId(), actor.userId(), "group.changed", id, AuditLog.detail("before", before.toJson(), "after", after.toJson()));
        });
        access.changed(actor.orgId());
        return after;
    }

    public void delete(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_USERS);
        Group g = get(actor, id);
        if (store.sharingRules(actor.orgId()).stream().anyMatch(r -> r.grantee() == SharingRule.Grantee.GROUP && r.granteeId().equals(id))) {
            throw new ConflictException("Sharing rules open records to this group; delete them first");
        }
        tx.run(() -> {
            store.deleteGroup(actor.orgId(), id);
            store.bumpSecurityVersion(actor.orgId());
            audit.record(actor.orgId(), actor.userId(), "group.deleted", id, g.toJson());
        });
        access.changed(actor.orgId());
    }

    private Set<UUID> members(Actor actor, Input in) {
        JsonNode m = in.node.get("members");
        Set<UUID> out = new LinkedHashSet<>();
        if (m == null || m.isNull()) {
            return out;
        }
        if (!m.isArray() || m.size() > 10_000) {
            in.error("members", "must be a list of user ids");
            return out;
        }
        for (JsonNode x : m) {
            UUID id = x.isTextual() ? Ids.parse(x.textValue()) : null;
            if (id == null) {
                in.error("members", "must be a list of user ids; " + x + " is not one");
                return out;
            }
            out.add(id);
        }
        Set<UUID> active = store.activeUsers(actor.orgId(), out);
        Set<UUID> unknown = out.stream().filter(u -> !active.contains(u)).collect(Collectors.toCollection(LinkedHashSet::new));
        if (!unknown.isEmpty()) {
            in.error("members", "no active user has id " + unknown.iterator().next());
        }
        return out;
    }

    private void checkName(Actor actor, String name, UUID except) {
        if (store.groups(actor.orgId()).stream().anyMatch(g -> g.name().equalsIgnoreCase(name) && !Objects.equals(g.id(), except))) {
            throw new ConflictException("Another group has this name", List.of(new FieldError("name", "is taken")));
        }
    }
}

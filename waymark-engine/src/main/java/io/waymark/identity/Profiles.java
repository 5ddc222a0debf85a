package io.waymark.identity;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.error.ConflictException;
import io.waymark.error.FieldError;
import io.waymark.error.NotFoundException;
import io.waymark.record.Metadata;
import io.waymark.tx.Transactor;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Profiles: named permission sets. Reading is open to every user; changing needs
 * {@link Capability#MANAGE_USERS}. The seeded Administrator profile cannot be changed or deleted;
 * a profile that users hold cannot be deleted.
 */
public final class Profiles {
    private final IdentityStore store;
    private final Access access;
    private final AuditLog audit;
    private final Metadata metadata;
    private final Transactor tx;
    private final Clock clock;

    public Profiles(IdentityStore store, Access access, AuditLog audit, Metadata metadata, Transactor tx, Clock clock) {
        this.store = store;
        this.access = access;
        this.audit = audit;
        this.metadata = metadata;
        this.tx = tx;
        this.clock = clock;
    }

    public List<Profile> list(Actor actor) {
        return store.profiles(actor.orgId());
    }

    public Profile get(Actor actor, UUID id) {
        return store.profiles(actor.orgId()).stream().filter(p -> p.id().equals(id)).findFirst()
                .orElseThrow(() -> new NotFoundException("No profile has id " + id));
    }

    /** A new profile: {@code name} and {@code permissions} (see {@link Permissions}). */
    public Profile create(Actor actor, JsonNode body) {
        access.require(actor, Capability.MANAGE_USERS);
        Input in = Input.of(body, Set.of("name", "permissions"));
        String name = in.text("name", 100, true);
        Permissions p = permissions(actor, in);
        in.check();
        checkName(actor, name, null);
        Profile profile = new Profile(Ids.next(clock), name, false, p);
        tx.run(() -> {
            store.insertProfile(actor.orgId(), profile, clock.instant());
            store.bumpSecurityVersion(actor.orgId());
            audit.record(actor.orgId(), actor.userId(), "profile.created", profile.id(), profile.toJson());
        });
        access.changed(actor.orgId());
        return profile;
    }

    /** Changes {@code name} or replaces {@code permissions}; not of the Administrator profile. */
    public Profile update(Actor actor, UUID id, JsonNode body) {
        access.require(actor, Capability.MANAGE_USERS);
        Profile before = get(actor, id);
        if (before.builtin()) {
            throw new ConflictException("The " + before.name() + " profile cannot be changed");
        }
        Input in = Input.of(body, Set.of("name", "permissions"));
        String name = in.has("name") ? in.text("name", 100, true) : before.name();
        Permissions p = in.has("permissions") ? permissions(actor, in) : before.permissions();
        in.check();
        checkName(actor, name, id);
        Profile after = new Profile(id, name, false, p);
        if (before.permissions().has(Capability.MANAGE_USERS) && !p.has(Capability.MANAGE_USERS)) {
            List<Profile> profiles = store.profiles(actor.orgId()).stream().map(x -> x.id().equals(id) ? after : x).toList();
            boolean left = store.users(actor.orgId()).stream().anyMatch(u -> u.active() && profiles.stream()
                    .anyMatch(x -> x.id().equals(u.profileId()) && x.permissions().has(Capability.MANAGE_USERS)));
            if (!left) {
                throw new ConflictException("The organisation would have no active user who manages users",
                        List.of(new FieldError("permissions", "would leave no active user who manages users")));
            }
        }
        tx.run(() -> {
            store.updateProfile(actor.orgId(), after);
            store.bumpSecurityVersion(actor.orgId());
            audit.record(actor.orgId(), actor.userId(), "profile.changed", id, AuditLog.detail("before", before.toJson(), "after", after.toJson()));
        });
        access.changed(actor.orgId());
        return after;
    }

    public void delete(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_USERS);
        Profile p = get(actor, id);
        if (p.builtin()) {
            throw new ConflictException("The " + p.name() + " profile cannot be deleted");
        }
        if (store.users(actor.orgId()).stream().anyMatch(u -> id.equals(u.profileId()))) {
            throw new ConflictException("Users hold this profile; give them another profile first");
        }
        tx.run(() -> {
            store.deleteProfile(actor.orgId(), id);
            store.bumpSecurityVersion(actor.orgId());
            audit.record(actor.orgId(), actor.userId(), "profile.deleted", id, p.toJson());
        });
        access.changed(actor.orgId());
    }

    private Permissions permissions(Actor actor, Input in) {
        if (!in.has("permissions")) {
            in.error("permissions", "is required");
            return null;
        }
        Permissions p = Permissions.fromJson(in.node.get("permissions"), "permissions", in.errors);
        JsonNode modules = in.node.path("permissions").path("modules");
        if (modules.isObject()) {
            var catalog = metadata.catalog(actor.orgId());
            modules.fieldNames().forEachRemaining(m -> {
                if (!m.equals("*") && catalog.find(m).isEmpty()) {
                    in.error("permissions.modules." + m, "no module has this API name");
                }
            });
        }
        return p;
    }

    private void checkName(Actor actor, String name, UUID except) {
        if (store.profiles(actor.orgId()).stream().anyMatch(p -> p.name().equalsIgnoreCase(name) && !Objects.equals(p.id(), except))) {
            throw new ConflictException("Another profile has this name", List.of(new FieldError("name", "is taken")));
        }
    }
}

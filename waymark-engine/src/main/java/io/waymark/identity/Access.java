package io.waymark.identity;

import io.waymark.Actor;
import io.waymark.error.ForbiddenException;
import io.waymark.record.Module;
import io.waymark.record.Record;
import io.waymark.record.Visibility;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one place that decides what an actor may do and see. Services call it before they act; the
 * HTTP layer does not repeat the checks.
 *
 * <ul>
 *   <li>Capabilities and module actions come from the user's {@link Profile}.</li>
 *   <li>Records: a user sees those they own, those owned by users in the roles below theirs (and
 *       in their own role when it shares with peers), and every record of a module that a
 *       {@link SharingRule} opens to their role or group; a profile with {@code view_all_records}
 *       sees all. A record seen through the hierarchy or a read-write rule may be changed; one
 *       seen only through a read-only rule may not.</li>
 *   <li>{@link Actor#system(UUID)} holds every permission and sees every record of its
 *       organisation; an unknown or inactive user holds none.</li>
 * </ul>
 *
 * What it knows of an organisation is cached and re-read after every change made through this
 * engine ({@link #changed(UUID)}), and at most {@link #RECHECK_MILLIS} after a change made on
 * another node (the organisation's security version moves).
 */
public final class Access {
    /** How long a node trusts its cached permissions before asking whether they changed. */
    public static final long RECHECK_MILLIS = 1_000;

    private final IdentityStore store;
    private final Map<UUID, Snapshot> cache = new ConcurrentHashMap<>();

    public Access(IdentityStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /** Throws {@link ForbiddenException} (403) when the actor lacks the capability. */
    public void require(Actor actor, Capability capability) {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(capability, "capability");
        if (!has(actor, capability)) {
            throw new ForbiddenException("Your profile does not allow " + capability.apiName());
        }
    }

    /** Whether the actor holds the capability. */
    public boolean has(Actor actor, Capability capability) {
        return actor.isSystem() || permissions(actor).has(capability);
    }

    /** Throws {@link ForbiddenException} (403) when the actor may not do {@code action} on the module's records. */
    public void requireModule(Actor actor, String module, ModuleAction action) {
        if (!allows(actor, module, action)) {
            throw new ForbiddenException("Your profile does not allow " + action.apiName() + " on " + module);
        }
    }

    public boolean allows(Actor actor, String module, ModuleAction action) {
        return actor.isSystem() || permissions(actor).allows(module, action);
    }

    /** The actor's permissions (everything for the system actor, nothing for an unknown or inactive user). */
    public Permissions permissions(Actor actor) {
        if (actor.isSystem()) {
            return Permissions.ADMINISTRATOR;
        }
        return snapshot(actor.orgId()).permissions(actor.userId());
    }

    /**
     * Which records of the module the actor may read: {@link Visibility#NONE} without the view
     * permission, {@link Visibility#ALL} when nothing restricts it.
     */
    public Visibility visibility(Actor actor, Module module) {
        if (actor.isSystem()) {
            return Visibility.ALL;
        }
        Snapshot s = snapshot(actor.orgId());
        Permissions p = s.permissions(actor.userId());
        if (!p.allows(module.apiName(), ModuleAction.VIEW)) {
            return Visibility.NONE;
        }
        if (p.viewAllRecords() || module.field("Owner").isEmpty() || s.ruleAccess(actor.userId(), module.apiName()) != null) {
            return Visibility.ALL;
        }
        return Visibility.owners(actor.userId(), s.visibleRoles(actor.userId()));
    }

    /** Whether the actor may change (or delete) this record, which it can see. */
    public boolean canChange(Actor actor, Module module, Record record) {
        if (actor.isSystem()) {
            return true;
        }
        Snapshot s = snapshot(actor.orgId());
        Permissions p = s.permissions(actor.userId());
        if (p.viewAllRecords() || module.field("Owner").isEmpty() || Boolean.TRUE.equals(s.ruleAccess(actor.userId(), module.apiName()))) {
            return true;
        }
        UUID owner = record.owner();
        if (owner == null || owner.equals(actor.userId())) {
            return true;
        }
        UUID ownerRole = s.roleOf(owner);
        return ownerRole != null && s.visibleRoles(actor.userId()).contains(ownerRole);
    }

    /**
     * The users holding the role {@code levels} above the user's role (1: "the manager"), or an
     * empty set when the hierarchy ends before (or the user has no role).
     */
    public Set<UUID> usersAbove(UUID orgId, UUID userId, int levels) {
        if (levels < 1) {
            throw new IllegalArgumentException("levels must be at least 1");
        }
        Snapshot s = snapshot(orgId);
        UUID role = s.roleOf(userId);
        for (int i = 0; i < levels && role != null; i++) {
            Role r = s.roles.get(role);
            role = r == null ? null : r.parentId();
        }
        return role == null ? Set.of() : s.usersInRole(role);
    }

    /** The active members of a group (e.g. to route an approval to it). */
    public Set<UUID> members(UUID orgId, UUID groupId) {
        Snapshot s = snapshot(orgId);
        Set<UUID> out = new LinkedHashSet<>();
        s.groupMembers.getOrDefault(groupId, Set.of()).forEach(u -> {
            if (s.active(u)) {
                out.add(u);
            }
        });
        return out;
    }

    /** The role of a user, or null (no role, or no such user). */
    public UUID roleOf(UUID orgId, UUID userId) {
        return snapshot(orgId).roleOf(userId);
    }

    /** The active users holding a role. */
    public Set<UUID> usersInRole(UUID orgId, UUID roleId) {
        return snapshot(orgId).usersInRole(roleId);
    }

    /** Whether the user exists in the organisation and is active. */
    public boolean isActive(UUID orgId, UUID userId) {
        return snapshot(orgId).active(userId);
    }

    /** Forgets what is cached of the organisation (after a change of users, roles, profiles, groups or rules). */
    public void changed(UUID orgId) {
        cache.remove(orgId);
    }

    private Snapshot snapshot(UUID orgId) {
        long now = System.nanoTime() / 1_000_000;
        Snapshot s = cache.get(orgId);
        if (s != null && now - s.checkedAt < RECHECK_MILLIS) {
            return s;
        }
        long version = store.securityVersion(orgId);
        if (s != null && s.version == version) {
            s.checkedAt = now;
            return s;
        }
        Snapshot fresh = new Snapshot(version, store.users(orgId), store.roles(orgId), store.profiles(orgId), store.groups(orgId),
                store.sharingRules(orgId));
        fresh.checkedAt = now;
        cache.put(orgId, fresh);
        return fresh;
    }

    /** What one organisation's permissions are built from, read at one version. */
    private static final class Snapshot {
        final long version;
        volatile long checkedAt;
        final Map<UUID, User> users = new HashMap<>();
        final Map<UUID, Role> roles = new HashMap<>();
        final Map<UUID, List<UUID>> children = new HashMap<>();
        final Map<UUID, Profile> profiles = new HashMap<>();
        final Map<UUID, Set<UUID>> groupMembers = new HashMap<>();
        final Map<UUID, Set<UUID>> groupsOfUser = new HashMap<>();
        final Map<String, List<SharingRule>> rules = new HashMap<>();
        final Map<UUID, Set<UUID>> visibleRoles = new ConcurrentHashMap<>();

        Snapshot(long version, List<User> users, List<Role> roles, List<Profile> profiles, List<Group> groups, List<SharingRule> rules) {
            this.version = version;
            users.forEach(u -> this.users.put(u.id(), u));
            roles.forEach(r -> {
                this.roles.put(r.id(), r);
                if (r.parentId() != null) {
                    children.computeIfAbsent(r.parentId(), k -> new ArrayList<>()).add(r.id());
                }
            });
            profiles.forEach(p -> this.profiles.put(p.id(), p));
            groups.forEach(g -> {
                groupMembers.put(g.id(), g.members());
                g.members().forEach(u -> groupsOfUser.computeIfAbsent(u, k -> new HashSet<>()).add(g.id()));
            });
            rules.forEach(r -> this.rules.computeIfAbsent(r.module(), k -> new ArrayList<>()).add(r));
        }

        boolean active(UUID userId) {
            User u = users.get(userId);
            return u != null && u.active();
        }

        String profileName(UUID userId) {
            User u = users.get(userId);
            if (u == null || !u.active() || u.profileId() == null) {
                return null;
            }
            Profile p = profiles.get(u.profileId());
            return p == null ? null : p.name();
        }

        Permissions permissions(UUID userId) {
            User u = users.get(userId);
            if (u == null || !u.active()) {
                return Permissions.NONE;
            }
            Profile p = u.profileId() == null ? null : profiles.get(u.profileId());
            return p == null ? Permissions.NONE : p.permissions();
        }

        UUID roleOf(UUID userId) {
            User u = users.get(userId);
            return u == null ? null : u.roleId();
        }

        Set<UUID> usersInRole(UUID roleId) {
            Set<UUID> out = new LinkedHashSet<>();
            users.values().forEach(u -> {
                if (u.active() && roleId.equals(u.roleId())) {
                    out.add(u.id());
                }
            });
            return out;
        }

        /** The roles whose users' records the user sees: every role below theirs, and theirs when it shares with peers. */
        Set<UUID> visibleRoles(UUID userId) {
            UUID role = roleOf(userId);
            if (role == null) {
                return Set.of();
            }
            return visibleRoles.computeIfAbsent(role, r -> {
                Set<UUID> out = new HashSet<>(below(r));
                Role own = roles.get(r);
                if (own != null && own.shareWithPeers()) {
                    out.add(r);
                }
                return Set.copyOf(out);
            });
        }

        Set<UUID> below(UUID role) {
            Set<UUID> out = new HashSet<>();
            Deque<UUID> todo = new ArrayDeque<>(children.getOrDefault(role, List.of()));
            while (!todo.isEmpty()) {
                UUID r = todo.pop();
                if (out.add(r)) {
                    todo.addAll(children.getOrDefault(r, List.of()));
                }
            }
            return out;
        }

        /** Access a sharing rule gives the user to every record of the module: null none, false read-only, true read-write. */
        Boolean ruleAccess(UUID userId, String module) {
            List<SharingRule> list = rules.get(module);
            if (list == null) {
                return null;
            }
            UUID role = roleOf(userId);
            Set<UUID> groups = groupsOfUser.getOrDefault(userId, Set.of());
            Boolean best = null;
            for (SharingRule r : list) {
                boolean applies = switch (r.grantee()) {
                    case ROLE -> r.granteeId().equals(role);
                    case ROLE_AND_SUBORDINATES -> role != null && (r.granteeId().equals(role) || below(r.granteeId()).contains(role));
                    case GROUP -> groups.contains(r.granteeId());
                };
                if (applies) {
                    best = Boolean.TRUE.equals(best) || r.readWrite();
                }
            }
            return best;
        }
    }

    /**
     * The name of the actor's profile (e.g. {@code Administrator}), which wizard lock rules can
     * exempt; {@code Administrator} for the system actor, null for an unknown or inactive user.
     */
    public String profileName(Actor actor) {
        Objects.requireNonNull(actor, "actor");
        if (actor.isSystem()) {
            return Profile.ADMINISTRATOR;
        }
        return snapshot(actor.orgId()).profileName(actor.userId());
    }
}

package io.waymark.store.testing;

import static io.waymark.store.testing.TestDb.json;

import io.waymark.Actor;
import io.waymark.Waymark;
import io.waymark.identity.Orgs;
import io.waymark.identity.Role;
import java.util.UUID;

/**
 * A small sales team in an organisation, made through the engine's public API: the admin (CEO
 * role, Administrator profile), a manager reporting to the CEO, two reps reporting to the
 * manager (Standard profile), and a user whose profile allows nothing.
 */
public final class Team {
    public final Actor admin;
    public final Actor manager;
    public final Actor rep1;
    public final Actor rep2;
    public final Actor nobody;
    public final UUID ceoRole;
    public final UUID managerRole;
    public final UUID repRole;
    public final UUID nothingProfile;

    private Team(Waymark e, Actor admin, String tag) {
        this.admin = admin;
        ceoRole = e.roles().list(admin).stream().filter(r -> r.name().equals(Orgs.TOP_ROLE)).map(Role::id).findFirst().orElseThrow();
        managerRole = e.roles().create(admin, json("{'name': 'Manager', 'reports_to': '" + ceoRole + "'}")).id();
        repRole = e.roles().create(admin, json("{'name': 'Sales Rep', 'reports_to': '" + managerRole + "'}")).id();
        nothingProfile = e.profiles().create(admin, json("{'name': 'Nothing', 'permissions': {'modules': {'*': []}}}")).id();
        manager = user(e, "manager" + tag, managerRole, null);
        rep1 = user(e, "rep1" + tag, repRole, null);
        rep2 = user(e, "rep2" + tag, repRole, null);
        nobody = user(e, "nobody" + tag, repRole, nothingProfile);
    }

    /** A team in the organisation of {@code admin}. */
    public static Team of(Waymark engine, Actor admin) {
        return new Team(engine, admin, "");
    }

    private Actor user(Waymark e, String name, UUID role, UUID profile) {
        String body = "{'email': '" + name + "@example.com', 'name': '" + name + "', 'role': '" + role + "'"
                + (profile == null ? "" : ", 'profile': '" + profile + "'") + "}";
        return new Actor(admin.orgId(), e.users().create(admin, json(body)).id());
    }
}

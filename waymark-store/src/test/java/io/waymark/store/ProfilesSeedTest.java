package io.waymark.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.Waymark;
import io.waymark.identity.Capability;
import io.waymark.identity.Orgs;
import io.waymark.identity.Permissions;
import io.waymark.identity.Profile;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDatabases;
import io.waymark.store.testing.TestDb;
import java.util.UUID;

class ProfilesSeedTest {

    @BothDatabases
    void aNewOrganisationStartsWithAdministratorAndStandardProfilesAndATopRole(TestDb db) {
        Waymark e = db.engine();
        assertThat(e.profiles().list(db.admin())).extracting(Profile::name).containsExactly(Profile.ADMINISTRATOR, Profile.STANDARD);
        assertThat(e.roles().list(db.admin())).singleElement().satisfies(r -> {
            assertThat(r.name()).isEqualTo(Orgs.TOP_ROLE);
            assertThat(e.users().get(db.admin(), db.admin().userId()).roleId()).isEqualTo(r.id());
        });
        assertThat(e.access().permissions(db.admin())).isEqualTo(Permissions.ADMINISTRATOR);
        UUID added = e.orgs().addUser(db.admin(), "helper@example.com", "Helper");
        assertThat(e.access().permissions(new Actor(db.admin().orgId(), added))).isEqualTo(Permissions.STANDARD);
    }

    /** An organisation made before profiles existed gets them on the next start: its admin stays an administrator. */
    @BothDatabases
    void anOrganisationFromBeforeProfilesIsGivenThemOnStart(TestDb db) {
        try (JdbcStore store = TestDatabases.fresh(db.kind())) {
            JdbcIdentityStore legacy = new JdbcIdentityStore((JdbcTransactor) store.transactor());
            UUID org = Ids.next(db.clock());
            UUID admin = Ids.next(db.clock());
            UUID member = Ids.next(db.clock());
            store.transactor().run(() -> {
                legacy.createOrg(org, "Old org", "UTC", TestDb.START);
                legacy.createUser(org, admin, "admin@old.example", "Admin", true, TestDb.START);
                legacy.createUser(org, member, "member@old.example", "Member", false, TestDb.START);
            });
            Waymark engine = store.engine(db.clock());
            engine.metadata().installStandardModules(org);
            assertThat(engine.access().has(new Actor(org, admin), Capability.MANAGE_USERS)).isFalse();

            Orgs.Created started = engine.orgs().bootstrap("Old org", "fixed-token-0123456789");

            assertThat(started.admin()).isEqualTo(new Actor(org, admin));
            assertThat(engine.access().permissions(new Actor(org, admin))).isEqualTo(Permissions.ADMINISTRATOR);
            assertThat(engine.access().permissions(new Actor(org, member))).isEqualTo(Permissions.STANDARD);
            assertThat(engine.orgs().authenticate("fixed-token-0123456789")).isEqualTo(new Actor(org, admin));
            engine.orgs().bootstrap("Old org", null);
            assertThat(engine.profiles().list(new Actor(org, admin))).hasSize(2);
            // WAYMARK_ADMIN_TOKEN states which token the admin has, even after it was revoked.
            engine.users().tokens(new Actor(org, admin), null).forEach(t -> engine.users().revokeToken(new Actor(org, admin), t.id()));
            engine.orgs().bootstrap("Old org", "fixed-token-0123456789");
            assertThat(engine.orgs().authenticate("fixed-token-0123456789")).isEqualTo(new Actor(org, admin));
        }
    }
}

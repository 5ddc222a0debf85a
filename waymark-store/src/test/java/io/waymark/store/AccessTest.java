package io.waymark.store;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.waymark.Actor;
import io.waymark.Waymark;
import io.waymark.criteria.CompactCriteria;
import io.waymark.error.ForbiddenException;
import io.waymark.error.NotFoundException;
import io.waymark.error.ValidationException;
import io.waymark.identity.Capability;
import io.waymark.identity.Orgs;
import io.waymark.record.Record;
import io.waymark.record.RecordStore;
import io.waymark.record.Records;
import io.waymark.signal.SignalQuery;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.Team;
import io.waymark.store.testing.TestDb;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

class AccessTest {

    private static Record lead(Waymark e, Actor who, String name) {
        return e.records().create(who, "Leads", json("{'Last_Name': '" + name + "'}"));
    }

    private static List<String> names(RecordStore.RecordPage page) {
        return page.records().stream().map(r -> (String) r.values().get("Last_Name")).sorted().toList();
    }

    @BothDatabases
    void aRepSeesOwnRecordsAndTheManagerSeesThoseOfTheRolesBelow(TestDb db) {
        Waymark e = db.engine();
        Team t = Team.of(e, db.admin());
        Record l0 = lead(e, t.admin, "Admin-owned");
        Record l1 = lead(e, t.rep1, "Rep1-owned");
        Record l2 = lead(e, t.rep2, "Rep2-owned");
        Records r = e.records();

        assertThat(names(r.list(t.rep1, "Leads", null, null, 100, null))).containsExactly("Rep1-owned");
        assertThat(r.count(t.rep1, "Leads", null)).isEqualTo(1);
        assertThat(r.get(t.rep1, "Leads", l1.id()).id()).isEqualTo(l1.id());
        assertThatThrownBy(() -> r.get(t.rep1, "Leads", l2.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> r.timeline(t.rep1, "Leads", l2.id(), 10, null)).isInstanceOf(NotFoundException.class);

        assertThat(names(r.list(t.manager, "Leads", null, null, 100, null))).containsExactly("Rep1-owned", "Rep2-owned");
        assertThatThrownBy(() -> r.get(t.manager, "Leads", l0.id())).isInstanceOf(NotFoundException.class);
        assertThat(r.count(t.admin, "Leads", null)).isEqualTo(3);
        // Criteria cannot reach around visibility: an OR still only sees the reader's records.
        assertThat(r.count(t.rep1, "Leads", CompactCriteria.parse("(Last_Name:equals:Rep2-owned)or(Last_Name:equals:Admin-owned)"))).isZero();
    }

    @BothDatabases
    void peersSeeEachOthersRecordsOnceTheRoleSharesAndAtOnce(TestDb db) {
        Waymark e = db.engine();
        Team t = Team.of(e, db.admin());
        Record l2 = lead(e, t.rep2, "Rep2-owned");
        assertThatThrownBy(() -> e.records().get(t.rep1, "Leads", l2.id())).isInstanceOf(NotFoundException.class);

        e.roles().update(t.admin, t.repRole, json("{'share_with_peers': true}"));

        assertThat(e.records().get(t.rep1, "Leads", l2.id()).id()).isEqualTo(l2.id());
    }

    @BothDatabases
    void visibilityIsAppliedInTheQueryBeforePaging(TestDb db) {
        Waymark e = db.engine();
        Team t = Team.of(e, db.admin());
        for (int i = 0; i < 20; i++) {
            lead(e, t.admin, "Hidden " + i);
        }
        for (int i = 0; i < 7; i++) {
            lead(e, t.rep1, "Mine " + i);
            db.clock().advance(java.time.Duration.ofSeconds(1));
        }
        List<Integer> sizes = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            RecordStore.RecordPage page = e.records().list(t.rep1, "Leads", null, null, 3, cursor);
            sizes.add(page.records().size());
            seen.addAll(names(page));
            cursor = page.next();
        } while (cursor != null);
        // Full pages prove the filter runs in SQL: filtering fetched pages afterwards would leave gaps.
        assertThat(sizes).containsExactly(3, 3, 1);
        assertThat(seen).hasSize(7).allMatch(n -> n.startsWith("Mine"));
    }

    @BothDatabases
    void lookupsAndRelatedListsOnlyReachVisibleRecords(TestDb db) {
        Waymark e = db.engine();
        Team t = Team.of(e, db.admin());
        Record adminsAccount = e.records().create(t.admin, "Accounts", json("{'Account_Name': 'Zylker HQ'}"));
        assertThatThrownBy(() -> e.records().create(t.rep1, "Contacts",
                json("{'Last_Name': 'Patel', 'Account_Name': '" + adminsAccount.id() + "'}")))
                .isInstanceOfSatisfying(ValidationException.class, v -> assertThat(v.errors()).extracting(f -> f.field()).containsExactly("Account_Name"));

        Record repsAccount = e.records().create(t.rep1, "Accounts", json("{'Account_Name': 'Rep Travel'}"));
        e.records().create(t.rep1, "Contacts", json("{'Last_Name': 'Rao', 'Account_Name': '" + repsAccount.id() + "'}"));
        e.records().create(t.admin, "Contacts", json("{'Last_Name': 'Boss', 'Account_Name': '" + repsAccount.id() + "'}"));

        assertThat(names(e.records().related(t.manager, "Accounts", repsAccount.id(), "Contacts", null, 100, null))).containsExactly("Rao");
        assertThat(names(e.records().related(t.admin, "Accounts", repsAccount.id(), "Contacts", null, 100, null))).containsExactly("Boss", "Rao");
        assertThatThrownBy(() -> e.records().related(t.rep2, "Accounts", repsAccount.id(), "Contacts", null, 100, null))
                .isInstanceOf(NotFoundException.class);
    }

    @BothDatabases
    void aReadOnlySharingRuleShowsRecordsButAReadWriteOneLetsChangeThem(TestDb db) {
        Waymark e = db.engine();
        Team t = Team.of(e, db.admin());
        Record l0 = lead(e, t.admin, "Admin-owned");
        e.sharingRules().create(t.admin, json("{'module': 'Leads', 'grantee_type': 'role', 'grantee_id': '" + t.repRole + "', 'access': 'read_only'}"));

        assertThat(e.records().get(t.rep2, "Leads", l0.id()).id()).isEqualTo(l0.id());
        assertThatThrownBy(() -> e.records().update(t.rep2, "Leads", l0.id(), json("{'Last_Name': 'Mine now'}"), null))
                .isInstanceOf(ForbiddenException.class);
        assertThatThrownBy(() -> e.records().delete(t.rep2, "Leads", l0.id(), null)).isInstanceOf(ForbiddenException.class);
        assertThat(e.records().get(t.admin, "Leads", l0.id()).version()).isEqualTo(1);
        // Contacts are not shared by the rule.
        Record c = e.records().create(t.admin, "Contacts", json("{'Last_Name': 'Hidden'}"));
        assertThatThrownBy(() -> e.records().get(t.rep2, "Contacts", c.id())).isInstanceOf(NotFoundException.class);

        UUID group = e.groups().create(t.admin, json("{'name': 'Lead desk', 'members': ['" + t.rep2.userId() + "']}")).id();
        e.sharingRules().create(t.admin, json("{'module': 'Leads', 'grantee_type': 'group', 'grantee_id': '" + group + "', 'access': 'read_write'}"));
        assertThat(e.records().update(t.rep2, "Leads", l0.id(), json("{'Last_Name': 'Edited'}"), null).version()).isEqualTo(2);
        assertThatThrownBy(() -> e.records().update(t.rep1, "Leads", l0.id(), json("{'Last_Name': 'No'}"), null))
                .isInstanceOf(ForbiddenException.class);
    }

    @BothDatabases
    void profilesDecideWhatMayBeDoneWithEachModule(TestDb db) {
        Waymark e = db.engine();
        Team t = Team.of(e, db.admin());
        Record l0 = lead(e, t.admin, "Admin-owned");
        assertThatThrownBy(() -> e.records().list(t.nobody, "Leads", null, null, 10, null)).isInstanceOf(ForbiddenException.class);
        assertThatThrownBy(() -> lead(e, t.nobody, "Nope")).isInstanceOf(ForbiddenException.class);
        assertThatThrownBy(() -> e.records().get(t.nobody, "Leads", l0.id())).isInstanceOf(ForbiddenException.class);

        UUID viewer = e.profiles().create(t.admin, json("{'name': 'Lead viewer', 'permissions': {'view_all_records': true, "
                + "'modules': {'*': [], 'Leads': ['view', 'export']}}}")).id();
        e.users().update(t.admin, t.nobody.userId(), json("{'profile': '" + viewer + "'}"));

        assertThat(e.records().get(t.nobody, "Leads", l0.id()).id()).isEqualTo(l0.id());
        assertThatThrownBy(() -> lead(e, t.nobody, "Nope")).isInstanceOf(ForbiddenException.class);
        assertThatThrownBy(() -> e.records().list(t.nobody, "Contacts", null, null, 10, null)).isInstanceOf(ForbiddenException.class);
        assertThat(e.records().export(t.nobody, "Leads", null, null).records()).hasSize(1);
        assertThatThrownBy(() -> e.records().export(t.rep1, "Leads", null, null)).isInstanceOf(ForbiddenException.class);
        assertThat(e.audit().list(t.admin, "data.exported", null, null, 10, null)).singleElement()
                .satisfies(a -> assertThat(a.actorId()).isEqualTo(t.nobody.userId()));
    }

    @BothDatabases
    void capabilitiesGuardDefinitionsTheLogAndUsers(TestDb db) {
        Waymark e = db.engine();
        Team t = Team.of(e, db.admin());
        assertThatThrownBy(() -> e.metadata().createModule(t.rep1, json("{'api_name': 'Trips', 'singular_label': 'Trip', 'plural_label': 'Trips'}")))
                .isInstanceOf(ForbiddenException.class);
        assertThatThrownBy(() -> e.signals().query(t.rep1, new SignalQuery(null, null, null, null, null, 10, null)))
                .isInstanceOf(ForbiddenException.class);
        assertThatThrownBy(() -> e.signals().ingest(t.rep1, List.of(json("{'type': 'web.visit', 'subject': 's1'}"))))
                .isInstanceOf(ForbiddenException.class);
        assertThatThrownBy(() -> e.users().create(t.rep1, json("{'email': 'x@example.com', 'name': 'X'}"))).isInstanceOf(ForbiddenException.class);
        assertThatThrownBy(() -> e.access().require(t.rep1, Capability.MANAGE_JOURNEYS)).isInstanceOf(ForbiddenException.class);
        for (Capability c : Capability.values()) {
            e.access().require(t.admin, c);
            e.access().require(Actor.system(t.admin.orgId()), c);
        }
        assertThat(e.access().has(new Actor(t.admin.orgId(), UUID.randomUUID()), Capability.MANAGE_USERS)).isFalse();
    }

    @BothDatabases
    void theSystemActorSeesEveryRecordOfItsOrganisationAndNoOther(TestDb db) {
        Waymark e = db.engine();
        Team t = Team.of(e, db.admin());
        Record l1 = lead(e, t.rep1, "Rep1-owned");
        lead(e, t.admin, "Admin-owned");
        assertThat(e.records().count(Actor.system(t.admin.orgId()), "Leads", null)).isEqualTo(2);
        Orgs.Created other = db.otherOrg();
        Actor otherSystem = Actor.system(other.admin().orgId());
        assertThatThrownBy(() -> e.records().get(otherSystem, "Leads", l1.id())).isInstanceOf(NotFoundException.class);
        assertThat(e.records().count(otherSystem, "Leads", null)).isZero();
    }

    @BothDatabases
    void transferringOwnershipMovesWhoSeesTheRecord(TestDb db) {
        Waymark e = db.engine();
        Team t = Team.of(e, db.admin());
        Record l1 = lead(e, t.rep1, "Rep1-owned");
        Record l2 = lead(e, t.rep2, "Rep2-owned");

        e.records().transferOwnership(t.manager, "Leads", List.of(l1.id()), t.rep2.userId());

        assertThatThrownBy(() -> e.records().get(t.rep1, "Leads", l1.id())).isInstanceOf(NotFoundException.class);
        assertThat(e.records().get(t.rep2, "Leads", l1.id()).owner()).isEqualTo(t.rep2.userId());
        assertThatThrownBy(() -> e.records().transferOwnership(t.rep1, "Leads", List.of(l2.id()), t.rep1.userId()))
                .isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> e.records().transferOwnership(t.rep2, "Leads", List.of(l2.id()), UUID.randomUUID()))
                .isInstanceOfSatisfying(ValidationException.class, v -> assertThat(v.errors().get(0).field()).endsWith("Owner"));
        assertThat(e.records().get(t.rep2, "Leads", l2.id()).owner()).isEqualTo(t.rep2.userId());
    }

    @BothDatabases
    void aLeaversRecordsAllMoveToAnotherUserAndARerunMovesNothing(TestDb db) {
        Waymark e = db.engine();
        Team t = Team.of(e, db.admin());
        for (int i = 0; i < 3; i++) {
            lead(e, t.rep1, "Leaver " + i);
        }
        e.records().create(t.rep1, "Contacts", json("{'Last_Name': 'Leaver contact'}"));
        lead(e, t.rep2, "Stays");
        e.users().update(t.admin, t.rep1.userId(), json("{'active': false}"));
        assertThatThrownBy(() -> e.records().transferAll(t.manager, t.rep1.userId(), t.rep2.userId(), null)).isInstanceOf(ForbiddenException.class);
        assertThatThrownBy(() -> e.records().transferAll(t.admin, t.rep1.userId(), t.rep1.userId(), null))
                .isInstanceOfSatisfying(ValidationException.class, v -> assertThat(v.errors().get(0).field()).isEqualTo("to"));

        var moved = e.records().transferAll(t.admin, t.rep1.userId(), t.rep2.userId(), null);

        assertThat(moved).containsEntry("Leads", 3).containsEntry("Contacts", 1);
        assertThat(e.records().count(t.rep2, "Leads", null)).isEqualTo(4);
        assertThat(e.records().transferAll(t.admin, t.rep1.userId(), t.rep2.userId(), List.of("Leads"))).containsEntry("Leads", 0);
        assertThat(e.audit().list(t.admin, "ownership.transferred", null, null, 10, null)).hasSize(2);
    }

    @BothDatabases
    void theManagerIsFoundUpTheHierarchy(TestDb db) {
        Waymark e = db.engine();
        Team t = Team.of(e, db.admin());
        assertThat(e.users().above(t.admin, t.rep1.userId(), 1)).containsExactly(t.manager.userId());
        assertThat(e.users().above(t.admin, t.rep1.userId(), 2)).containsExactly(t.admin.userId());
        assertThat(e.users().above(t.admin, t.rep1.userId(), 3)).isEmpty();
        UUID group = e.groups().create(t.admin, json("{'name': 'Approvers', 'members': ['" + t.manager.userId() + "', '" + t.rep1.userId() + "']}")).id();
        assertThat(e.access().members(t.admin.orgId(), group)).isEqualTo(Set.of(t.manager.userId(), t.rep1.userId()));
    }

    @BothDatabases
    void aRoleCannotReportToItselfOrBelowAndInUseThingsAreNotDeleted(TestDb db) {
        Waymark e = db.engine();
        Team t = Team.of(e, db.admin());
        assertThatThrownBy(() -> e.roles().update(t.admin, t.managerRole, json("{'reports_to': '" + t.repRole + "'}")))
                .isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> e.roles().delete(t.admin, t.repRole)).isInstanceOf(io.waymark.error.ConflictException.class);
        assertThatThrownBy(() -> e.profiles().delete(t.admin, t.nothingProfile)).isInstanceOf(io.waymark.error.ConflictException.class);
        UUID admins = e.users().get(t.admin, t.admin.userId()).profileId();
        assertThatThrownBy(() -> e.profiles().update(t.admin, admins, json("{'name': 'Root'}"))).isInstanceOf(io.waymark.error.ConflictException.class);
        assertThat(e.roles().get(t.admin, t.managerRole).parentId()).isEqualTo(t.ceoRole);
    }
}

package io.waymark.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.waymark.error.ConflictException;
import io.waymark.journey.JourneyStore.Instance;
import io.waymark.journey.JourneyStore.InstanceUpdate;
import io.waymark.journey.JourneyStore.Step;
import io.waymark.journey.JourneyStore.StoredJourney;
import io.waymark.json.Json;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A dispatcher pass's instance writes ({@code saveInstancesAndSteps}, one statement on
 * PostgreSQL): new instances, moved ones and their path lines all land, exactly as given; an
 * instance that moved meanwhile (its visit is not the one read) fails the whole write, and the
 * transaction leaves nothing behind.
 */
class JourneyInstanceWritesTest {
    private static final Instant T = Instant.parse("2026-03-01T09:00:00.123456Z");

    private static JdbcJourneyStore store(TestDb db) {
        return new JdbcJourneyStore((JdbcTransactor) db.store().transactor(), Dialect.of(db.kind().equals("h2") ? "jdbc:h2:" : "jdbc:postgresql:"));
    }

    private static Instance instance(TestDb db, UUID journey, UUID id, String state, int visit, Instant endedAt) {
        return new Instance(id, db.admin().orgId(), journey, 1, "Leads:" + id, state, endedAt == null ? "active" : "succeeded", "Leads", null, visit,
                T.plusSeconds(visit), T, endedAt);
    }

    private static Step step(TestDb db, UUID journey, UUID instance, int n, String from, String to) {
        return new Step(instance, n, db.admin().orgId(), journey, 1, "transition", from, to, "opened", new UUID(instance.getMostSignificantBits(), n), "email.opened", null,
                T.plusSeconds(n), (com.fasterxml.jackson.databind.node.ObjectNode) Json.read("{\"actions\": [{\"key\": \"a\", \"type\": \"field_update\"}]}"));
    }

    private static UUID journey(TestDb db, JdbcJourneyStore s) {
        UUID journey = UUID.randomUUID();
        db.store().transactor().run(() -> s.insertJourney(new StoredJourney(journey, db.admin().orgId(), "J " + journey, "active", Json.object(), 1, 1, T, T)));
        return journey;
    }

    @BothDatabases
    void newAndMovedInstancesAndTheirPathLinesLandTogether(TestDb db) {
        JdbcJourneyStore s = store(db);
        UUID journey = journey(db, s);
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID c = UUID.randomUUID();
        db.store().transactor().run(() -> s.saveInstances(List.of(instance(db, journey, a, "Nurturing", 1, null), instance(db, journey, b, "Nurturing", 1, null)),
                List.of()));

        Instance movedA = instance(db, journey, a, "Surveyed", 2, null);
        Instance endedB = instance(db, journey, b, "Converted", 2, T.plusSeconds(60));
        Instance newC = instance(db, journey, c, "Nurturing", 1, null);
        db.store().transactor().run(() -> s.saveInstancesAndSteps(List.of(newC),
                List.of(new InstanceUpdate(movedA, 1), new InstanceUpdate(endedB, 1)),
                List.of(step(db, journey, a, 2, "Nurturing", "Surveyed"), step(db, journey, b, 2, "Nurturing", "Converted"),
                        step(db, journey, c, 1, null, "Nurturing"))));

        assertThat(s.findInstance(db.admin().orgId(), a)).contains(movedA);
        assertThat(s.findInstance(db.admin().orgId(), b)).contains(endedB);
        assertThat(s.findInstance(db.admin().orgId(), c)).contains(newC);
        assertThat(s.steps(db.admin().orgId(), a)).containsExactly(step(db, journey, a, 2, "Nurturing", "Surveyed"));
        assertThat(s.steps(db.admin().orgId(), b)).containsExactly(step(db, journey, b, 2, "Nurturing", "Converted"));
        assertThat(s.steps(db.admin().orgId(), c)).containsExactly(step(db, journey, c, 1, null, "Nurturing"));
    }

    @BothDatabases
    void anInstanceThatMovedMeanwhileFailsTheWriteAndNothingLands(TestDb db) {
        JdbcJourneyStore s = store(db);
        UUID journey = journey(db, s);
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        Instance a1 = instance(db, journey, a, "Nurturing", 1, null);
        Instance b2 = instance(db, journey, b, "Surveyed", 2, null);
        db.store().transactor().run(() -> s.saveInstances(List.of(a1, b2), List.of()));

        // b is at visit 2 already: the pass read it at visit 1.
        assertThatThrownBy(() -> db.store().transactor().run(() -> s.saveInstancesAndSteps(List.of(),
                List.of(new InstanceUpdate(instance(db, journey, a, "Surveyed", 2, null), 1),
                        new InstanceUpdate(instance(db, journey, b, "Converted", 2, null), 1)),
                List.of(step(db, journey, a, 2, "Nurturing", "Surveyed"), step(db, journey, b, 2, "Nurturing", "Converted")))))
                .isInstanceOf(ConflictException.class).hasMessageContaining(b.toString());

        assertThat(s.findInstance(db.admin().orgId(), a)).contains(a1);
        assertThat(s.findInstance(db.admin().orgId(), b)).contains(b2);
        assertThat(s.steps(db.admin().orgId(), a)).isEmpty();
        assertThat(s.steps(db.admin().orgId(), b)).isEmpty();
    }
}

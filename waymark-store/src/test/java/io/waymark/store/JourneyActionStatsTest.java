package io.waymark.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.waymark.journey.JourneyStore.ActionStats;
import io.waymark.journey.JourneyStore.StoredJourney;
import io.waymark.json.Json;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A journey's action counters: deltas add up, also several for one counter in one call, and a new counter starts from zero. */
class JourneyActionStatsTest {
    @BothDatabases
    void deltasAddUpPerCounterWhateverTheirNumberAndOrder(TestDb db) {
        JdbcJourneyStore store = new JdbcJourneyStore((JdbcTransactor) db.store().transactor(),
                Dialect.of(db.kind().equals("h2") ? "jdbc:h2:" : "jdbc:postgresql:"));
        UUID journey = UUID.randomUUID();
        Instant t = Instant.parse("2026-03-01T09:00:00Z");
        db.store().transactor().run(() -> store.insertJourney(new StoredJourney(journey, db.admin().orgId(), "J " + journey, "active",
                Json.object(), 1, 1, t, t)));

        // Two deltas for "welcome" in one call (a multi-row upsert may not touch a row twice),
        // given out of key order.
        db.store().transactor().run(() -> store.addActionStats(List.of(
                new ActionStats(journey, 1, "welcome", "send_email", 1, 0, 0),
                new ActionStats(journey, 1, "assign", "field_update", 2, 1, 0),
                new ActionStats(journey, 1, "welcome", "send_email", 0, 1, 0))));
        db.store().transactor().run(() -> store.addActionStats(List.of(
                new ActionStats(journey, 1, "welcome", "send_email", 0, 0, 1),
                new ActionStats(journey, 2, "welcome", "send_email", 3, 3, 0))));

        assertThat(store.actionStats(db.admin().orgId(), journey)).containsExactly(
                new ActionStats(journey, 1, "assign", "field_update", 2, 1, 0),
                new ActionStats(journey, 1, "welcome", "send_email", 1, 1, 1),
                new ActionStats(journey, 2, "welcome", "send_email", 3, 3, 0));
    }
}

package io.waymark.store.automation;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.waymark.Waymark;
import io.waymark.record.Record;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import java.time.Clock;
import java.time.Duration;

class BackgroundWorkersTest {

    @BothDatabases
    void theEngineRunsRulesAndActionsInTheBackgroundAndStopsCleanly(TestDb db) throws InterruptedException {
        // The real clock and the real threads, as the server runs them.
        Waymark engine = db.store().engine(Clock.systemUTC());
        engine.workflowRules().create(db.admin(), json("{'name': 'bg', 'module': 'Deals', 'trigger': {'type': 'create'}, "
                + "'rules': [{'actions': [{'type': 'field_update', 'config': {'field': 'Description', 'value': 'seen by {{Deals.Deal_Name}}'}}]}]}"));
        engine.start(Duration.ofMillis(20), 2);
        try {
            Record d = engine.records().create(db.admin(), "Deals", json("{'Deal_Name': 'Background'}"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (engine.records().get(db.admin(), "Deals", d.id()).values().get("Description") == null) {
                assertThat(System.nanoTime()).as("the background workers ran the rule").isLessThan(deadline);
                Thread.sleep(10);
            }
            assertThat(engine.records().get(db.admin(), "Deals", d.id()).values().get("Description")).isEqualTo("seen by Background");
        } finally {
            engine.close();
        }
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.isAlive()
                && (t.getName().startsWith("waymark-outbox") || t.getName().equals("waymark-signal-dispatcher")));
    }
}

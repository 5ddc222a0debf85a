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
    /**
     * With polls too long to matter, the actions a pass decided still run at once: the workers
     * are woken when the pass has committed (not while its entries are still invisible to them),
     * and each of the two workers notices a wake for its own share even when the other woke first.
     */
    @BothDatabases
    void actionsDecidedByAPassRunWhenItCommitsNotAtTheNextPoll(TestDb db) throws InterruptedException {
        Waymark engine = db.store().engine(Clock.systemUTC());
        engine.workflowRules().create(db.admin(), json("{'name': 'bg', 'module': 'Deals', 'trigger': {'type': 'create'}, "
                + "'rules': [{'actions': [{'type': 'field_update', 'config': {'field': 'Description', 'value': 'seen'}}]}]}"));
        engine.dispatcher().start(Duration.ofHours(1));
        engine.outbox().start(2, Duration.ofHours(1));
        try {
            java.util.List<Record> deals = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                deals.add(engine.records().create(db.admin(), "Deals", json("{'Deal_Name': 'Deal " + i + "'}")));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            for (Record d : deals) {
                while (engine.records().get(db.admin(), "Deals", d.id()).values().get("Description") == null) {
                    assertThat(System.nanoTime()).as("the workers ran the action of %s without waiting for a poll", d.id()).isLessThan(deadline);
                    Thread.sleep(10);
                }
            }
        } finally {
            engine.close();
        }
    }
    /**
     * An action decided by an API call (entering a customer into a journey by API) runs once the
     * call has committed, with polls too long to matter: the workers are woken after the commit.
     */
    @BothDatabases
    void anActionDecidedByAnApiCallRunsWhenItCommitsNotAtTheNextPoll(TestDb db) throws InterruptedException {
        Waymark engine = db.store().engine(Clock.systemUTC());
        com.fasterxml.jackson.databind.node.ObjectNode j = engine.journeys().create(db.admin(), json("{'name': 'By API', 'entry': [{'type': 'api'}], 'states': ["
                + "{'key': 'a', 'module': 'Leads', 'on_enter': [{'type': 'field_update', 'config': {'field': 'Lead_Status', 'value': 'Contacted'}}],"
                + " 'transitions': [{'signal': 'email.opened', 'to': 'b'}]}, {'key': 'b', 'end': 'success'}]}"));
        java.util.UUID id = java.util.UUID.fromString(j.get("id").asText());
        engine.journeys().publish(db.admin(), id);
        engine.dispatcher().start(Duration.ofHours(1));
        engine.outbox().start(2, Duration.ofHours(1));
        try {
            Record lead = engine.records().create(db.admin(), "Leads", json("{'Last_Name': 'Api'}"));
            engine.journeys().enroll(db.admin(), id, json("{'module': 'Leads', 'record_id': '" + lead.id() + "'}"));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!"Contacted".equals(engine.records().get(db.admin(), "Leads", lead.id()).values().get("Lead_Status"))) {
                assertThat(System.nanoTime()).as("the workers ran the entry action without waiting for a poll").isLessThan(deadline);
                Thread.sleep(10);
            }
        } finally {
            engine.close();
        }
    }
}

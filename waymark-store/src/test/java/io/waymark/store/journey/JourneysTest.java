package io.waymark.store.journey;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.error.ConflictException;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.record.Record;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

class JourneysTest {
    static final String NURTURE = "{'name': 'Nurture', 'entry': [{'type': 'record_created', 'module': 'Leads'}], 'states': ["
            + "{'key': 'nurturing', 'module': 'Leads', 'transitions': ["
            + "  {'key': 'opened', 'signal': 'email.opened', 'to': 'surveyed', 'actions': [{'type': 'field_update', 'config': {'field': 'Lead_Status', 'value': 'Contacted'}}]},"
            + "  {'key': 'silent', 'after': '2d', 'to': 'lost'}]},"
            + "{'key': 'surveyed', 'module': 'Leads', 'transitions': ["
            + "  {'key': 'answered', 'signal': 'survey.responded', 'criteria': '(score:greater_than:5)', 'to': 'converted', 'actions': [{'type': 'field_update', 'config': {'field': 'Lead_Status', 'value': 'Pre-Qualified'}}]},"
            + "  {'key': 'unhappy', 'signal': 'survey.responded', 'to': 'lost'}],"
            + " 'deadline': {'after': '3d', 'actions': [{'type': 'create_task', 'config': {'subject': 'Chase the survey', 'due': 'today + 1d'}}]}},"
            + "{'key': 'converted', 'end': 'success'}, {'key': 'lost', 'end': 'failure'}]}";

    static UUID publish(TestDb db, String def) {
        ObjectNode j = db.engine().journeys().create(db.admin(), json(def));
        UUID id = UUID.fromString(j.get("id").asText());
        db.engine().journeys().publish(db.admin(), id);
        return id;
    }

    static Record lead(TestDb db, String name) {
        return db.engine().records().create(db.admin(), "Leads", json("{'Last_Name': '" + name + "'}"));
    }

    static void signal(TestDb db, Record r, String type, String payload) {
        db.engine().signals().ingest(db.admin(), List.of(json("{'type': '" + type + "', 'subject': '" + r.subject() + "', 'payload': " + payload + "}")));
    }

    static JsonNode instanceOf(TestDb db, Record r) {
        JsonNode all = db.engine().journeys().instancesOfSubject(db.admin(), r.subject());
        assertThat(all).hasSize(1);
        return db.engine().journeys().instance(db.admin(), UUID.fromString(all.get(0).get("id").asText()));
    }

    static List<FieldError> errors(TestDb db, String def) {
        try {
            db.engine().journeys().create(db.admin(), json(def));
        } catch (ValidationException e) {
            return e.errors();
        }
        throw new AssertionError("expected a validation error");
    }

    @BothDatabases
    void signalsMoveTheCustomerAndActionsRunThroughTheOutbox(TestDb db) {
        UUID j = publish(db, NURTURE);
        Record ann = lead(db, "Ann");
        db.engine().runPending();
        assertThat(instanceOf(db, ann).get("state").asText()).isEqualTo("nurturing");
        signal(db, ann, "email.opened", "{'template': 'welcome'}");
        db.engine().runPending();
        assertThat(db.engine().records().get(db.admin(), "Leads", ann.id()).values().get("Lead_Status")).isEqualTo("Contacted");
        signal(db, ann, "survey.responded", "{'score': 9}");
        db.engine().runPending();
        JsonNode inst = instanceOf(db, ann);
        assertThat(inst.get("state").asText()).isEqualTo("converted");
        assertThat(inst.get("status").asText()).isEqualTo("succeeded");
        JsonNode path = inst.get("path");
        assertThat(path).hasSize(3);
        assertThat(path.get(1).get("signal_type").asText()).isEqualTo("email.opened");
        assertThat(path.get(1).get("actions").get(0).get("status").asText()).isEqualTo("done");
        assertThat(path.get(2).get("transition").asText()).isEqualTo("answered");
        JsonNode a = db.engine().journeys().analytics(db.admin(), j, null, "day");
        assertThat(a.get("started").asLong()).isEqualTo(1);
        assertThat(a.at("/ends/converted/count").asLong()).isEqualTo(1);
        assertThat(a.get("actions")).anySatisfy(x -> {
            assertThat(x.get("key").asText()).isEqualTo("nurturing.opened:0");
            assertThat(x.get("runs").asLong()).isEqualTo(1);
            assertThat(x.get("succeeded").asLong()).isEqualTo(1);
        });
    }

    @BothDatabases
    void precedenceAndCriteriaPickTheTransition(TestDb db) {
        publish(db, NURTURE);
        Record bob = lead(db, "Bob");
        db.engine().runPending();
        signal(db, bob, "email.opened", "{}");
        signal(db, bob, "survey.responded", "{'score': 2}");
        db.engine().runPending();
        JsonNode inst = instanceOf(db, bob);
        assertThat(inst.get("state").asText()).isEqualTo("lost");
        assertThat(inst.get("status").asText()).isEqualTo("failed");
    }

    @BothDatabases
    void nothingHappeningForTwoDaysMovesOnAndDeadlinesEscalate(TestDb db) {
        UUID j = publish(db, NURTURE);
        Record quiet = lead(db, "Quiet");
        Record slow = lead(db, "Slow");
        db.engine().runPending();
        signal(db, slow, "email.opened", "{}");
        db.engine().runPending();
        db.clock().advance(Duration.ofDays(1));
        db.engine().runPending();
        assertThat(instanceOf(db, quiet).get("state").asText()).isEqualTo("nurturing");
        db.clock().advance(Duration.ofDays(1).plusMinutes(1));
        db.engine().runPending();
        JsonNode q = instanceOf(db, quiet);
        assertThat(q.get("state").asText()).isEqualTo("lost");
        assertThat(q.get("path").get(1).get("kind").asText()).isEqualTo("timeout");
        db.clock().advance(Duration.ofDays(2));
        db.engine().runPending();
        JsonNode s = instanceOf(db, slow);
        assertThat(s.get("state").asText()).isEqualTo("surveyed");
        assertThat(s.get("path").get(2).get("kind").asText()).isEqualTo("deadline");
        assertThat(db.engine().records().count(db.admin(), "Tasks", io.waymark.criteria.CompactCriteria.parse("(Subject:equals:Chase the survey)")))
                .isEqualTo(1);
        JsonNode a = db.engine().journeys().analytics(db.admin(), j, null, "day");
        JsonNode surveyed = null;
        for (JsonNode st : a.get("states")) {
            if (st.get("state").asText().equals("surveyed")) {
                surveyed = st;
            }
        }
        assertThat(surveyed.at("/drop_offs/missed_deadlines").asLong()).isEqualTo(1);
        assertThat(surveyed.get("now").asLong()).isEqualTo(1);
    }

    @BothDatabases
    void validationNamesTheStateOrTransition(TestDb db) {
        List<FieldError> e = errors(db, "{'name': 'Bad', 'entry': [{'type': 'api'}], 'states': ["
                + "{'key': 'a', 'module': 'Leads', 'transitions': [{'signal': 'email.opend', 'to': 'b'}, {'signal': 'email.opened', 'criteria': '(colour:equals:red)', 'to': 'b'}]},"
                + "{'key': 'b', 'module': 'Leads'}, {'key': 'island', 'module': 'Leads', 'transitions': [{'signal': 'email.opened', 'to': 'done'}]},"
                + "{'key': 'done', 'end': 'success'}]}");
        assertThat(e).extracting(FieldError::message).anySatisfy(m -> assertThat(m).contains("unknown signal type 'email.opend'"));
        assertThat(e).extracting(FieldError::message).anySatisfy(m -> assertThat(m).contains("colour"));
        List<FieldError> g = errors(db, "{'name': 'Bad', 'entry': [{'type': 'api'}], 'states': ["
                + "{'key': 'a', 'module': 'Leads', 'transitions': [{'signal': 'email.opened', 'to': 'b'}]},"
                + "{'key': 'b', 'module': 'Leads'}, {'key': 'island', 'module': 'Leads', 'transitions': [{'signal': 'email.opened', 'to': 'done'}]},"
                + "{'key': 'done', 'end': 'success'}]}");
        assertThat(g).anySatisfy(f -> assertThat(f.message()).contains("state 'b' is not an end state and has no way out"));
        assertThat(g).anySatisfy(f -> assertThat(f.message()).contains("state 'island' is unreachable"));
        List<FieldError> loop = errors(db, "{'name': 'Loop', 'entry': [{'type': 'api'}], 'states': ["
                + "{'key': 'a', 'module': 'Leads', 'transitions': [{'key': 'go', 'automatic': true, 'record_criteria': '(Last_Name:is_not_empty)', 'to': 'b'}, {'signal': 'email.opened', 'to': 'done'}]},"
                + "{'key': 'b', 'module': 'Leads', 'transitions': [{'key': 'back', 'automatic': true, 'record_criteria': '(Last_Name:is_not_empty)', 'to': 'a'}]},"
                + "{'key': 'done', 'end': 'success'}]}");
        assertThat(loop).anySatisfy(f -> assertThat(f.message()).contains("a.go").contains("b.back").contains("never waits"));
        assertThat(db.engine().journeys().list(db.admin())).isEmpty();
    }

    @BothDatabases
    void aConvertedLeadsInstanceFollowsItToTheContact(TestDb db) {
        publish(db, "{'name': 'Conv', 'entry': [{'type': 'record_created', 'module': 'Leads'}], 'states': ["
                + "{'key': 'lead', 'module': 'Leads', 'on_enter': [{'type': 'convert_lead', 'config': {}}],"
                + "  'transitions': [{'signal': 'lead.converted', 'to': 'contact'}]},"
                + "{'key': 'contact', 'module': 'Contacts', 'transitions': [{'signal': 'record.created', 'module': 'Deals', 'to': 'dealing'}]},"
                + "{'key': 'dealing', 'module': 'Deals', 'transitions': [{'signal': 'record.updated', 'module': 'Deals', 'criteria': '(Stage:changed_to:Closed Won)', 'to': 'won'}]},"
                + "{'key': 'won', 'end': 'success'}]}");
        Record l = lead(db, "Conv");
        db.engine().runPending();
        JsonNode i = instanceOf(db, l);
        assertThat(i.get("state").asText()).isEqualTo("contact");
        assertThat(i.get("module").asText()).isEqualTo("Contacts");
        Record contact = db.engine().records().get(db.admin(), "Contacts", UUID.fromString(i.get("record_id").asText()));
        Record deal = db.engine().records().create(db.admin(), "Deals", json("{'Deal_Name': 'Trip', 'Contact_Name': '" + contact.id() + "'}"));
        db.engine().runPending();
        i = instanceOf(db, l);
        assertThat(i.get("state").asText()).isEqualTo("dealing");
        assertThat(i.get("record_id").asText()).isEqualTo(deal.id().toString());
        db.engine().records().update(db.admin(), "Deals", deal.id(), json("{'Amount': 5}"), null);
        db.engine().runPending();
        assertThat(instanceOf(db, l).get("state").asText()).isEqualTo("dealing");
        db.engine().records().update(db.admin(), "Deals", deal.id(), json("{'Stage': 'Closed Won'}"), null);
        db.engine().runPending();
        assertThat(instanceOf(db, l).get("status").asText()).isEqualTo("succeeded");
    }

    @BothDatabases
    void versionsMigrationManualMovesAndDeactivation(TestDb db) {
        UUID j = publish(db, NURTURE.replace("'record_created', 'module': 'Leads'}", "'record_created', 'module': 'Leads'}, {'type': 'api'}"));
        Record a = lead(db, "A");
        db.engine().runPending();
        db.engine().journeys().update(db.admin(), j, json(NURTURE.replace("'key': 'surveyed'", "'key': 'asked'").replace("'to': 'surveyed'", "'to': 'asked'")
                .replace("'record_created', 'module': 'Leads'}", "'record_created', 'module': 'Leads'}, {'type': 'api'}")), null);
        db.engine().journeys().publish(db.admin(), j);
        Record b = lead(db, "B");
        db.engine().runPending();
        assertThat(instanceOf(db, a).get("version").asInt()).isEqualTo(1);
        assertThat(instanceOf(db, b).get("version").asInt()).isEqualTo(2);
        assertThatThrownBy(() -> db.engine().journeys().migrate(db.admin(), j, json("{'from_version': 1, 'to_version': 2, 'mapping': {}}")))
                .isInstanceOf(ValidationException.class).hasMessageContaining("mapping.nurturing");
        JsonNode m = db.engine().journeys().migrate(db.admin(), j, json("{'from_version': 1, 'to_version': 2, 'mapping': {'nurturing': 'asked'}}"));
        assertThat(m.get("migrated").asInt()).isEqualTo(1);
        JsonNode ai = instanceOf(db, a);
        assertThat(ai.get("version").asInt()).isEqualTo(2);
        assertThat(ai.get("state").asText()).isEqualTo("asked");
        UUID bi = UUID.fromString(instanceOf(db, b).get("id").asText());
        db.engine().journeys().move(db.admin(), bi, json("{'to': 'lost', 'reason': 'asked to stop'}"));
        JsonNode moved = db.engine().journeys().instance(db.admin(), bi);
        assertThat(moved.get("status").asText()).isEqualTo("failed");
        JsonNode last = moved.get("path").get(moved.get("path").size() - 1);
        assertThat(last.get("kind").asText()).isEqualTo("manual");
        assertThat(last.get("reason").asText()).isEqualTo("asked to stop");
        assertThat(last.get("actor").asText()).isEqualTo(db.admin().userId().toString());
        assertThatThrownBy(() -> db.engine().journeys().enroll(db.admin(), j, json("{'module': 'Leads', 'record_id': '" + b.id() + "'}")))
                .isInstanceOf(ConflictException.class);
        db.engine().journeys().setActive(db.admin(), j, false);
        Record c = lead(db, "C");
        db.engine().runPending();
        assertThat(db.engine().journeys().instancesOfSubject(db.admin(), c.subject())).isEmpty();
    }

    @BothDatabases
    void simulationShowsThePathWithoutSideEffects(TestDb db) {
        UUID j = publish(db, NURTURE);
        JsonNode sim = db.engine().journeys().simulate(db.admin(), j, json("{'subject': 'x', 'signals': ["
                + "{'type': 'record.created', 'module': 'Leads', 'occurred_at': '2026-01-05T10:00:00Z'},"
                + "{'type': 'email.opened', 'occurred_at': '2026-01-05T11:00:00Z'},"
                + "{'type': 'survey.responded', 'payload': {'score': 1}, 'occurred_at': '2026-01-09T11:00:00Z'}]}"));
        assertThat(sim.get("state").asText()).isEqualTo("lost");
        assertThat(sim.get("path")).extracting(n -> n.get("kind").asText()).containsExactly("entered", "transition", "deadline", "transition");
        assertThat(sim.get("path").get(1).get("actions").get(0).get("type").asText()).isEqualTo("field_update");
        assertThat(db.engine().outbox().list(db.admin(), new io.waymark.action.OutboxStore.OutboxQuery(null, null, null, 10, null)).entries()).isEmpty();
    }

    /** An action kind that a second node does not have until later. */
    static final class Stamp implements io.waymark.action.ActionType {
        @Override
        public String name() {
            return "stamp";
        }

        @Override
        public void validate(io.waymark.Actor actor, String module, ObjectNode config) {
        }

        @Override
        public io.waymark.action.ActionResult execute(io.waymark.action.ActionContext context) {
            return io.waymark.action.ActionResult.ok();
        }
    }

    @BothDatabases
    void aBatchThatFailsHalfWayWritesNothingAndIsDoneOnceOnRetry(TestDb db) {
        db.engine().actions().register(new Stamp());
        publish(db, "{'name': 'Stamped', 'entry': [{'type': 'record_created', 'module': 'Leads'}], 'states': ["
                + "{'key': 'a', 'module': 'Leads', 'on_enter': [{'type': 'field_update', 'config': {'field': 'Lead_Status', 'value': 'Contacted'}}, {'type': 'stamp'}],"
                + " 'transitions': [{'signal': 'email.opened', 'to': 'b'}]}, {'key': 'b', 'end': 'success'}]}");
        Record r = lead(db, "Crash");
        // Another node without the action kind: deciding the on-enter actions fails after the
        // instance and its first path line were made in memory; the batch rolls back.
        io.waymark.Waymark other = db.store().engineBuilder(db.clock()).build();
        other.runPending();
        assertThat(db.engine().journeys().instancesOfSubject(db.admin(), r.subject())).isEmpty();
        assertThat(db.engine().outbox().list(db.admin(), new io.waymark.action.OutboxStore.OutboxQuery(null, null, null, 10, null)).entries()).isEmpty();
        other.actions().register(new Stamp());
        db.clock().advance(Duration.ofMinutes(1));
        other.runPending();
        JsonNode i = instanceOf(db, r);
        assertThat(i.get("path")).hasSize(1);
        assertThat(i.get("path").get(0).get("actions")).hasSize(2);
        assertThat(db.engine().outbox().list(db.admin(), new io.waymark.action.OutboxStore.OutboxQuery(null, null, null, 10, null)).entries()).hasSize(2);
        assertThat(db.engine().records().get(db.admin(), "Leads", r.id()).values().get("Lead_Status")).isEqualTo("Contacted");
        other.runPending();
        assertThat(instanceOf(db, r).get("path")).hasSize(1);
    }

    @BothDatabases
    void aWorkflowRuleOrAnotherJourneyStartsAJourneyWithStartJourney(TestDb db) {
        UUID target = publish(db, "{'name': 'Target', 're_entry': 'never', 'entry': [{'type': 'api'}], 'states': ["
                + "{'key': 'a', 'module': 'Leads', 'transitions': [{'signal': 'email.opened', 'to': 'b'}]},"
                + "{'key': 'b', 'module': 'Leads', 'transitions': [{'signal': 'email.clicked', 'to': 'done'}]}, {'key': 'done', 'end': 'success'}]}");
        publish(db, "{'name': 'Starter', 'entry': [{'type': 'record_created', 'module': 'Leads'}], 'states': ["
                + "{'key': 'a', 'module': 'Leads', 'transitions': [{'signal': 'email.opened', 'to': 'done',"
                + "  'actions': [{'type': 'start_journey', 'config': {'journey_id': '" + target + "', 'state': 'b'}}]}]}, {'key': 'done', 'end': 'success'}]}");
        Record r = lead(db, "Chain");
        db.engine().runPending();
        signal(db, r, "email.opened", "{}");
        db.engine().runPending();
        JsonNode all = db.engine().journeys().instancesOfSubject(db.admin(), r.subject());
        assertThat(all).hasSize(2);
        assertThat(all).anySatisfy(i -> {
            assertThat(i.get("journey_id").asText()).isEqualTo(target.toString());
            assertThat(i.get("state").asText()).isEqualTo("b");
        });
        List<FieldError> e = errors(db, "{'name': 'Bad', 'entry': [{'type': 'api'}], 'states': [{'key': 'a', 'module': 'Leads', "
                + "'transitions': [{'signal': 'email.opened', 'to': 'done', 'actions': [{'type': 'start_journey', 'config': {'journey_id': 'nope'}}]}]},"
                + "{'key': 'done', 'end': 'success'}]}");
        assertThat(e).extracting(FieldError::field).contains("states[0].transitions[0].actions[0].config.journey_id");
    }
}

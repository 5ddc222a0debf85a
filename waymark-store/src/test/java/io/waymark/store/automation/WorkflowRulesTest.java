package io.waymark.store.automation;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.record.Record;
import io.waymark.signal.Signal;
import io.waymark.signal.SignalQuery;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import io.waymark.workflow.WorkflowStore;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

class WorkflowRulesTest {

    static UUID rule(TestDb db, String singleQuoted) {
        ObjectNode r = db.engine().workflowRules().create(db.admin(), json(singleQuoted));
        return UUID.fromString(r.get("id").asText());
    }

    static Record deal(TestDb db, String fields) {
        return db.engine().records().create(db.admin(), "Deals", json(fields));
    }

    static Record get(TestDb db, Record r) {
        return db.engine().records().get(db.admin(), r.module(), r.id());
    }

    static Record update(TestDb db, Record r, String fields) {
        return db.engine().records().update(db.admin(), r.module(), r.id(), json(fields), null);
    }

    static List<WorkflowStore.HistoryEntry> history(TestDb db, UUID rule) {
        return db.engine().workflowRules().history(db.admin(), rule, null, 100, null).entries();
    }

    static long tasks(TestDb db, String subjectStartsWith) {
        return db.engine().records().count(db.admin(), "Tasks",
                io.waymark.criteria.CompactCriteria.parse("(Subject:starts_with:" + subjectStartsWith + ")"));
    }

    static List<FieldError> errors(TestDb db, String singleQuoted) {
        try {
            db.engine().workflowRules().create(db.admin(), json(singleQuoted));
        } catch (ValidationException e) {
            return e.errors();
        }
        throw new AssertionError("expected a validation error");
    }

    @BothDatabases
    void firstMatchingBranchWinsAndOtherwiseCatchesTheRest(TestDb db) {
        UUID r = rule(db, "{'name': 'Discounts', 'module': 'Deals', 'trigger': {'type': 'create'}, 'rules': ["
                + "{'name': 'big', 'criteria': '(Amount:greater_than:10000)', 'actions': [{'type': 'field_update', 'config': {'field': 'Probability', 'value': 80}}]},"
                + "{'name': 'medium', 'criteria': '(Amount:greater_than:1000)', 'actions': [{'type': 'field_update', 'config': {'field': 'Probability', 'value': 50}}]}],"
                + "'otherwise': {'actions': [{'type': 'field_update', 'config': {'field': 'Probability', 'value': 10}}]}}");
        Record big = deal(db, "{'Deal_Name': 'A', 'Amount': 20000}");
        Record medium = deal(db, "{'Deal_Name': 'B', 'Amount': 5000}");
        Record small = deal(db, "{'Deal_Name': 'C', 'Amount': 50}");
        db.engine().runPending();
        assertThat((BigDecimal) get(db, big).values().get("Probability")).isEqualByComparingTo("80");
        assertThat((BigDecimal) get(db, medium).values().get("Probability")).isEqualByComparingTo("50");
        assertThat((BigDecimal) get(db, small).values().get("Probability")).isEqualByComparingTo("10");
        List<WorkflowStore.HistoryEntry> h = history(db, r);
        assertThat(h).extracting(WorkflowStore.HistoryEntry::branch).containsExactlyInAnyOrder("big", "medium", "otherwise");
        assertThat(h).allSatisfy(e -> assertThat(e.detail().path("outbox_entries")).hasSize(1));
    }

    @BothDatabases
    void triggersFireOnTheirOwnKindOfChange(TestDb db) {
        String task = "{'type': 'create_task', 'config': {'subject': 'T-%s {{Deals.Deal_Name}}', 'due': 'today + 3d', 'priority': 'High'}}";
        rule(db, "{'name': 'on create', 'module': 'Deals', 'trigger': {'type': 'create'}, 'rules': [{'actions': [" + task.formatted("create") + "]}]}");
        rule(db, "{'name': 'on edit', 'module': 'Deals', 'trigger': {'type': 'edit'}, 'rules': [{'actions': [" + task.formatted("edit") + "]}]}");
        rule(db, "{'name': 'on both', 'module': 'Deals', 'trigger': {'type': 'create_or_edit'}, 'rules': [{'actions': [" + task.formatted("both") + "]}]}");
        rule(db, "{'name': 'on stage', 'module': 'Deals', 'trigger': {'type': 'field_update', 'fields': ['Stage']}, 'rules': [{'actions': [" + task.formatted("stage") + "]}]}");
        Record d = deal(db, "{'Deal_Name': 'Bali'}");
        db.engine().runPending();
        assertThat(tasks(db, "T-create")).isEqualTo(1);
        assertThat(tasks(db, "T-edit")).isZero();
        assertThat(tasks(db, "T-both")).isEqualTo(1);
        update(db, d, "{'Amount': 10}");
        db.engine().runPending();
        assertThat(tasks(db, "T-edit")).isEqualTo(1);
        assertThat(tasks(db, "T-stage")).isZero();
        update(db, d, "{'Stage': 'Negotiation/Review'}");
        db.engine().runPending();
        assertThat(tasks(db, "T-stage")).isEqualTo(1);
        assertThat(tasks(db, "T-both")).isEqualTo(3);
        Record t = db.engine().records().list(db.admin(), "Tasks", io.waymark.criteria.CompactCriteria.parse("(Subject:equals:T-create Bali)"),
                null, 10, null).records().get(0);
        assertThat(t.values().get("Due_Date")).isEqualTo(LocalDate.of(2026, 1, 8));
        assertThat(t.values().get("Priority")).isEqualTo("High");
        assertThat(t.owner()).isEqualTo(db.admin().userId());
    }

    @BothDatabases
    void aDeleteTriggerAndCriteriaOnChanges(TestDb db) {
        rule(db, "{'name': 'won', 'module': 'Deals', 'trigger': {'type': 'edit'}, 'rules': [{'criteria': {'conditions': "
                + "[{'field': 'Stage', 'operator': 'changed_to', 'value': 'Closed Won'}]}, 'actions': [{'type': 'emit_signal', "
                + "'config': {'type': 'deal.won', 'payload': {'name': '{{Deals.Deal_Name}}'}}}]}]}");
        Record d = deal(db, "{'Deal_Name': 'Bali'}");
        update(db, d, "{'Stage': 'Closed Won'}");
        update(db, d, "{'Amount': 5}");
        db.engine().runPending();
        List<Signal> won = db.engine().signals().query(db.admin(), new SignalQuery(d.subject(), null, "deal.won", null, null, 10, null)).signals();
        assertThat(won).singleElement().satisfies(s -> assertThat(s.payload().path("name").asText()).isEqualTo("Bali"));
    }

    @BothDatabases
    void inactiveRulesDoNothingAndCanBeSwitchedOn(TestDb db) {
        UUID r = rule(db, "{'name': 'x', 'module': 'Deals', 'active': false, 'trigger': {'type': 'create'}, "
                + "'rules': [{'actions': [{'type': 'create_task', 'config': {'subject': 'Inactive check'}}]}]}");
        deal(db, "{'Deal_Name': 'One'}");
        db.engine().runPending();
        assertThat(tasks(db, "Inactive check")).isZero();
        db.engine().workflowRules().update(db.admin(), r, json("{'active': true}"));
        deal(db, "{'Deal_Name': 'Two'}");
        db.engine().runPending();
        assertThat(tasks(db, "Inactive check")).isEqualTo(1);
    }

    @BothDatabases
    void aRuleThatRetriggersItselfStopsAtTheDepthLimitWithAClearHistoryLine(TestDb db) {
        UUID r = rule(db, "{'name': 'bump', 'module': 'Deals', 'trigger': {'type': 'create_or_edit'}, "
                + "'rules': [{'actions': [{'type': 'field_update', 'config': {'field': 'Amount', 'value': 'Amount + 1'}}]}]}");
        Record d = deal(db, "{'Deal_Name': 'Loop', 'Amount': 0}");
        db.engine().runPending();
        int max = 5;
        assertThat((BigDecimal) get(db, d).values().get("Amount")).isEqualByComparingTo(String.valueOf(max));
        List<WorkflowStore.HistoryEntry> h = history(db, r);
        assertThat(h).filteredOn(e -> e.event().equals("executed")).hasSize(max);
        assertThat(h).filteredOn(e -> e.event().equals("loop_stopped")).singleElement()
                .satisfies(e -> assertThat(e.detail().path("message").asText()).contains("chain of 5 automated changes"));
        // A person's next change starts a fresh chain.
        update(db, d, "{'Description': 'touched'}");
        db.engine().runPending();
        assertThat((BigDecimal) get(db, d).values().get("Amount")).isEqualByComparingTo(String.valueOf(2 * max));
    }

    @BothDatabases
    void scheduledActionsRunWhenDueIfTheRecordStillMatches(TestDb db) {
        UUID r = rule(db, "{'name': 'nudge', 'module': 'Deals', 'trigger': {'type': 'create'}, 'rules': [{'name': 'open', "
                + "'criteria': '(Stage:not_equals:Closed Won)', 'scheduled': [{'offset': {'amount': 2, 'unit': 'days'}, "
                + "'actions': [{'type': 'create_task', 'config': {'subject': 'Nudge {{Deals.Deal_Name}}'}}]}]}]}");
        Record stays = deal(db, "{'Deal_Name': 'Stays'}");
        Record wins = deal(db, "{'Deal_Name': 'Wins'}");
        db.engine().runPending();
        assertThat(db.engine().timers().pending(db.admin().orgId(), "wf:" + r, 10)).hasSize(2);
        update(db, wins, "{'Stage': 'Closed Won'}");
        db.engine().runPending();
        // The edit made it stop matching: its scheduled action is cancelled at once.
        assertThat(db.engine().timers().pending(db.admin().orgId(), "wf:" + r, 10)).hasSize(1);
        db.clock().advance(Duration.ofDays(2).minusMinutes(1));
        db.engine().runPending();
        assertThat(tasks(db, "Nudge")).isZero();
        db.clock().advance(Duration.ofMinutes(1));
        db.engine().runPending();
        assertThat(tasks(db, "Nudge Stays")).isEqualTo(1);
        assertThat(tasks(db, "Nudge Wins")).isZero();
        assertThat(history(db, r)).extracting(WorkflowStore.HistoryEntry::event)
                .containsExactlyInAnyOrder("executed", "executed", "scheduled_cancelled", "scheduled_run");
        assertThat(history(db, r, stays)).extracting(WorkflowStore.HistoryEntry::event).containsExactlyInAnyOrder("executed", "scheduled_run");
    }

    static List<WorkflowStore.HistoryEntry> history(TestDb db, UUID rule, Record r) {
        return db.engine().workflowRules().history(db.admin(), rule, r.id(), 100, null).entries();
    }

    @BothDatabases
    void aScheduledActionIsReCheckedWhenDue(TestDb db) {
        // "Closes within a week" holds when the deal is created and stops holding as time passes, with no edit at all.
        UUID r = rule(db, "{'name': 'recheck', 'module': 'Deals', 'trigger': {'type': 'create'}, 'rules': [{'name': 'closing soon', "
                + "'criteria': '(Closing_Date:within_next:7)', 'scheduled': ["
                + "{'offset': {'amount': 1, 'unit': 'days'}, 'actions': [{'type': 'create_task', 'config': {'subject': 'Recheck early'}}]},"
                + "{'offset': {'amount': 10, 'unit': 'days'}, 'actions': [{'type': 'create_task', 'config': {'subject': 'Recheck late'}}]}]}]}");
        deal(db, "{'Deal_Name': 'Soon', 'Closing_Date': '2026-01-08'}");
        db.engine().runPending();
        db.clock().advance(Duration.ofDays(1));
        db.engine().runPending();
        assertThat(tasks(db, "Recheck early")).isEqualTo(1);
        db.clock().advance(Duration.ofDays(9));
        db.engine().runPending();
        assertThat(tasks(db, "Recheck late")).isZero();
        assertThat(history(db, r)).filteredOn(e -> e.event().equals("scheduled_cancelled")).singleElement()
                .satisfies(e -> assertThat(e.detail().path("reason").asText()).contains("no longer matches closing soon"));
    }

    @BothDatabases
    void deletingTheRecordDropsItsScheduledActions(TestDb db) {
        UUID r = rule(db, "{'name': 'later', 'module': 'Deals', 'trigger': {'type': 'create'}, 'rules': [{"
                + "'scheduled': [{'offset': {'amount': 1, 'unit': 'days'}, 'actions': [{'type': 'create_task', 'config': {'subject': 'Later'}}]}]}]}");
        Record d = deal(db, "{'Deal_Name': 'Gone'}");
        db.engine().runPending();
        assertThat(db.engine().timers().pending(db.admin().orgId(), "wf:" + r, 10)).hasSize(1);
        db.engine().records().delete(db.admin(), "Deals", d.id(), null);
        db.engine().runPending();
        assertThat(db.engine().timers().pending(db.admin().orgId(), "wf:" + r, 10)).isEmpty();
    }

    @BothDatabases
    void dateTriggersFireBeforeTheDateAndRecurYearly(TestDb db) {
        // Two days before each birthday, at 09:00 in the organisation's zone (UTC here).
        UUID r = rule(db, "{'name': 'birthday', 'module': 'Contacts', 'trigger': {'type': 'date', 'field': 'Date_of_Birth', "
                + "'offset': {'amount': 2, 'unit': 'days', 'direction': 'before'}, 'time': '09:00', 'recurrence': 'yearly'}, "
                + "'rules': [{'actions': [{'type': 'create_task', 'config': {'subject': 'Card for {{Contacts.Last_Name}}'}}]}]}");
        Record c = db.engine().records().create(db.admin(), "Contacts", json("{'Last_Name': 'Patel', 'Date_of_Birth': '1990-01-20'}"));
        db.engine().runPending();
        assertThat(db.engine().timers().find(db.admin().orgId(), "wf:" + r + ":" + c.id() + ":date").orElseThrow().dueAt())
                .isEqualTo(java.time.Instant.parse("2026-01-18T09:00:00Z"));
        db.clock().set(java.time.Instant.parse("2026-01-18T09:00:00Z"));
        db.engine().runPending();
        assertThat(tasks(db, "Card for Patel")).isEqualTo(1);
        assertThat(db.engine().timers().find(db.admin().orgId(), "wf:" + r + ":" + c.id() + ":date").orElseThrow().dueAt())
                .isEqualTo(java.time.Instant.parse("2027-01-18T09:00:00Z"));
        // Moving the date moves the timer.
        update(db, c, "{'Date_of_Birth': '1990-03-01'}");
        db.engine().runPending();
        assertThat(db.engine().timers().find(db.admin().orgId(), "wf:" + r + ":" + c.id() + ":date").orElseThrow().dueAt())
                .isEqualTo(java.time.Instant.parse("2026-02-27T09:00:00Z"));
    }

    @BothDatabases
    void monthlyDateTriggersAndRulesCreatedAfterTheRecords(TestDb db) {
        Record d = deal(db, "{'Deal_Name': 'Monthly', 'Closing_Date': '2026-01-31'}");
        db.engine().runPending();
        UUID r = rule(db, "{'name': 'monthly', 'module': 'Deals', 'trigger': {'type': 'date', 'field': 'Closing_Date', 'time': '08:00', "
                + "'recurrence': 'monthly'}, 'rules': [{'actions': [{'type': 'emit_signal', 'config': {'type': 'deal.month_end'}}]}]}");
        String key = "wf:" + r + ":" + d.id() + ":date";
        assertThat(db.engine().timers().find(db.admin().orgId(), key).orElseThrow().dueAt()).isEqualTo(java.time.Instant.parse("2026-01-31T08:00:00Z"));
        db.clock().set(java.time.Instant.parse("2026-01-31T08:00:00Z"));
        db.engine().runPending();
        // February has no 31st: its last day it is.
        assertThat(db.engine().timers().find(db.admin().orgId(), key).orElseThrow().dueAt()).isEqualTo(java.time.Instant.parse("2026-02-28T08:00:00Z"));
        db.engine().workflowRules().update(db.admin(), r, json("{'active': false}"));
        assertThat(db.engine().timers().find(db.admin().orgId(), key)).isEmpty();
    }

    @BothDatabases
    void badDefinitionsAreRefusedWithEveryFieldNamed(TestDb db) {
        List<FieldError> e = errors(db, "{'name': 'bad', 'module': 'Deals', 'trigger': {'type': 'field_update', 'fields': ['Nope']}, 'rules': [{"
                + "'criteria': '(Amount:greater_than:lots)', 'actions': [{'type': 'field_update', 'config': {'field': 'Amount', 'value': 1}},"
                + "{'type': 'field_update', 'config': {'field': 'Amount', 'value': 'today + 3d'}},"
                + "{'type': 'field_update', 'config': {'field': 'Nope', 'value': 1}}, {'type': 'send_fax', 'config': {}}]}]}");
        assertThat(e).extracting(FieldError::field).contains("trigger.fields[0]", "rules[0].criteria.conditions[0]",
                "rules[0].actions[1].config.value", "rules[0].actions[2].config.field", "rules[0].actions[3].type");
        assertThat(errors(db, "{'name': 'x', 'module': 'Nope', 'trigger': {'type': 'create'}, 'rules': [{'actions': []}]}"))
                .extracting(FieldError::field).containsExactly("module");
        assertThat(errors(db, "{'name': 'x', 'module': 'Deals', 'trigger': {'type': 'date', 'field': 'Deal_Name'}, 'rules': [{'actions': []}]}"))
                .extracting(FieldError::field).contains("trigger.field");
        assertThat(errors(db, "{'name': 'x', 'module': 'Deals', 'trigger': {'type': 'create'}, 'rules': [{'actions': [{'type': 'create_record', "
                + "'config': {'module': 'Tasks', 'fields': {'Subject': 'Hi {{Deals.Nope}}'}}}]}]}"))
                .extracting(FieldError::field).containsExactly("rules[0].actions[0].config.fields.Subject");
        assertThat(errors(db, "{'name': 'x', 'module': 'Deals', 'trigger': {'type': 'create'}, 'rules': [{'actions': [{'type': 'assign_owner', "
                + "'config': {'user': '" + UUID.randomUUID() + "'}}]}]}"))
                .extracting(FieldError::field).containsExactly("rules[0].actions[0].config.user");
        assertThat(db.engine().workflowRules().list(db.admin(), "Deals")).isEmpty();
    }

    @BothDatabases
    void createRecordConvertLeadAssignOwnerAndScheduleCall(TestDb db) {
        java.util.UUID sales = db.engine().orgs().addUser(db.admin(), "sam@example.com", "Sam Sales");
        rule(db, "{'name': 'qualify', 'module': 'Leads', 'trigger': {'type': 'field_update', 'fields': ['Lead_Status']}, 'rules': [{"
                + "'criteria': '(Lead_Status:equals:Pre-Qualified)', 'actions': ["
                + "{'type': 'assign_owner', 'config': {'user': '" + sales + "'}},"
                + "{'type': 'schedule_call', 'config': {'subject': 'Call {{Leads.Last_Name}}', 'at': 'now + 1d', 'assign_to': 'record_owner'}},"
                + "{'type': 'convert_lead', 'config': {'account': true, 'deal': {'Deal_Name': '{{Leads.Company}} trip', 'Amount': 'Annual_Revenue / 100'}}}]}]}");
        Record lead = db.engine().records().create(db.admin(), "Leads", json("{'Last_Name': 'Patel', 'Company': 'Zylker', 'Annual_Revenue': 50000}"));
        update(db, lead, "{'Lead_Status': 'Pre-Qualified'}");
        db.engine().runPending();
        Record converted = get(db, lead);
        assertThat(converted.values().get("Is_Converted")).isEqualTo(true);
        assertThat(converted.owner()).isEqualTo(sales);
        UUID dealId = (UUID) converted.values().get("Converted_Deal");
        Record deal = db.engine().records().get(db.admin(), "Deals", dealId);
        assertThat(deal.values().get("Deal_Name")).isEqualTo("Zylker trip");
        assertThat((BigDecimal) deal.values().get("Amount")).isEqualByComparingTo("500");
        assertThat(deal.owner()).isEqualTo(sales);
        Record call = db.engine().records().list(db.admin(), "Calls", null, null, 10, null).records().stream()
                .filter(c -> "Call Patel".equals(c.values().get("Subject"))).findFirst().orElseThrow();
        assertThat(call.values().get("Call_Start_Time")).isEqualTo(TestDb.START.plus(Duration.ofDays(1)));
        assertThat(call.owner()).isEqualTo(sales);
        // Fields are created in any module, linked to the subject.
        Record contact = db.engine().records().get(db.admin(), "Contacts", (UUID) converted.values().get("Converted_Contact"));
        rule(db, "{'name': 'case', 'module': 'Contacts', 'trigger': {'type': 'edit'}, 'rules': [{'actions': [{'type': 'create_record', "
                + "'config': {'module': 'Cases', 'fields': {'Subject': 'Problem for {{Contacts.Last_Name}}', 'Priority': 'High'}}}]}]}");
        update(db, contact, "{'Title': 'CEO'}");
        db.engine().runPending();
        Record theCase = db.engine().records().list(db.admin(), "Cases", null, null, 10, null).records().get(0);
        assertThat(theCase.values().get("Contact_Name")).isEqualTo(contact.id());
        assertThat(theCase.subject()).isEqualTo(contact.subject());
    }

    @BothDatabases
    void rulesCanBeChangedWithVersionChecksAndDeleted(TestDb db) {
        UUID r = rule(db, "{'name': 'v', 'module': 'Deals', 'trigger': {'type': 'create'}, 'rules': [{'actions': [{'type': 'emit_signal', 'config': {'type': 'deal.v'}}]}]}");
        ObjectNode changed = db.engine().workflowRules().update(db.admin(), r, json("{'name': 'v2', 'version': 1}"));
        assertThat(changed.get("name").asText()).isEqualTo("v2");
        assertThat(changed.get("version").asLong()).isEqualTo(2);
        assertThatThrownBy(() -> db.engine().workflowRules().update(db.admin(), r, json("{'name': 'v3', 'version': 1}")))
                .isInstanceOf(io.waymark.error.ConflictException.class);
        assertThatThrownBy(() -> db.engine().workflowRules().update(db.admin(), r, json("{'trigger': {'type': 'sometimes'}}")))
                .isInstanceOf(ValidationException.class);
        JsonNode list = db.engine().workflowRules().list(db.admin(), null).get(0);
        assertThat(list.get("name").asText()).isEqualTo("v2");
        assertThat(db.engine().workflowRules().list(db.otherOrg().admin(), null)).isEmpty();
        db.engine().workflowRules().delete(db.admin(), r);
        assertThatThrownBy(() -> db.engine().workflowRules().get(db.admin(), r)).isInstanceOf(io.waymark.error.NotFoundException.class);
    }
}

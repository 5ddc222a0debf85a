package io.waymark.server;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.Waymark;
import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;
import io.waymark.store.testing.Team;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The Zylker Travels blueprints over HTTP: Trip Management (documents, parallel logistics,
 * completion) and Case handling (common transitions, SLA escalations, an automatic transition),
 * versioning with migration, and every refusal changing nothing.
 */
class BlueprintApiTest {

    /** Zylker's organisation: the Trips module, a team (admin, manager, two reps) and a Logistics group. */
    static final class Zylker {
        final Api admin;
        final Api manager;
        final Api rep1;
        final Api rep2;
        final Team team;
        final Waymark engine;
        final String logistics;

        Zylker(Api api) {
            this.admin = api;
            this.engine = api.running().engine();
            this.team = Team.of(engine, api.admin());
            ok(api.patch("/api/v1/roles/" + team.repRole, "{'share_with_peers': true}"));
            manager = api.withToken(engine.users().createToken(team.manager, json("{'name': 'm'}")).secret());
            rep1 = api.withToken(engine.users().createToken(team.rep1, json("{'name': 'r1'}")).secret());
            rep2 = api.withToken(engine.users().createToken(team.rep2, json("{'name': 'r2'}")).secret());
            logistics = ok(api.post("/api/v1/groups", "{'name': 'Logistics', 'members': ['" + team.rep2.userId() + "']}")).get("id").asText();
            ok(api.post("/api/v1/modules", "{'api_name': 'Trips', 'singular_label': 'Trip', 'plural_label': 'Trips', 'fields': ["
                    + "{'api_name': 'Name', 'label': 'Trip', 'type': 'text', 'required': true},"
                    + "{'api_name': 'Status', 'label': 'Status', 'type': 'picklist', 'picklist_values': ['Booked', 'Documents collected',"
                    + " 'Logistics done', 'Completed', 'Cancelled']},"
                    + "{'api_name': 'Passport_Number', 'label': 'Passport', 'type': 'text'},"
                    + "{'api_name': 'Travellers', 'label': 'Travellers', 'type': 'integer'},"
                    + "{'api_name': 'Hotel', 'label': 'Hotel', 'type': 'text'},"
                    + "{'api_name': 'Flight', 'label': 'Flight', 'type': 'text'},"
                    + "{'api_name': 'Discount', 'label': 'Discount', 'type': 'percent'}]}"));
        }

        String tripManagement() {
            return "{'name': 'Trip Management', 'module': 'Trips', 'field': 'Status', 'transitions': ["
                    + "{'name': 'Collect documents', 'from': 'Booked', 'to': 'Documents collected',"
                    + " 'before': {'owners': [{'type': 'role', 'id': '" + team.repRole + "'}]},"
                    + " 'during': {'fields': [{'field': 'Passport_Number', 'mandatory': true}, {'field': 'Travellers', 'mandatory': true}],"
                    + "   'attachments': 'optional', 'checklist': ['Passport copy', 'Visa'],"
                    + "   'validations': [{'criteria': '(Travellers:greater_than:0)', 'message': 'A trip needs at least one traveller'}]},"
                    + " 'after': [{'type': 'create_task', 'config': {'subject': 'Check the documents', 'due': 'today + 1d', 'assign_to': 'record_owner'}}]},"
                    + "{'name': 'Book hotel', 'from': 'Documents collected', 'to': 'Logistics done', 'parallel': 'logistics',"
                    + " 'before': {'owners': [{'type': 'group', 'id': '" + logistics + "'}]},"
                    + " 'during': {'fields': [{'field': 'Hotel', 'mandatory': true}]}},"
                    + "{'name': 'Book flights', 'from': 'Documents collected', 'to': 'Logistics done', 'parallel': 'logistics',"
                    + " 'before': {'owners': [{'type': 'user', 'id': '" + team.manager.userId() + "'}]},"
                    + " 'during': {'fields': [{'field': 'Flight', 'mandatory': true}]}},"
                    + "{'name': 'Complete', 'from': 'Logistics done', 'to': 'Completed',"
                    + " 'before': {'owners': [{'type': 'record_owner'}], 'criteria': '(Discount:less_equal:12)'},"
                    + " 'during': {'note': 'mandatory'}},"
                    + "{'name': 'Cancel', 'from': ['Booked', 'Documents collected', 'Logistics done'], 'to': 'Cancelled',"
                    + " 'before': {'owners': [{'type': 'role', 'id': '" + team.managerRole + "'}]}, 'during': {'note': 'mandatory'}},"
                    + "{'name': 'Expire', 'from': 'Booked', 'to': 'Cancelled', 'automatic': {'after': 'P14D'}}],"
                    + " 'sla': [{'state': 'Documents collected', 'escalations': ["
                    + "   {'after': 'PT24H', 'actions': [{'type': 'create_task', 'config': {'subject': 'Logistics overdue', 'due': 'today',"
                    + "     'assign_to': '" + team.manager.userId() + "'}}]},"
                    + "   {'after': 'PT48H', 'actions': [{'type': 'emit_signal', 'config': {'type': 'trip.logistics_late'}}]}]}]}";
        }
    }

    static JsonNode ok(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isBetween(200, 299);
        return r.json();
    }

    static JsonNode transition(JsonNode view, String name) {
        for (JsonNode t : view.get("transitions")) {
            if (t.get("name").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no transition " + name + " in " + view);
    }

    static List<String> events(Api api, String path) {
        List<String> out = new ArrayList<>();
        ok(api.get(path + "/blueprint/history")).get("data").forEach(h -> out.add(h.get("event").asText()
                + (h.get("transition").isNull() ? "" : ":" + h.get("transition").asText())));
        return out;
    }

    @BothServers
    void aTripGoesFromBookingThroughDocumentsAndParallelLogisticsToCompletion(Api api) {
        Zylker z = new Zylker(api);
        JsonNode bp = ok(api.post("/api/v1/blueprints", z.tripManagement()));
        assertThat(bp.get("version").asInt()).isEqualTo(1);
        String trip = ok(z.rep1.post("/api/v1/records/Trips", "{'Name': 'Bali honeymoon', 'Status': 'Booked', 'Discount': 10}")).get("id").asText();
        String path = "/api/v1/records/Trips/" + trip;

        // The rep sees what they may do, and why not the rest.
        JsonNode view = ok(z.rep1.get(path + "/blueprint"));
        assertThat(view.get("state").asText()).isEqualTo("Booked");
        assertThat(view.get("blueprint").get("name").asText()).isEqualTo("Trip Management");
        assertThat(transition(view, "Collect documents").get("available").asBoolean()).isTrue();
        assertThat(transition(view, "Collect documents").get("during").get("checklist")).hasSize(2);
        assertThat(transition(view, "Cancel").get("available").asBoolean()).isFalse();
        assertThat(transition(view, "Cancel").get("reasons").get(0).asText()).contains("not an owner");
        assertThat(transition(view, "Expire").get("due_at").asText()).isEqualTo("2026-01-19T09:00:00Z");

        // Denials change nothing: the state field is locked, a wrong user, missing During items, a failed validation.
        Api.Response locked = z.rep1.patch(path, "{'Status': 'Completed', 'Hotel': 'Sneaky'}");
        assertThat(locked.status()).isEqualTo(409);
        assertThat(locked.json().get("detail").asText()).contains("changes only through a transition");
        assertThat(z.rep1.patch(path, "{'Hotel': 'Early booking'}").status()).isEqualTo(200);
        Api.Response wrongUser = z.manager.post(path + "/blueprint/transitions/Collect%20documents",
                "{'fields': {'Passport_Number': 'K1', 'Travellers': 2}, 'checklist': ['Passport copy', 'Visa']}");
        assertThat(wrongUser.status()).as(wrongUser.toString()).isEqualTo(403);
        Api.Response missing = z.rep1.post(path + "/blueprint/transitions/Collect%20documents", "{'checklist': ['Passport copy']}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("errors")).extracting(e -> e.get("field").asText())
                .containsExactlyInAnyOrder("fields.Passport_Number", "fields.Travellers", "checklist");
        Api.Response invalid = z.rep1.post(path + "/blueprint/transitions/Collect%20documents",
                "{'fields': {'Passport_Number': 'K1', 'Travellers': 0}, 'checklist': ['Passport copy', 'Visa']}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.json().get("errors").get(0).get("field").asText()).isEqualTo("fields.Travellers");
        assertThat(invalid.json().get("errors").get(0).get("message").asText()).isEqualTo("A trip needs at least one traveller");
        assertThat(z.rep1.post(path + "/blueprint/transitions/Complete", "{'note': 'x'}").status()).isEqualTo(422);
        assertThat(z.rep1.post(path + "/blueprint/transitions/Expire", null).status()).isEqualTo(422);
        JsonNode unchanged = ok(api.get(path));
        assertThat(unchanged.get("Status").asText()).isEqualTo("Booked");
        assertThat(unchanged.get("Passport_Number").isNull()).isTrue();
        assertThat(unchanged.get("version").asLong()).isEqualTo(2);
        assertThat(events(api, path)).containsExactly("entered");

        // The rep uploads the passport scan to the trip; an attachment the trip does not have is refused, naming it.
        String scan = ok(z.rep1.sendBytes("POST", path + "/attachments?file_name=passport.pdf", new byte[] {'%', 'P', 'D', 'F'}, "application/pdf"))
                .get("id").asText();
        String elsewhere = ok(z.rep1.sendBytes("POST", "/api/v1/records/Trips/" + ok(z.rep1.post("/api/v1/records/Trips", "{'Name': 'Other'}")).get("id").asText()
                + "/attachments?file_name=visa.pdf", new byte[] {1}, "application/pdf")).get("id").asText();
        JsonNode refused = z.rep1.post(path + "/blueprint/transitions/Collect%20documents", "{'fields': {'Passport_Number': 'K1234567', 'Travellers': 2},"
                + " 'checklist': ['Passport copy', 'Visa'], 'attachments': ['" + scan + "', '" + elsewhere + "', 'passport.pdf']}").json();
        assertThat(refused.get("errors").findValuesAsText("field")).containsExactly("attachments[1]", "attachments[2]");
        assertThat(ok(api.get(path)).get("version").asLong()).isEqualTo(2);
        assertThat(events(api, path)).containsExactly("entered");

        // The rep collects the documents: fields written, the state moves, the After task is queued.
        JsonNode after = ok(z.rep1.post(path + "/blueprint/transitions/Collect%20documents",
                "{'fields': {'Passport_Number': 'K1234567', 'Travellers': 2}, 'checklist': ['Passport copy', 'Visa'], 'attachments': ['" + scan + "']}"));
        assertThat(after.get("state").asText()).isEqualTo("Documents collected");
        JsonNode record = ok(api.get(path));
        assertThat(record.get("Status").asText()).isEqualTo("Documents collected");
        assertThat(record.get("Passport_Number").asText()).isEqualTo("K1234567");
        api.running().engine().runPending();
        assertThat(ok(api.get("/api/v1/records/Tasks/count?Subject=Check%20the%20documents")).get("count").asLong()).isEqualTo(1);

        // Parallel logistics: each by its own owners, in any order; the record moves when both are done.
        assertThat(z.rep1.post(path + "/blueprint/transitions/Book%20hotel", "{'fields': {'Hotel': 'Ubud Resort'}}").status()).isEqualTo(403);
        JsonNode half = ok(z.rep2.post(path + "/blueprint/transitions/Book%20hotel", "{'fields': {'Hotel': 'Ubud Resort'}}"));
        assertThat(half.get("state").asText()).isEqualTo("Documents collected");
        assertThat(transition(half, "Book hotel").get("done").asBoolean()).isTrue();
        assertThat(z.rep2.post(path + "/blueprint/transitions/Book%20hotel", "{'fields': {'Hotel': 'Again'}}").status()).isEqualTo(422);
        assertThat(ok(api.get(path)).get("Hotel").asText()).isEqualTo("Ubud Resort");
        JsonNode moved = ok(z.manager.post(path + "/blueprint/transitions/Book%20flights", "{'fields': {'Flight': 'SQ 938'}}"));
        assertThat(moved.get("state").asText()).isEqualTo("Logistics done");

        // Completion by the record owner, whose criteria hold; the record then leaves the blueprint.
        assertThat(z.rep1.post(path + "/blueprint/transitions/Complete", "{}").json().get("errors").get(0).get("field").asText()).isEqualTo("note");
        JsonNode done = ok(z.rep1.post(path + "/blueprint/transitions/Complete", "{'note': 'Had a wonderful time'}"));
        assertThat(done.get("blueprint").isNull()).isTrue();
        assertThat(ok(api.get(path)).get("Status").asText()).isEqualTo("Completed");
        assertThat(z.rep1.patch(path, "{'Status': 'Booked'}").status()).as("out of the blueprint, the field is free").isEqualTo(200);
        // ... and a record back in a starting state enters the blueprint again.
        assertThat(events(api, path)).containsExactly("entered", "transitioned:Collect documents", "parallel_done:Book hotel",
                "parallel_done:Book flights", "transitioned:Book flights", "transitioned:Complete", "exited", "entered");
        JsonNode first = ok(api.get(path + "/blueprint/history")).get("data").get(1);
        assertThat(first.get("actor").asText()).isEqualTo(z.team.rep1.userId().toString());
        assertThat(first.get("detail").get("fields").get("Passport_Number").asText()).isEqualTo("K1234567");
        assertThat(first.get("detail").get("attachments").get(0).get("id").asText()).isEqualTo(scan);
        assertThat(first.get("detail").get("attachments").get(0).get("file_name").asText()).isEqualTo("passport.pdf");
    }

    @BothServers
    void criteriaNotMetAndACommonTransitionAndTheSlaOfAState(Api api) {
        Zylker z = new Zylker(api);
        ok(api.post("/api/v1/blueprints", z.tripManagement()));
        String trip = ok(z.rep1.post("/api/v1/records/Trips", "{'Name': 'Kyoto', 'Status': 'Booked', 'Discount': 15}")).get("id").asText();
        String path = "/api/v1/records/Trips/" + trip;
        ok(z.rep1.post(path + "/blueprint/transitions/Collect%20documents",
                "{'fields': {'Passport_Number': 'P9', 'Travellers': 1}, 'checklist': ['Passport copy', 'Visa']}"));

        // SLA: 24 h in Documents collected escalates to the manager, 48 h emits a signal.
        api.clock().advance(Duration.ofHours(25));
        api.running().engine().runPending();
        assertThat(events(api, path)).containsExactly("entered", "transitioned:Collect documents", "sla_escalated");
        assertThat(ok(api.get("/api/v1/records/Tasks/count?Subject=Logistics%20overdue")).get("count").asLong()).isEqualTo(1);
        ok(z.rep2.post(path + "/blueprint/transitions/Book%20hotel", "{'fields': {'Hotel': 'Ryokan'}}"));
        ok(z.manager.post(path + "/blueprint/transitions/Book%20flights", "{'fields': {'Flight': 'JL 44'}}"));
        // Leaving the state drops its remaining escalation.
        api.clock().advance(Duration.ofHours(30));
        api.running().engine().runPending();
        assertThat(events(api, path)).filteredOn(e -> e.equals("sla_escalated")).hasSize(1);

        // Discount over 12%: Complete's criteria fail, and the reason says so; nothing changes.
        JsonNode view = ok(z.rep1.get(path + "/blueprint"));
        assertThat(transition(view, "Complete").get("reasons").get(0).asText()).contains("does not meet the criteria");
        Api.Response refused = z.rep1.post(path + "/blueprint/transitions/Complete", "{'note': 'done'}");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(ok(api.get(path)).get("Status").asText()).isEqualTo("Logistics done");

        // The common transition Cancel leaves any of three states; the manager runs it.
        JsonNode cancelled = ok(z.manager.post(path + "/blueprint/transitions/Cancel", "{'note': 'Customer cancelled'}"));
        assertThat(cancelled.get("blueprint").isNull()).isTrue();
        assertThat(ok(api.get(path)).get("Status").asText()).isEqualTo("Cancelled");
    }

    @BothServers
    void anAutomaticTransitionRunsAfterItsTimeUnlessTheRecordMovedFirst(Api api) {
        Zylker z = new Zylker(api);
        ok(api.post("/api/v1/blueprints", z.tripManagement()));
        String idle = ok(z.rep1.post("/api/v1/records/Trips", "{'Name': 'Idle', 'Status': 'Booked'}")).get("id").asText();
        String busy = ok(z.rep1.post("/api/v1/records/Trips", "{'Name': 'Busy', 'Status': 'Booked'}")).get("id").asText();
        ok(z.rep1.post("/api/v1/records/Trips/" + busy + "/blueprint/transitions/Collect%20documents",
                "{'fields': {'Passport_Number': 'P1', 'Travellers': 1}, 'checklist': ['Passport copy', 'Visa']}"));
        api.clock().advance(Duration.ofDays(13));
        api.running().engine().runPending();
        assertThat(ok(api.get("/api/v1/records/Trips/" + idle)).get("Status").asText()).isEqualTo("Booked");
        api.clock().advance(Duration.ofDays(1));
        api.running().engine().runPending();
        assertThat(ok(api.get("/api/v1/records/Trips/" + idle)).get("Status").asText()).isEqualTo("Cancelled");
        assertThat(events(api, "/api/v1/records/Trips/" + idle)).containsExactly("entered", "transitioned:Expire", "exited");
        assertThat(ok(api.get("/api/v1/records/Trips/" + busy)).get("Status").asText()).isEqualTo("Documents collected");
    }

    static final String CASES = "{'name': 'Case handling', 'module': 'Cases', 'field': 'Status', 'criteria': '(Priority:is_not_empty)', 'transitions': ["
            + "{'name': 'Hold', 'from': 'New', 'to': 'On Hold', 'during': {'note': 'mandatory'}},"
            + "{'name': 'Escalate', 'from': ['New', 'On Hold'], 'to': 'Escalated', 'before': {'owners': [{'type': 'record_owner'}]}},"
            + "{'name': 'Auto-escalate', 'from': 'On Hold', 'to': 'Escalated', 'automatic': {'after': 'P3D'}},"
            + "{'name': 'Resolve', 'from': ['New', 'On Hold', 'Escalated'], 'to': 'Closed',"
            + " 'during': {'fields': [{'field': 'Description', 'mandatory': true}], 'checklist': ['Customer informed']},"
            + " 'after': [{'type': 'emit_signal', 'config': {'type': 'case.resolved'}}]}],"
            + " 'sla': [{'state': 'New', 'escalations': [{'after': 'PT4H', 'actions': [{'type': 'create_task', 'config':"
            + "   {'subject': 'Case waiting', 'due': 'today', 'assign_to': 'record_owner'}}]}]}]}";

    @BothServers
    void caseHandlingEscalatesOnItsSlaHoldsAndAutoEscalates(Api api) {
        ok(api.post("/api/v1/blueprints", CASES));
        String other = ok(api.post("/api/v1/records/Cases", "{'Subject': 'No priority', 'Status': 'New'}")).get("id").asText();
        assertThat(ok(api.get("/api/v1/records/Cases/" + other + "/blueprint")).get("blueprint").isNull()).as("entry criteria").isTrue();
        String c = ok(api.post("/api/v1/records/Cases", "{'Subject': 'Lost luggage', 'Status': 'New', 'Priority': 'High'}")).get("id").asText();
        String path = "/api/v1/records/Cases/" + c;

        api.clock().advance(Duration.ofHours(5));
        api.running().engine().runPending();
        assertThat(ok(api.get("/api/v1/records/Tasks/count?Subject=Case%20waiting")).get("count").asLong()).isEqualTo(1);
        ok(api.post(path + "/blueprint/transitions/Hold", "{'note': 'Waiting for the airline'}"));
        api.clock().advance(Duration.ofDays(3));
        api.running().engine().runPending();
        assertThat(ok(api.get(path)).get("Status").asText()).isEqualTo("Escalated");
        Api.Response unticked = api.post(path + "/blueprint/transitions/Resolve", "{'fields': {'Description': 'Found in Doha'}}");
        assertThat(unticked.status()).isEqualTo(400);
        assertThat(unticked.json().get("errors").get(0).get("field").asText()).isEqualTo("checklist");
        Api.Response notOfIt = api.post(path + "/blueprint/transitions/Resolve",
                "{'fields': {'Description': 'x', 'Priority': 'Low'}, 'checklist': ['Customer informed']}");
        assertThat(notOfIt.json().get("errors").get(0).get("field").asText()).isEqualTo("fields.Priority");
        ok(api.post(path + "/blueprint/transitions/Resolve", "{'fields': {'Description': 'Found in Doha'}, 'checklist': ['Customer informed']}"));
        api.running().engine().runPending();
        assertThat(ok(api.get(path)).get("Status").asText()).isEqualTo("Closed");
        assertThat(ok(api.get("/api/v1/signals?type=case.resolved&record_id=" + c)).get("data")).hasSize(1);
        assertThat(events(api, path)).containsExactly("entered", "sla_escalated", "transitioned:Hold", "transitioned:Auto-escalate",
                "transitioned:Resolve", "exited");
    }

    @BothServers
    void aChangedFlowIsANewVersionAndRecordsInFlightMoveOnlyByAnExplicitMigration(Api api) {
        String id = ok(api.post("/api/v1/blueprints", CASES)).get("id").asText();
        String old = ok(api.post("/api/v1/records/Cases", "{'Subject': 'Old', 'Status': 'On Hold', 'Priority': 'Low'}")).get("id").asText();
        // Version 2 drops On Hold: cases wait in Escalated instead.
        Api.Response changed = api.patch("/api/v1/blueprints/" + id, "{'revision': 1, 'transitions': ["
                + "{'name': 'Escalate', 'from': 'New', 'to': 'Escalated'},"
                + "{'name': 'Resolve', 'from': ['New', 'Escalated'], 'to': 'Closed'}], 'sla': []}");
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        assertThat(changed.json().get("version").asInt()).isEqualTo(2);
        assertThat(api.patch("/api/v1/blueprints/" + id, "{'revision': 1, 'active': false}").status()).isEqualTo(409);
        String fresh = ok(api.post("/api/v1/records/Cases", "{'Subject': 'New', 'Status': 'New', 'Priority': 'Low'}")).get("id").asText();
        assertThat(ok(api.get("/api/v1/records/Cases/" + old + "/blueprint")).get("blueprint").get("version").asInt()).isEqualTo(1);
        assertThat(ok(api.get("/api/v1/records/Cases/" + fresh + "/blueprint")).get("blueprint").get("version").asInt()).isEqualTo(2);
        JsonNode versions = ok(api.get("/api/v1/blueprints/" + id)).get("versions");
        assertThat(versions).hasSize(2);
        assertThat(versions.get(0).get("records_in_flight").asLong()).isEqualTo(1);
        assertThat(ok(api.get("/api/v1/blueprints/" + id + "/versions/1")).get("transitions")).hasSize(4);

        // On Hold is not a state of version 2: migrating without mapping it is refused and moves nothing.
        Api.Response unmapped = api.post("/api/v1/blueprints/" + id + "/migrate", "{'from_version': 1}");
        assertThat(unmapped.status()).isEqualTo(400);
        assertThat(unmapped.json().get("errors").get(0).get("field").asText()).isEqualTo("states.On Hold");
        assertThat(ok(api.get("/api/v1/records/Cases/" + old + "/blueprint")).get("blueprint").get("version").asInt()).isEqualTo(1);
        JsonNode migrated = ok(api.post("/api/v1/blueprints/" + id + "/migrate", "{'from_version': 1, 'states': {'On Hold': 'Escalated'}}"));
        assertThat(migrated.get("migrated").asInt()).isEqualTo(1);
        JsonNode view = ok(api.get("/api/v1/records/Cases/" + old + "/blueprint"));
        assertThat(view.get("blueprint").get("version").asInt()).isEqualTo(2);
        assertThat(view.get("state").asText()).isEqualTo("Escalated");
        assertThat(ok(api.get("/api/v1/records/Cases/" + old)).get("Status").asText()).isEqualTo("Escalated");
        assertThat(events(api, "/api/v1/records/Cases/" + old)).containsExactly("entered", "migrated");
    }

    @BothServers
    void badDefinitionsAreRefusedNamingEachPathAndStoreNothing(Api api) {
        Api.Response r = api.post("/api/v1/blueprints", "{'name': 'Bad', 'module': 'Cases', 'field': 'Status', 'transitions': ["
                + "{'name': 'A', 'from': 'Nowhere', 'to': 'Closed'},"
                + "{'name': 'A', 'from': 'New', 'to': 'New'},"
                + "{'name': 'P', 'from': 'New', 'to': 'Closed', 'parallel': 'solo', 'during': {'fields': [{'field': 'Nope'}], 'note': 'maybe'}},"
                + "{'name': 'Auto', 'from': 'New', 'to': 'Closed', 'automatic': {'after': 'soon'}, 'before': {'owners': [{'type': 'boss'}]}}],"
                + " 'sla': [{'state': 'Closed', 'escalations': []}]}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("errors")).extracting(e -> e.get("field").asText()).contains("transitions[0].from", "transitions[1].name",
                "transitions[1].to", "transitions[2].parallel", "transitions[2].during.fields[0].field", "transitions[2].during.note",
                "transitions[3].automatic.after", "transitions[3].before.owners[0].type", "sla[0].state");
        assertThat(api.post("/api/v1/blueprints", "{'name': 'x', 'module': 'Cases', 'field': 'Subject', 'transitions': []}")
                .json().get("errors").get(0).get("field").asText()).isEqualTo("field");
        assertThat(ok(api.get("/api/v1/blueprints")).get("data")).isEmpty();
        assertThat(api.get("/api/v1/blueprints/not-a-uuid").status()).isEqualTo(400);
    }

    @BothServers
    void aWorkflowFieldUpdateCannotMoveTheStateOfARecordInABlueprint(Api api) {
        ok(api.post("/api/v1/blueprints", CASES));
        String rule = ok(api.post("/api/v1/workflow-rules", "{'name': 'Close high', 'module': 'Cases', 'trigger': {'type': 'field_update', 'fields': ['Priority']},"
                + " 'rules': [{'actions': [{'type': 'field_update', 'config': {'field': 'Status', 'value': 'Closed'}}]}]}")).get("id").asText();
        String c = ok(api.post("/api/v1/records/Cases", "{'Subject': 'Refund', 'Status': 'New', 'Priority': 'Low'}")).get("id").asText();
        ok(api.patch("/api/v1/records/Cases/" + c, "{'Priority': 'High'}"));
        api.running().engine().runPending();
        assertThat(ok(api.get("/api/v1/records/Cases/" + c)).get("Status").asText()).isEqualTo("New");
        JsonNode failed = ok(api.get("/api/v1/outbox?source=workflow_rule:" + rule)).get("data").get(0);
        assertThat(failed.get("status").asText()).isNotEqualTo("done");
        assertThat(failed.get("last_error").asText()).as(failed.toString()).contains("changes only through a blueprint transition");
    }

    @BothServers
    void aTransitionFailingHalfWayLeavesRecordStateHistoryAndTimersAsTheyWere(Api api) {
        ok(api.post("/api/v1/modules/Cases/fields", "{'api_name': 'Ticket', 'label': 'Ticket', 'type': 'text', 'unique': true}"));
        ok(api.post("/api/v1/blueprints", "{'name': 'Tickets', 'module': 'Cases', 'field': 'Status', 'transitions': ["
                + "{'name': 'Hold', 'from': 'New', 'to': 'On Hold', 'during': {'fields': [{'field': 'Ticket', 'mandatory': true}]},"
                + " 'after': [{'type': 'emit_signal', 'config': {'type': 'case.held'}}]},"
                + "{'name': 'Close', 'from': 'On Hold', 'to': 'Closed'}],"
                + " 'sla': [{'state': 'New', 'escalations': [{'after': 'PT4H', 'actions': [{'type': 'emit_signal', 'config': {'type': 'case.late'}}]}]}]}"));
        String a = ok(api.post("/api/v1/records/Cases", "{'Subject': 'A', 'Status': 'New'}")).get("id").asText();
        String b = ok(api.post("/api/v1/records/Cases", "{'Subject': 'B', 'Status': 'New'}")).get("id").asText();
        ok(api.post("/api/v1/records/Cases/" + a + "/blueprint/transitions/Hold", "{'fields': {'Ticket': 'T-1'}}"));
        // B's transition passes every check and moves the state row, then the record write finds the Ticket taken: all of it rolls back.
        Api.Response clash = api.post("/api/v1/records/Cases/" + b + "/blueprint/transitions/Hold", "{'fields': {'Ticket': 'T-1'}}");
        assertThat(clash.status()).as(clash.toString()).isEqualTo(400);
        assertThat(clash.json().get("errors").get(0).get("field").asText()).isEqualTo("fields.Ticket");
        assertThat(ok(api.get("/api/v1/records/Cases/" + b + "/blueprint")).get("state").asText()).isEqualTo("New");
        assertThat(ok(api.get("/api/v1/records/Cases/" + b)).get("Status").asText()).isEqualTo("New");
        assertThat(events(api, "/api/v1/records/Cases/" + b)).containsExactly("entered");
        api.running().engine().runPending();
        assertThat(ok(api.get("/api/v1/signals?type=case.held")).get("data")).hasSize(1);
        // B's SLA timer survived the failed transition; A's was dropped when it left New.
        api.clock().advance(Duration.ofHours(5));
        api.running().engine().runPending();
        assertThat(ok(api.get("/api/v1/signals?type=case.late")).get("data")).hasSize(1);
        assertThat(ok(api.get("/api/v1/signals?type=case.late")).get("data").get(0).get("record_id").asText()).isEqualTo(b);
        ok(api.post("/api/v1/records/Cases/" + b + "/blueprint/transitions/Hold", "{'fields': {'Ticket': 'T-2'}}"));

        // A bulk update that would move one state field changes none of the records.
        Api.Response bulk = api.patch("/api/v1/records/Cases", "[{'id': '" + a + "', 'Subject': 'A2'}, {'id': '" + b + "', 'Status': 'Closed'}]");
        assertThat(bulk.status()).isEqualTo(409);
        assertThat(ok(api.get("/api/v1/records/Cases/" + a)).get("Subject").asText()).isEqualTo("A");
        assertThat(ok(api.get("/api/v1/records/Cases/" + b)).get("Status").asText()).isEqualTo("On Hold");
    }
}

package io.waymark.server;

import static io.waymark.server.BlueprintApiTest.ok;
import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.server.BlueprintApiTest.Zylker;
import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;
import java.time.Duration;

/**
 * Approval processes over HTTP: Zylker's rule that a trip discount over 12% needs the sales
 * manager's approval (lock, reject with actions, resubmission, approve), sequential k-of-n steps
 * with delegation and levels up the hierarchy, recall, a deactivated approver's manager standing
 * in, escalation on a timer, and My Jobs.
 */
class ApprovalApiTest {

    static String discountProcess(Zylker z) {
        return "{'name': 'Discount over 12%', 'module': 'Trips', 'trigger': ['create', 'edit'], 'criteria': '(Discount:greater_than:12)',"
                + " 'steps': [{'approvers': [{'type': 'manager'}], 'mode': 'any',"
                + "   'escalation': {'after': 'PT48H', 'then': 'manager', 'actions': [{'type': 'create_task', 'config':"
                + "     {'subject': 'Discount approval overdue', 'due': 'today', 'assign_to': '" + z.team.manager.userId() + "'}}]}}],"
                + " 'editable_fields': ['Hotel'],"
                + " 'on_approval': [{'type': 'emit_signal', 'config': {'type': 'trip.discount_approved'}}],"
                + " 'on_rejection': [{'type': 'field_update', 'config': {'field': 'Discount', 'value': 12}}]}";
    }

    static String requestOf(Api api, String trip) {
        return ok(api.get("/api/v1/records/Trips/" + trip + "/approvals")).get("data").get(0).get("id").asText();
    }

    @BothServers
    void aDiscountOver12PercentWaitsForTheSalesManagerAndLocksTheTrip(Api api) {
        Zylker z = new Zylker(api);
        ok(api.post("/api/v1/blueprints", z.tripManagement()));
        ok(api.post("/api/v1/approval-processes", discountProcess(z)));
        String small = ok(z.rep1.post("/api/v1/records/Trips", "{'Name': 'Goa', 'Status': 'Booked', 'Discount': 5}")).get("id").asText();
        assertThat(ok(api.get("/api/v1/records/Trips/" + small + "/approvals")).get("data")).isEmpty();
        String trip = ok(z.rep1.post("/api/v1/records/Trips", "{'Name': 'Maldives', 'Status': 'Booked', 'Discount': 15}")).get("id").asText();
        String path = "/api/v1/records/Trips/" + trip;
        String request = requestOf(api, trip);
        JsonNode pending = ok(api.get("/api/v1/approvals/" + request));
        assertThat(pending.get("status").asText()).isEqualTo("pending");
        assertThat(pending.get("steps").get(0).get("approvers").get(0).get("user").asText()).isEqualTo(z.team.manager.userId().toString());

        // Locked: edits (but to Hotel), transitions and deletion answer 409 and change nothing.
        Api.Response locked = z.rep1.patch(path, "{'Discount': 20}");
        assertThat(locked.status()).isEqualTo(409);
        assertThat(locked.json().get("errors").get(0).get("field").asText()).isEqualTo("Discount");
        assertThat(ok(z.rep1.patch(path, "{'Hotel': 'Overwater villa'}")).get("Hotel").asText()).isEqualTo("Overwater villa");
        assertThat(z.rep1.post(path + "/blueprint/transitions/Collect%20documents",
                "{'fields': {'Passport_Number': 'M1', 'Travellers': 2}, 'checklist': ['Passport copy', 'Visa']}").status()).isEqualTo(409);
        assertThat(z.rep1.delete(path).status()).isEqualTo(409);
        JsonNode unchanged = ok(api.get(path));
        assertThat(unchanged.get("Discount").decimalValue()).isEqualByComparingTo("15");
        assertThat(unchanged.get("Status").asText()).isEqualTo("Booked");
        assertThat(unchanged.get("Passport_Number").isNull()).isTrue();

        // Only the approvers answer; My Jobs shows the manager what waits on them.
        // rep2 sees the trip (peers share) but is no approver.
        assertThat(z.rep2.post("/api/v1/approvals/" + request + "/approve", "{}").status()).isEqualTo(403);
        assertThat(z.rep1.post("/api/v1/approvals/" + request + "/approve", "{}").status()).isEqualTo(403);
        JsonNode jobs = ok(z.manager.get("/api/v1/my-jobs?kind=approval"));
        assertThat(jobs.get("counts").get("approval").asInt()).isEqualTo(1);
        assertThat(jobs.get("data").get(0).get("request_id").asText()).isEqualTo(request);
        assertThat(ok(z.rep1.get("/api/v1/my-jobs?kind=approval")).get("counts").get("approval").asInt()).isZero();

        // Rejecting needs a reason; the rejection action puts the discount back to 12% and unlocks the trip.
        assertThat(z.manager.post("/api/v1/approvals/" + request + "/reject", "{}").json().get("errors").get(0).get("field").asText())
                .isEqualTo("comment");
        JsonNode rejected = ok(z.manager.post("/api/v1/approvals/" + request + "/reject", "{'comment': 'Too generous'}"));
        assertThat(rejected.get("status").asText()).isEqualTo("rejected");
        assertThat(z.manager.post("/api/v1/approvals/" + request + "/approve", "{}").status()).isEqualTo(422);
        api.running().engine().runPending();
        assertThat(ok(api.get(path)).get("Discount").decimalValue()).isEqualByComparingTo("12");

        // The rep corrects and resubmits (14%): a new request; the manager approves; the approval action runs.
        ok(z.rep1.patch(path, "{'Discount': 14}"));
        String second = requestOf(api, trip);
        assertThat(second).isNotEqualTo(request);
        JsonNode approved = ok(z.manager.post("/api/v1/approvals/" + second + "/approve", "{'comment': 'Loyal customer'}"));
        assertThat(approved.get("status").asText()).isEqualTo("approved");
        api.running().engine().runPending();
        assertThat(ok(api.get("/api/v1/signals?type=trip.discount_approved&record_id=" + trip)).get("data")).hasSize(1);
        assertThat(ok(z.rep1.post(path + "/blueprint/transitions/Collect%20documents",
                "{'fields': {'Passport_Number': 'M1', 'Travellers': 2}, 'checklist': ['Passport copy', 'Visa']}")).get("state").asText())
                .isEqualTo("Documents collected");
        assertThat(ok(api.get(path + "/approvals")).get("data")).hasSize(2);
    }

    @BothServers
    void sequentialStepsWithKOfNDelegationAndTwoLevelsUp(Api api) {
        Zylker z = new Zylker(api);
        String deputy = ok(api.post("/api/v1/users", "{'email': 'deputy@example.com', 'name': 'Deputy', 'role': '" + z.team.managerRole + "'}"))
                .get("id").asText();
        Api asDeputy = api.withToken(z.engine.users().createToken(new io.waymark.Actor(api.admin().orgId(), java.util.UUID.fromString(deputy)),
                json("{'name': 'd'}")).secret());
        ok(api.post("/api/v1/approval-processes", "{'name': 'Big discounts', 'module': 'Trips', 'trigger': ['create'], 'criteria': '(Discount:greater_than:30)',"
                + " 'steps': [{'approvers': [{'type': 'user', 'id': '" + z.team.rep2.userId() + "'}, {'type': 'user', 'id': '" + z.team.manager.userId() + "'},"
                + "   {'type': 'group', 'id': '" + z.logistics + "'}], 'mode': 'k_of_n', 'k': 2},"
                + "  {'approvers': [{'type': 'levels_up', 'levels': 2}], 'mode': 'all'}]}"));
        String trip = ok(z.rep1.post("/api/v1/records/Trips", "{'Name': 'Antarctica', 'Discount': 35}")).get("id").asText();
        String request = requestOf(api, trip);
        assertThat(ok(api.get("/api/v1/approvals/" + request)).get("steps").get(0).get("approvers")).as("group member rep2 once").hasSize(2);

        ok(z.rep2.post("/api/v1/approvals/" + request + "/approve", "{}"));
        assertThat(ok(api.get("/api/v1/approvals/" + request)).get("step").asInt()).isEqualTo(1);
        Api.Response twice = z.manager.post("/api/v1/approvals/" + request + "/delegate", "{'to': '" + z.team.rep2.userId() + "'}");
        assertThat(twice.status()).as("one person counts once in a step").isEqualTo(400);
        ok(z.manager.post("/api/v1/approvals/" + request + "/delegate", "{'to': '" + deputy + "', 'comment': 'On leave'}"));
        assertThat(ok(api.get("/api/v1/approvals/" + request)).get("log")).extracting(l -> l.get("event").asText()).contains("delegated");
        assertThat(z.manager.post("/api/v1/approvals/" + request + "/approve", "{}").status()).as("delegated away").isEqualTo(403);
        ok(asDeputy.post("/api/v1/approvals/" + request + "/approve", "{'comment': 'for the manager'}"));
        JsonNode second = ok(api.get("/api/v1/approvals/" + request));
        assertThat(second.get("step").asInt()).isEqualTo(2);
        // Two levels above the owner (a rep): the CEO role, held by the admin.
        assertThat(second.get("steps").get(1).get("approvers").get(0).get("user").asText()).isEqualTo(api.admin().userId().toString());
        assertThat(ok(api.post("/api/v1/approvals/" + request + "/approve", "{}")).get("status").asText()).isEqualTo("approved");
        assertThat(ok(z.rep1.patch("/api/v1/records/Trips/" + trip, "{'Discount': 40}")).get("Discount").decimalValue()).isEqualByComparingTo("40");
    }

    @BothServers
    void theSubmitterRecallsADeactivatedApproversManagerStandsInAndAnUnansweredStepEscalates(Api api) {
        Zylker z = new Zylker(api);
        ok(api.post("/api/v1/approval-processes", discountProcess(z)));
        String first = ok(z.rep1.post("/api/v1/records/Trips", "{'Name': 'Iceland', 'Discount': 20}")).get("id").asText();
        String r1 = requestOf(api, first);
        assertThat(z.rep2.post("/api/v1/approvals/" + r1 + "/recall", "{}").status()).isEqualTo(403);
        assertThat(z.manager.post("/api/v1/approvals/" + r1 + "/recall", "{}").status()).isEqualTo(403);
        assertThat(ok(z.rep1.post("/api/v1/approvals/" + r1 + "/recall", "{'comment': 'Wrong price'}")).get("status").asText()).isEqualTo("recalled");
        ok(z.rep1.patch("/api/v1/records/Trips/" + first, "{'Name': 'Iceland (recalled)'}"));
        assertThat(ok(api.get("/api/v1/records/Trips/" + first + "/approvals")).get("data")).as("unlocked, not resubmitted").hasSize(1);

        // The manager leaves: the CEO (the role above theirs) answers in their place.
        String second = ok(z.rep1.post("/api/v1/records/Trips", "{'Name': 'Patagonia', 'Discount': 25}")).get("id").asText();
        String r2 = requestOf(api, second);
        ok(api.patch("/api/v1/users/" + z.team.manager.userId(), "{'active': false}"));
        assertThat(ok(api.get("/api/v1/my-jobs")).get("counts").get("approval").asInt()).isEqualTo(1);
        JsonNode approved = ok(api.post("/api/v1/approvals/" + r2 + "/approve", "{'comment': 'standing in'}"));
        assertThat(approved.get("status").asText()).isEqualTo("approved");
        assertThat(approved.get("steps").get(0).get("approvers").get(0).get("answered_by").asText()).isEqualTo(api.admin().userId().toString());
        ok(api.patch("/api/v1/users/" + z.team.manager.userId(), "{'active': true}"));

        // Unanswered for 48 hours: the escalation task is created and the manager's manager joins the step.
        String third = ok(z.rep1.post("/api/v1/records/Trips", "{'Name': 'Peru', 'Discount': 30}")).get("id").asText();
        String r3 = requestOf(api, third);
        api.clock().advance(Duration.ofHours(47));
        api.running().engine().runPending();
        assertThat(ok(api.get("/api/v1/approvals/" + r3)).get("steps").get(0).get("approvers")).hasSize(1);
        api.clock().advance(Duration.ofHours(2));
        api.running().engine().runPending();
        JsonNode escalated = ok(api.get("/api/v1/approvals/" + r3));
        assertThat(escalated.get("log")).extracting(l -> l.get("event").asText()).contains("escalated");
        assertThat(escalated.get("steps").get(0).get("approvers")).hasSize(2);
        assertThat(ok(api.get("/api/v1/records/Tasks/count?Subject=Discount%20approval%20overdue")).get("count").asLong()).isEqualTo(1);
        assertThat(ok(api.post("/api/v1/approvals/" + r3 + "/approve", "{}")).get("status").asText()).isEqualTo("approved");
    }

    @BothServers
    void badProcessesAreRefusedNamingEachPath(Api api) {
        Api.Response r = api.post("/api/v1/approval-processes", "{'name': 'x', 'module': 'Deals', 'trigger': ['save'], 'criteria': '(Nope:equals:1)',"
                + " 'steps': [{'approvers': [{'type': 'boss'}, {'type': 'levels_up', 'levels': 0}], 'mode': 'k_of_n'},"
                + "  {'approvers': [{'type': 'user'}], 'escalation': {'after': 'later', 'then': 'panic'}}], 'editable_fields': ['Nope']}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("errors")).extracting(e -> e.get("field").asText()).contains("trigger", "steps[0].approvers[0].type",
                "steps[0].approvers[1].levels", "steps[0].k", "steps[1].approvers[0].id", "steps[1].escalation.after", "steps[1].escalation.then",
                "editable_fields[0]");
        assertThat(ok(api.get("/api/v1/approval-processes")).get("data")).isEmpty();
    }

    @BothServers
    void myJobsListsTransitionsParallelTransitionsApprovalsAndTasksWithCounts(Api api) {
        Zylker z = new Zylker(api);
        ok(api.post("/api/v1/blueprints", z.tripManagement()));
        String trip = ok(z.rep1.post("/api/v1/records/Trips", "{'Name': 'Bhutan', 'Status': 'Booked', 'Discount': 5}")).get("id").asText();
        JsonNode rep1 = ok(z.rep1.get("/api/v1/my-jobs"));
        assertThat(rep1.get("counts").get("blueprint_transition").asInt()).isEqualTo(1);
        assertThat(rep1.get("data").get(0).get("transition").asText()).isEqualTo("Collect documents");
        ok(z.rep1.post("/api/v1/records/Trips/" + trip + "/blueprint/transitions/Collect%20documents",
                "{'fields': {'Passport_Number': 'B1', 'Travellers': 1}, 'checklist': ['Passport copy', 'Visa']}"));
        api.running().engine().runPending();
        JsonNode after = ok(z.rep1.get("/api/v1/my-jobs"));
        assertThat(after.get("counts").get("blueprint_transition").asInt()).isZero();
        assertThat(after.get("counts").get("task").asInt()).as("the After task, assigned to the owner").isEqualTo(1);
        assertThat(ok(z.rep2.get("/api/v1/my-jobs?kind=parallel_transition")).get("data").get(0).get("transition").asText()).isEqualTo("Book hotel");
        JsonNode manager = ok(z.manager.get("/api/v1/my-jobs?module=Trips"));
        assertThat(manager.get("counts").get("parallel_transition").asInt()).isEqualTo(1);
        assertThat(manager.get("counts").get("blueprint_transition").asInt()).as("Cancel").isEqualTo(1);
        assertThat(api.get("/api/v1/my-jobs?kind=holiday").status()).isEqualTo(400);
    }
}

package io.waymark.server;

import static io.waymark.server.BlueprintApiTest.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.server.BlueprintApiTest.Zylker;
import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;
import java.util.ArrayList;
import java.util.List;

/**
 * Review processes over HTTP: trips entering through the API are held for the sales manager's
 * field-by-field review; while held no automation (workflow rule, approval, blueprint, journey)
 * acts on them and only the submitter may correct a rejected one; on acceptance every automation
 * runs as if the trip had just been created. Plus: which doors a process watches, the review log,
 * My Jobs, and every denial changing nothing.
 */
class ReviewApiTest {

    static String review(Zylker z, String sources) {
        return "{'name': 'New trips', 'module': 'Trips', 'sources': " + sources + ", 'criteria': '(Name:not_equals:Internal)',"
                + " 'reviewers': [{'type': 'role', 'id': '" + z.team.managerRole + "'}], 'fields': ['Name', 'Discount', 'Status']}";
    }

    /** A workflow rule on create or edit, the discount approval, the Trip Management blueprint and a journey entered on creation. */
    static void automations(Api api, Zylker z) {
        ok(api.post("/api/v1/workflow-rules", "{'name': 'Trip seen', 'module': 'Trips', 'trigger': {'type': 'create_or_edit'},"
                + " 'rules': [{'actions': [{'type': 'emit_signal', 'config': {'type': 'trip.seen'}}]}]}"));
        ok(api.post("/api/v1/approval-processes", ApprovalApiTest.discountProcess(z)));
        ok(api.post("/api/v1/blueprints", z.tripManagement()));
        String journey = ok(api.post("/api/v1/journeys", "{'name': 'Trip follow-up', 'entry': [{'type': 'record_created', 'module': 'Trips'}],"
                + " 'states': [{'key': 'booked', 'module': 'Trips', 'transitions': [{'signal': 'custom.trip_done', 'to': 'done'}]},"
                + "  {'key': 'done', 'end': 'success'}]}")).get("id").asText();
        ok(api.post("/api/v1/journeys/" + journey + "/publish", null));
    }

    static int signals(Api api, String type, String record) {
        return ok(api.get("/api/v1/signals?type=" + type + "&record_id=" + record)).get("data").size();
    }

    static List<String> events(JsonNode review) {
        List<String> out = new ArrayList<>();
        review.get("log").forEach(l -> out.add(l.get("event").asText()));
        return out;
    }

    @BothServers
    void aTripUnderReviewRunsNoAutomationUntilAcceptedThenRunsThemAsIfJustCreated(Api api) {
        Zylker z = new Zylker(api);
        automations(api, z);
        ok(api.post("/api/v1/review-processes", review(z, "['api']")));
        String trip = ok(z.rep1.post("/api/v1/records/Trips", "{'Name': 'Maldives', 'Status': 'Booked', 'Discount': 15}")).get("id").asText();
        String path = "/api/v1/records/Trips/" + trip;
        api.running().engine().runPending();

        JsonNode held = ok(api.get(path + "/review"));
        String id = held.get("id").asText();
        assertThat(held.get("status").asText()).isEqualTo("pending");
        assertThat(held.get("held").asBoolean()).isTrue();
        assertThat(held.get("source").asText()).isEqualTo("api");
        assertThat(held.get("submitter").asText()).isEqualTo(z.team.rep1.userId().toString());
        assertThat(held.get("reviewers")).extracting(JsonNode::asText).containsExactly(z.team.manager.userId().toString());
        assertThat(ok(api.get("/api/v1/signals?type=record.created&record_id=" + trip)).get("data").get(0).get("payload").get("source").asText())
                .isEqualTo("api");
        assertNothingRan(api, path, trip);
        JsonNode jobs = ok(z.manager.get("/api/v1/my-jobs?kind=review&module=Trips"));
        assertThat(jobs.get("counts").get("review").asInt()).isEqualTo(1);
        assertThat(jobs.get("data").get(0).get("review_id").asText()).isEqualTo(id);
        assertThat(ok(z.rep2.get("/api/v1/my-jobs?kind=review")).get("counts").get("review").asInt()).isZero();
        assertThat(ok(z.manager.get("/api/v1/reviews")).get("data")).extracting(r -> r.get("id").asText()).containsExactly(id);

        // Pending: nobody may change or delete it, not even its submitter; nobody but a reviewer decides.
        Api.Response locked = z.rep1.patch(path, "{'Discount': 20}");
        assertThat(locked.status()).isEqualTo(409);
        assertThat(locked.json().get("detail").asText()).contains("under review");
        assertThat(locked.json().get("errors").get(0).get("field").asText()).isEqualTo("Discount");
        assertThat(z.manager.patch(path, "{'Hotel': 'Villa'}").status()).isEqualTo(409);
        assertThat(z.rep1.delete(path).status()).isEqualTo(409);
        assertThat(z.rep2.post("/api/v1/reviews/" + id + "/decision", "{}").status()).as("sees the trip, reviews nothing").isEqualTo(403);
        assertThat(z.rep1.post("/api/v1/reviews/" + id + "/resubmit", "{}").status()).as("nothing to resubmit").isEqualTo(409);
        assertThat(api.otherOrg().post("/api/v1/reviews/" + id + "/decision", "{}").status()).isEqualTo(404);
        Api.Response bad = z.manager.post("/api/v1/reviews/" + id + "/decision",
                "{'verdicts': {'Discount': {'verdict': 'rejected'}, 'Hotel': {'verdict': 'accepted'}, 'Name': {'verdict': 'maybe'}}, 'colour': 1}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.header("Content-Type")).startsWith("application/problem+json");
        assertThat(bad.json().get("errors")).extracting(e -> e.get("field").asText())
                .containsExactlyInAnyOrder("verdicts.Discount.reason", "verdicts.Hotel", "verdicts.Name.verdict", "colour");
        assertThat(z.manager.post("/api/v1/reviews/" + id + "/decision", "{'verdicts': ['Discount']}").json().get("errors").get(0)
                .get("field").asText()).isEqualTo("verdicts");
        JsonNode unchanged = ok(api.get(path));
        assertThat(unchanged.get("Discount").decimalValue()).isEqualByComparingTo("15");
        assertThat(unchanged.get("Hotel").isNull()).isTrue();
        assertThat(ok(api.get(path + "/review")).get("log")).hasSize(1);

        // The manager rejects the discount with a reason: still held; only the submitter may correct it.
        JsonNode rejected = ok(z.manager.post("/api/v1/reviews/" + id + "/decision",
                "{'verdicts': {'Discount': {'verdict': 'rejected', 'reason': 'Over 14% needs a loyalty card'}, 'Name': {'verdict': 'accepted'}}}"));
        assertThat(rejected.get("status").asText()).isEqualTo("rejected");
        assertThat(rejected.get("verdicts").get("Discount").get("reason").asText()).isEqualTo("Over 14% needs a loyalty card");
        assertThat(rejected.get("verdicts").get("Status").get("verdict").asText()).as("not named: accepted").isEqualTo("accepted");
        assertThat(z.manager.post("/api/v1/reviews/" + id + "/decision", "{}").status()).as("not under review now").isEqualTo(409);
        assertThat(z.manager.patch(path, "{'Discount': 10}").status()).isEqualTo(409);
        assertThat(z.rep2.post("/api/v1/reviews/" + id + "/resubmit", "{}").status()).isEqualTo(403);
        ok(z.rep1.patch(path, "{'Discount': 14}"));
        api.running().engine().runPending();
        assertNothingRan(api, path, trip);

        // Resubmitted and accepted: every automation acts once, as on a new trip (the approval sees 14%).
        JsonNode again = ok(z.rep1.post("/api/v1/reviews/" + id + "/resubmit", "{'comment': 'Customer has a loyalty card'}"));
        assertThat(again.get("status").asText()).isEqualTo("pending");
        assertThat(again.get("round").asInt()).isEqualTo(2);
        assertThat(z.rep1.patch(path, "{'Discount': 13}").status()).isEqualTo(409);
        JsonNode accepted = ok(z.manager.post("/api/v1/reviews/" + id + "/decision", "{'comment': 'Fine now'}"));
        assertThat(accepted.get("status").asText()).isEqualTo("accepted");
        assertThat(accepted.get("held").asBoolean()).isFalse();
        api.running().engine().runPending();
        assertThat(signals(api, "trip.seen", trip)).as("the workflow rule on create, once").isEqualTo(1);
        JsonNode approvals = ok(api.get(path + "/approvals")).get("data");
        assertThat(approvals).hasSize(1);
        assertThat(approvals.get(0).get("submitter").asText()).isEqualTo(z.team.rep1.userId().toString());
        assertThat(ok(api.get(path + "/blueprint")).get("state").asText()).isEqualTo("Booked");
        assertThat(ok(api.get("/api/v1/journeys/instances?subject=" + ok(api.get(path)).get("subject").asText())).get("data")).hasSize(1);
        assertThat(signals(api, "record.review_accepted", trip)).isEqualTo(1);
        assertThat(signals(api, "review.submitted", trip)).isEqualTo(2);
        assertThat(signals(api, "review.rejected", trip)).isEqualTo(1);
        assertThat(signals(api, "review.accepted", trip)).isEqualTo(1);

        JsonNode log = ok(z.rep1.get(path + "/review"));
        assertThat(events(log)).containsExactly("submitted", "rejected", "resubmitted", "accepted");
        assertThat(log.get("log").get(1).get("user").asText()).isEqualTo(z.team.manager.userId().toString());
        assertThat(log.get("log").get(1).get("verdicts").get("Discount").get("verdict").asText()).isEqualTo("rejected");
        assertThat(log.get("log").get(2).get("comment").asText()).isEqualTo("Customer has a loyalty card");
        assertThat(ok(z.manager.get("/api/v1/my-jobs?kind=review")).get("counts").get("review").asInt()).isZero();
        // Live now: the approval's lock, not the review's, answers.
        assertThat(z.rep1.patch(path, "{'Discount': 11}").json().get("detail").asText()).contains("approval");
    }

    private static void assertNothingRan(Api api, String path, String trip) {
        assertThat(signals(api, "trip.seen", trip)).as("no workflow rule").isZero();
        assertThat(ok(api.get(path + "/approvals")).get("data")).as("no approval").isEmpty();
        assertThat(ok(api.get(path + "/blueprint")).get("blueprint").isNull()).as("no blueprint").isTrue();
        assertThat(ok(api.get("/api/v1/journeys/instances?subject=" + ok(api.get(path)).get("subject").asText())).get("data")).as("no journey")
                .isEmpty();
    }

    @BothServers
    void aProcessHoldsOnlyTheDoorsAndCriteriaItNames(Api api) {
        Zylker z = new Zylker(api);
        ok(api.post("/api/v1/review-processes", review(z, "['import', 'form']")));
        String single = ok(z.rep1.post("/api/v1/records/Trips", "{'Name': 'Goa'}")).get("id").asText();
        assertThat(api.get("/api/v1/records/Trips/" + single + "/review").status()).as("the API door is not watched").isEqualTo(404);
        JsonNode bulk = ok(z.rep1.post("/api/v1/records/Trips", "[{'Name': 'Bali'}, {'Name': 'Internal'}]")).get("data");
        JsonNode first = ok(api.get("/api/v1/records/Trips/" + bulk.get(0).get("id").asText() + "/review"));
        assertThat(first.get("source").asText()).isEqualTo("import");
        assertThat(first.get("fields")).extracting(JsonNode::asText).containsExactly("Name", "Discount", "Status");
        assertThat(api.get("/api/v1/records/Trips/" + bulk.get(1).get("id").asText() + "/review").status()).as("criteria not met").isEqualTo(404);
        ok(z.rep1.patch("/api/v1/records/Trips/" + single, "{'Hotel': 'Beach hut'}"));

        // Switched off: nothing more is held; the held one stays held and the process cannot go while it holds it.
        String process = ok(api.get("/api/v1/review-processes?module=Trips")).get("data").get(0).get("id").asText();
        ok(api.patch("/api/v1/review-processes/" + process, "{'active': false}"));
        JsonNode later = ok(z.rep1.post("/api/v1/records/Trips", "[{'Name': 'Fiji'}]")).get("data");
        assertThat(api.get("/api/v1/records/Trips/" + later.get(0).get("id").asText() + "/review").status()).isEqualTo(404);
        assertThat(api.delete("/api/v1/review-processes/" + process).status()).isEqualTo(409);
        ok(z.manager.post("/api/v1/reviews/" + first.get("id").asText() + "/decision", "{}"));
        assertThat(api.delete("/api/v1/review-processes/" + process).status()).isEqualTo(204);
    }

    @BothServers
    void badProcessesAreRefusedNamingEachPathAndStoreNothing(Api api) {
        Zylker z = new Zylker(api);
        Api.Response r = api.post("/api/v1/review-processes", "{'name': 'x', 'module': 'Trips', 'sources': ['fax'], 'criteria': '(Nope:equals:1)',"
                + " 'reviewers': [{'type': 'boss'}, {'type': 'user'}], 'fields': ['Nope'], 'when': 'always'}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.json().get("errors")).extracting(e -> e.get("field").asText())
                .contains("sources[0]", "reviewers[0].type", "reviewers[1].id", "fields[0]", "when")
                .anyMatch(f -> f.startsWith("criteria"));
        assertThat(api.post("/api/v1/review-processes", "{'name': 'x', 'module': 'Nope', 'sources': ['api'], 'reviewers': []}").json()
                .get("errors").get(0).get("field").asText()).isEqualTo("module");
        assertThat(z.rep1.post("/api/v1/review-processes", review(z, "['api']")).status()).as("needs manage_reviews").isEqualTo(403);
        assertThat(ok(api.get("/api/v1/review-processes")).get("data")).isEmpty();
        String id = ok(api.post("/api/v1/review-processes", review(z, "['api']"))).get("id").asText();
        assertThat(api.patch("/api/v1/review-processes/" + id, "{'reviewers': [], 'revision': 1}").json().get("errors").get(0).get("field").asText())
                .isEqualTo("reviewers");
        assertThat(api.patch("/api/v1/review-processes/" + id, "{'name': 'Renamed', 'revision': 7}").status()).isEqualTo(409);
        assertThat(ok(api.get("/api/v1/review-processes/" + id)).get("name").asText()).isEqualTo("New trips");
        assertThat(ok(api.patch("/api/v1/review-processes/" + id, "{'name': 'Renamed', 'revision': 1}")).get("revision").asInt()).isEqualTo(2);
        assertThat(api.get("/api/v1/reviews?status=lost").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/reviews/0190f3c2-7a51-7c3e-9a0b-2f4d5e6a7b8c").status()).isEqualTo(404);
    }

    @BothServers
    void anImportIsHeldForAGroupAndItsCreatorCorrectsIt(Api api) {
        Zylker z = new Zylker(api);
        ok(api.post("/api/v1/review-processes", "{'name': 'Bulk trips', 'module': 'Trips', 'sources': ['import'],"
                + " 'reviewers': [{'type': 'group', 'id': '" + z.logistics + "'}]}"));
        String trip = ok(api.post("/api/v1/records/Trips", "[{'Name': 'Oman', 'Owner': '" + z.team.rep1.userId() + "', 'Flight': 'WY 12'}]"))
                .get("data").get(0).get("id").asText();
        JsonNode r = ok(api.get("/api/v1/records/Trips/" + trip + "/review"));
        assertThat(r.get("reviewers")).extracting(JsonNode::asText).containsExactly(z.team.rep2.userId().toString());
        assertThat(r.get("fields")).extracting(JsonNode::asText).as("every field with a value").contains("Name", "Flight").doesNotContain("Hotel");
        assertThat(z.manager.post("/api/v1/reviews/" + r.get("id").asText() + "/decision", "{}").status()).isEqualTo(403);
        JsonNode rejected = ok(z.rep2.post("/api/v1/reviews/" + r.get("id").asText() + "/decision",
                "{'verdicts': {'Flight': {'verdict': 'rejected', 'reason': 'No such flight'}}}"));
        assertThat(rejected.get("status").asText()).isEqualTo("rejected");
        // The admin created it, so the admin corrects it.
        assertThat(z.rep1.patch("/api/v1/records/Trips/" + trip, "{'Flight': 'WY 14'}").status()).isEqualTo(409);
        ok(api.patch("/api/v1/records/Trips/" + trip, "{'Flight': 'WY 14'}"));
        ok(api.post("/api/v1/reviews/" + r.get("id").asText() + "/resubmit", null));
        assertThat(ok(z.rep2.get("/api/v1/reviews?module=Trips")).get("data")).hasSize(1);
    }

    @BothServers
    void aWebFormLeadIsHeldWithItsOwnerAsSubmitterAndNoCadenceTakesItUntilAccepted(Api api) {
        Zylker z = new Zylker(api);
        String form = ok(api.post("/api/v1/forms", "{'name': 'Enquiry', 'title': 'Plan a trip', 'module': 'Leads',"
                + " 'fields': [{'field': 'Last_Name', 'required': true}, {'field': 'Email'}]}")).get("id").asText();
        ok(api.post("/api/v1/review-processes", "{'name': 'Web leads', 'module': 'Leads', 'sources': ['form'],"
                + " 'reviewers': [{'type': 'user', 'id': '" + z.team.manager.userId() + "'}], 'fields': ['Last_Name', 'Email']}"));
        String cadence = ok(api.post("/api/v1/cadences", "{'name': 'Calls', 'module': 'Leads', 'time_zone': {'default': 'UTC'},"
                + " 'follow_ups': [{'key': 'call', 'type': 'call', 'subject': 'Call the lead'}]}")).get("id").asText();
        ok(api.post("/api/v1/cadences/" + cadence + "/publish", null));
        Api.Response submitted = api.withToken(null).post("/forms/" + form, "{'Last_Name': 'Patel', 'Email': 'asha@example.com'}");
        assertThat(submitted.status()).as(submitted.toString()).isEqualTo(201);
        JsonNode lead = ok(api.get("/api/v1/records/Leads")).get("data").get(0);
        String path = "/api/v1/records/Leads/" + lead.get("id").asText();
        JsonNode review = ok(api.get(path + "/review"));
        assertThat(review.get("source").asText()).isEqualTo("form");
        assertThat(review.get("submitter").asText()).as("a form has no user: the owner submits").isEqualTo(lead.get("Owner").get("id").asText());

        JsonNode skipped = ok(api.post("/api/v1/cadences/" + cadence + "/enroll", "{'record_ids': ['" + lead.get("id").asText() + "']}"));
        assertThat(skipped.get("enrolled")).isEmpty();
        assertThat(skipped.get("skipped").get(0).get("reason").asText()).isEqualTo("held for review");
        ok(z.manager.post("/api/v1/reviews/" + review.get("id").asText() + "/decision", "{'verdicts': {'Email': {'verdict': 'accepted'}}}"));
        assertThat(ok(api.post("/api/v1/cadences/" + cadence + "/enroll", "{'record_ids': ['" + lead.get("id").asText() + "']}")).get("enrolled"))
                .hasSize(1);
    }

    @BothServers
    void aRecordAnAutomationCreatesIsHeldWhenTheProcessWatchesAutomations(Api api) {
        Zylker z = new Zylker(api);
        ok(api.post("/api/v1/workflow-rules", "{'name': 'Follow-up task', 'module': 'Trips', 'trigger': {'type': 'create'},"
                + " 'rules': [{'actions': [{'type': 'create_record', 'config': {'module': 'Tasks', 'fields': {'Subject': 'Call about the trip'}}}]}]}"));
        ok(api.post("/api/v1/review-processes", "{'name': 'Generated tasks', 'module': 'Tasks', 'sources': ['automation'],"
                + " 'reviewers': [{'type': 'user', 'id': '" + z.team.manager.userId() + "'}]}"));
        ok(z.rep1.post("/api/v1/records/Tasks", "{'Subject': 'Typed by hand'}"));
        ok(z.rep1.post("/api/v1/records/Trips", "{'Name': 'Kerala'}"));
        api.running().engine().runPending();
        JsonNode pending = ok(z.manager.get("/api/v1/reviews?module=Tasks")).get("data");
        assertThat(pending).as("only the task the rule created").hasSize(1);
        assertThat(pending.get(0).get("source").asText()).isEqualTo("automation");
        assertThat(ok(z.manager.get("/api/v1/my-jobs")).get("counts").get("review").asInt()).isEqualTo(1);
    }
}

package io.waymark.server;

import static io.waymark.server.CadencesApiTest.enroll;
import static io.waymark.server.CadencesApiTest.enrollment;
import static io.waymark.server.CadencesApiTest.lead;
import static io.waymark.server.CadencesApiTest.published;
import static io.waymark.server.CadencesApiTest.run;
import static io.waymark.server.CadencesApiTest.template;
import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.Actor;
import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Issue 6, continued: how records enter a cadence (by criteria, automatically, from a journey) and may come back. */
class CadenceEnrollmentApiTest {

    static String leadWith(Api api, String email, String status) {
        Api.Response r = api.post("/api/v1/records/Leads", "{'Last_Name': 'L', 'Email': '" + email + "', 'Lead_Status': '" + status + "'}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    static List<String> enrolledRecords(Api api, String cadence) {
        List<String> out = new ArrayList<>();
        api.get("/api/v1/cadences/" + cadence + "/enrollments?limit=1000").json().get("data").forEach(e -> out.add(e.get("record_id").asText()));
        return out;
    }

    static JsonNode counts(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("counts");
    }

    static List<String> kinds(JsonNode enrollment) {
        List<String> kinds = new ArrayList<>();
        enrollment.get("timeline").forEach(l -> kinds.add(l.get("kind").asText() + (l.has("follow_up") ? ":" + l.get("follow_up").asText() : "")));
        return kinds;
    }

    static final String TASK = "'follow_ups': [{'key': 'call_back', 'type': 'task', 'subject': 'Call back', 'after': {'days': 1}}]";

    @BothServers
    void enrollingByCriteriaTakesTheMatchingRecordsTheCallerSeesAndCountsTheSkipped(Api api) {
        String cadence = published(api, "{'name': 'Contacted', 'module': 'Leads', " + TASK + "}");
        String a = leadWith(api, "a@example.com", "Contacted");
        String b = leadWith(api, "b@example.com", "Contacted");
        String c = leadWith(api, "c@example.com", "Contacted");
        leadWith(api, "n@example.com", "New");
        enroll(api, cadence, a);
        String removed = enroll(api, cadence, b).get("enrolled").get(0).get("id").asText();
        assertThat(api.post("/api/v1/cadences/enrollments/" + removed + "/unenroll", null).status()).isEqualTo(200);

        JsonNode n = counts(api.post("/api/v1/cadences/" + cadence + "/enroll", "{'criteria': '(Lead_Status:equals:Contacted)'}"));
        assertThat(n.get("enrolled").asInt()).as("b (ended: may come back) and c").isEqualTo(2);
        assertThat(n.get("already_enrolled").asInt()).isEqualTo(1);
        assertThat(n.get("skipped_other").asInt()).isZero();
        assertThat(enrolledRecords(api, cadence)).contains(a, b, c).hasSize(4);

        // A caller who may manage cadences but sees only her own leads enrolls only those.
        var engine = api.running().engine();
        UUID profile = engine.profiles().create(api.admin(), json("{'name': 'Cadence rep', 'permissions': {'modules': {'*': ['view', 'create', 'edit']},"
                + " 'capabilities': ['manage_cadences']}}")).id();
        UUID role = engine.roles().create(api.admin(), json("{'name': 'Rep', 'reports_to': '" + engine.roles().list(api.admin()).get(0).id() + "'}")).id();
        UUID user = engine.users().create(api.admin(), json("{'email': 'rep@example.com', 'name': 'Rep', 'role': '" + role + "', 'profile': '" + profile + "'}")).id();
        Api rep = api.withToken(engine.users().createToken(new Actor(api.admin().orgId(), user), json("{'name': 'rep'}")).secret());
        String other = published(api, "{'name': 'Other', 'module': 'Leads', " + TASK + "}");
        String mine = leadWith(rep, "mine@example.com", "Contacted");
        JsonNode own = counts(rep.post("/api/v1/cadences/" + other + "/enroll", "{'criteria': '(Lead_Status:equals:Contacted)'}"));
        assertThat(own.get("enrolled").asInt()).isEqualTo(1);
        assertThat(enrolledRecords(api, other)).containsExactly(mine);
    }

    @BothServers
    void badEnrollmentRequestsAndDefinitionsNameTheFieldAndChangeNothing(Api api) {
        String cadence = published(api, "{'name': 'C', 'module': 'Leads', " + TASK + "}");
        String lead = leadWith(api, "x@example.com", "New");
        Api.Response bad = api.post("/api/v1/cadences/" + cadence + "/enroll", "{'criteria': '(No_Such_Field:equals:x)'}");
        assertThat(bad.status()).as(bad.toString()).isEqualTo(400);
        assertThat(bad.json().toString()).contains("\"criteria");
        Api.Response both = api.post("/api/v1/cadences/" + cadence + "/enroll", "{'criteria': '(Lead_Status:equals:New)', 'record_ids': ['" + lead + "']}");
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.json().toString()).contains("\"criteria\"");
        assertThat(api.post("/api/v1/cadences/" + cadence + "/enroll", "{'criteria': 7}").status()).isEqualTo(400);
        assertThat(enrolledRecords(api, cadence)).isEmpty();

        int before = api.get("/api/v1/cadences").json().get("data").size();
        Api.Response def = api.post("/api/v1/cadences", "{'name': 'Bad', 'module': 'Contacts', 'daily_limit': 0,"
                + " 'enrollment': {'automatic': true, 're_enroll': 'sometimes', 're_enroll_days': 3},"
                + " 'unenroll': {'related_record': {'module': 'Deals', 'lookup': 'Account_Name'}}, " + TASK + "}");
        assertThat(def.status()).as(def.toString()).isEqualTo(400);
        for (String field : List.of("daily_limit", "enrollment.criteria", "enrollment.re_enroll", "unenroll.related_record.lookup")) {
            assertThat(def.json().toString()).as(field).contains("\"" + field + "\"");
        }
        Api.Response days = api.post("/api/v1/cadences", "{'name': 'Bad', 'module': 'Leads', 'enrollment': {'re_enroll': 'after_days'},"
                + " 'unenroll': {'related_record': {'module': 'Nowhere', 'lookup': 'X'}}, " + TASK + "}");
        assertThat(days.json().toString()).contains("\"enrollment.re_enroll_days\"", "\"unenroll.related_record.module\"");
        assertThat(api.get("/api/v1/cadences").json().get("data")).hasSize(before);
    }

    @BothServers
    void reEnrollmentFollowsTheCadencesRule(Api api) {
        // Default: back in once the enrollment ended, but never after reaching the goal.
        String byDefault = published(api, "{'name': 'Default', 'module': 'Leads', 'unenroll': {'goal_criteria': '(Lead_Status:equals:Pre-Qualified)'}, "
                + TASK + "}");
        String lead = leadWith(api, "r@example.com", "New");
        String first = enroll(api, byDefault, lead).get("enrolled").get(0).get("id").asText();
        api.post("/api/v1/cadences/enrollments/" + first + "/unenroll", null);
        String second = enroll(api, byDefault, lead).get("enrolled").get(0).get("id").asText();
        api.patch("/api/v1/records/Leads/" + lead, "{'Lead_Status': 'Pre-Qualified'}");
        run(api);
        assertThat(enrollment(api, second).get("reason").asText()).isEqualTo("goal_reached");
        api.patch("/api/v1/records/Leads/" + lead, "{'Lead_Status': 'Contacted'}");
        JsonNode refused = enroll(api, byDefault, lead);
        assertThat(refused.get("counts").get("skipped_other").asInt()).isEqualTo(1);
        assertThat(refused.get("skipped").get(0).get("reason").asText()).contains("reached the goal");

        String never = published(api, "{'name': 'Never', 'module': 'Leads', 'enrollment': {'re_enroll': 'never'}, " + TASK + "}");
        String once = enroll(api, never, lead).get("enrolled").get(0).get("id").asText();
        api.post("/api/v1/cadences/enrollments/" + once + "/unenroll", null);
        assertThat(enroll(api, never, lead).get("skipped").get(0).get("reason").asText()).contains("re_enroll never");

        String later = published(api, "{'name': 'Later', 'module': 'Leads', 'enrollment': {'re_enroll': 'after_days', 're_enroll_days': 3}, " + TASK + "}");
        String one = enroll(api, later, lead).get("enrolled").get(0).get("id").asText();
        api.post("/api/v1/cadences/enrollments/" + one + "/unenroll", null);
        api.clock().advance(Duration.ofDays(3).minusMinutes(1));
        assertThat(enroll(api, later, lead).get("skipped").get(0).get("reason").asText()).contains("less than 3 days");
        api.clock().advance(Duration.ofMinutes(1));
        assertThat(enroll(api, later, lead).get("enrolled")).hasSize(1);
    }

    @BothServers
    void recordsAreEnrolledAutomaticallyWhenTheyStartToMatchAndOnPublish(Api api) {
        String cadence = published(api, "{'name': 'Auto', 'module': 'Leads', 'enrollment': {'criteria': '(Lead_Status:equals:Contacted)', 'automatic': true}, "
                + TASK + "}");
        String a = leadWith(api, "a@example.com", "Contacted");
        String b = leadWith(api, "b@example.com", "New");
        run(api);
        assertThat(enrolledRecords(api, cadence)).containsExactly(a);
        api.patch("/api/v1/records/Leads/" + b, "{'Lead_Status': 'Contacted'}");
        run(api);
        assertThat(enrolledRecords(api, cadence)).containsExactlyInAnyOrder(a, b);
        for (JsonNode auto : api.get("/api/v1/cadences/" + cadence + "/enrollments").json().get("data")) {
            assertThat(auto.get("timeline").get(0).get("how").asText()).isEqualTo("automatic");
        }

        // Removed by hand, a still-matching record is not enrolled again by an unrelated change: only a start to match counts.
        String ofA = null;
        for (JsonNode e : api.get("/api/v1/cadences/" + cadence + "/enrollments").json().get("data")) {
            ofA = e.get("record_id").asText().equals(a) ? e.get("id").asText() : ofA;
        }
        api.post("/api/v1/cadences/enrollments/" + ofA + "/unenroll", null);
        api.patch("/api/v1/records/Leads/" + a, "{'City': 'Chennai'}");
        run(api);
        assertThat(api.get("/api/v1/cadences/" + cadence + "/enrollments?status=active").json().get("data")).hasSize(1);
        api.patch("/api/v1/records/Leads/" + a, "{'Lead_Status': 'New'}");
        api.patch("/api/v1/records/Leads/" + a, "{'Lead_Status': 'Contacted'}");
        run(api);
        assertThat(api.get("/api/v1/cadences/" + cadence + "/enrollments?status=active").json().get("data")).hasSize(2);

        // A new cadence that enrolls the records already matching when it is published.
        Api.Response c = api.post("/api/v1/cadences", "{'name': 'On publish', 'module': 'Leads',"
                + " 'enrollment': {'criteria': '(Lead_Status:equals:Contacted)', 'on_publish': true}, " + TASK + "}");
        String onPublish = c.json().get("id").asText();
        Api.Response p = api.post("/api/v1/cadences/" + onPublish + "/publish", null);
        assertThat(p.status()).as(p.toString()).isEqualTo(200);
        assertThat(p.json().get("enrolled_on_publish").get("enrolled").asInt()).isEqualTo(2);
        assertThat(enrolledRecords(api, onPublish)).containsExactlyInAnyOrder(a, b);
        leadWith(api, "late@example.com", "Contacted");
        run(api);
        assertThat(enrolledRecords(api, onPublish)).as("not automatic: later records stay out").hasSize(2);
    }

    @BothServers
    void aJourneyActionEnrollsTheCustomerInAPublishedCadence(Api api) {
        String cadence = published(api, "{'name': 'Nurture', 'module': 'Leads', " + TASK + "}");
        String draft = api.post("/api/v1/cadences", "{'name': 'Draft', 'module': 'Leads', " + TASK + "}").json().get("id").asText();
        String contacts = published(api, "{'name': 'For contacts', 'module': 'Contacts', " + TASK + "}");
        String journey = "{'name': 'Welcome', 'entry': [{'type': 'record_created', 'module': 'Leads'}],"
                + " 'states': [{'key': 'new', 'module': 'Leads', 'on_enter': [{'type': 'enroll_in_cadence', 'config': {'cadence_id': '%s'}}],"
                + "   'transitions': [{'signal': 'cadence.ended', 'to': 'done'}]}, {'key': 'done', 'end': 'success'}]}";
        int journeys = api.get("/api/v1/journeys").json().get("data").size();
        for (String bad : List.of(draft, contacts, UUID.randomUUID().toString(), "nope")) {
            Api.Response r = api.post("/api/v1/journeys", journey.replace("%s", bad));
            assertThat(r.status()).as(bad + ": " + r).isEqualTo(400);
            assertThat(r.json().toString()).contains("config.cadence_id");
        }
        assertThat(api.get("/api/v1/journeys").json().get("data")).hasSize(journeys);
        String id = api.post("/api/v1/journeys", journey.replace("%s", cadence)).json().get("id").asText();
        assertThat(api.post("/api/v1/journeys/" + id + "/publish", null).status()).isEqualTo(200);
        assertThat(api.post("/api/v1/journeys/" + id + "/activate", null).status()).isEqualTo(200);
        String lead = lead(api, "j@example.com");
        run(api);
        assertThat(enrolledRecords(api, cadence)).containsExactly(lead);
        JsonNode e = api.get("/api/v1/cadences/" + cadence + "/enrollments").json().get("data").get(0);
        assertThat(e.get("timeline").get(0).get("how").asText()).isEqualTo("action");
    }

    @BothServers
    void aDealCreatedForTheContactEndsItsEnrollmentAsGoalReached(Api api) {
        String cadence = published(api, "{'name': 'Deal please', 'module': 'Contacts', 'unenroll': {'related_record': {'module': 'Deals', 'lookup': 'Contact_Name'}}, "
                + TASK + "}");
        String contact = api.post("/api/v1/records/Contacts", "{'Last_Name': 'Rao', 'Email': 'rao@example.com'}").json().get("id").asText();
        String other = api.post("/api/v1/records/Contacts", "{'Last_Name': 'Iyer'}").json().get("id").asText();
        String id = enroll(api, cadence, contact).get("enrolled").get(0).get("id").asText();
        String untouched = enroll(api, cadence, other).get("enrolled").get(0).get("id").asText();
        api.post("/api/v1/records/Deals", "{'Deal_Name': 'Bali trip'}");
        run(api);
        assertThat(enrollment(api, id).get("status").asText()).isEqualTo("active");
        Api.Response deal = api.post("/api/v1/records/Deals", "{'Deal_Name': 'Bali trip', 'Contact_Name': '" + contact + "'}");
        assertThat(deal.status()).as(deal.toString()).isEqualTo(201);
        run(api);
        JsonNode e = enrollment(api, id);
        assertThat(e.get("reason").asText()).isEqualTo("goal_reached");
        assertThat(kinds(e)).containsSubsequence("related_record_created", "ended");
        JsonNode goal = api.get("/api/v1/signals?type=cadence.goal_reached&subject=" + e.get("subject").asText()).json().get("data");
        assertThat(goal.get(0).get("payload").get("goal").asText()).isEqualTo("related_record");
        assertThat(enrollment(api, untouched).get("status").asText()).isEqualTo("active");
    }

    @BothServers
    void theDailySendingLimitDefersTheRestToTheNextWindow(Api api) {
        api.clock().set(Instant.parse("2026-01-05T10:00:00Z")); // a Monday
        String w = template(api, "Welcome", "Welcome");
        String cadence = published(api, "{'name': 'Limited', 'module': 'Leads', 'daily_limit': 1, 'time_zone': {'default': 'UTC'},"
                + " 'window': {'days': ['mon', 'tue', 'wed', 'thu', 'fri'], 'from': '09:00', 'to': '17:00'},"
                + " 'follow_ups': [{'key': 'welcome', 'type': 'email', 'template_id': '" + w + "'}]}");
        String first = enroll(api, cadence, lead(api, "one@example.com")).get("enrolled").get(0).get("id").asText();
        String second = enroll(api, cadence, lead(api, "two@example.com")).get("enrolled").get(0).get("id").asText();
        run(api);
        assertThat(enrollment(api, first).get("follow_ups").get("welcome").get("status").asText()).isEqualTo("sent");
        JsonNode held = enrollment(api, second);
        assertThat(held.get("follow_ups").get("welcome").get("status").asText()).isEqualTo("planned");
        assertThat(held.get("next_due_at").asText()).isEqualTo("2026-01-06T09:00:00Z");
        JsonNode deferred = held.get("timeline").get(held.get("timeline").size() - 1);
        assertThat(deferred.get("kind").asText()).isEqualTo("deferred");
        assertThat(deferred.get("reason").asText()).contains("daily limit of 1");
        api.clock().set(Instant.parse("2026-01-06T08:59:00Z"));
        run(api);
        assertThat(enrollment(api, second).get("follow_ups").get("welcome").get("status").asText()).isEqualTo("planned");
        api.clock().set(Instant.parse("2026-01-06T09:00:00Z"));
        run(api);
        assertThat(enrollment(api, second).get("follow_ups").get("welcome").get("status").asText()).isEqualTo("sent");
    }
}

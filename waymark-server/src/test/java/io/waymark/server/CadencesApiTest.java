package io.waymark.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.email.InboundMail;
import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

class CadencesApiTest {

    static String template(Api api, String name, String subject) {
        Api.Response r = api.post("/api/v1/email/templates", "{'name': '" + name + "', 'module': 'Leads', 'subject': '" + subject + "', "
                + "'html': '<p>Hi {{Leads.First_Name}}</p><a href=\\\"https://zylker.com/bali\\\">Bali</a>'}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    static String lead(Api api, String email) {
        Api.Response r = api.post("/api/v1/records/Leads", "{'First_Name': 'Asha', 'Last_Name': 'Patel', 'Email': '" + email + "'}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    /** DESIGN.md §6 step 2: the "Next Steps" nurture cadence. */
    static String nurture(String welcome, String survey, String followUp) {
        return "{'name': 'Next Steps', 'module': 'Leads', 'time_zone': {'default': 'UTC'},"
                + " 'window': {'days': ['mon', 'tue', 'wed', 'thu', 'fri'], 'from': '09:00', 'to': '18:00'},"
                + " 'follow_ups': ["
                + "  {'key': 'welcome', 'type': 'email', 'template_id': '" + welcome + "'},"
                + "  {'key': 'survey', 'type': 'email', 'template_id': '" + survey + "',"
                + "   'conditions': [{'follow_up': 'welcome', 'event': 'opened', 'within_days': 3}]},"
                + "  {'key': 'follow_up', 'type': 'email', 'template_id': '" + followUp + "', 'after': {'days': 2, 'from': 'enrollment'},"
                + "   'conditions': [{'follow_up': 'welcome', 'event': 'opened', 'within_days': 3},"
                + "                  {'follow_up': 'welcome', 'event': 'not_replied', 'within_days': 2}]},"
                + "  {'key': 'call', 'type': 'call', 'subject': 'Call about the trip', 'after': {'days': 1}}]}";
    }

    static String published(Api api, String definition) {
        Api.Response c = api.post("/api/v1/cadences", definition);
        assertThat(c.status()).as(c.toString()).isEqualTo(201);
        String id = c.json().get("id").asText();
        Api.Response p = api.post("/api/v1/cadences/" + id + "/publish", null);
        assertThat(p.status()).as(p.toString()).isEqualTo(200);
        return id;
    }

    static JsonNode enroll(Api api, String cadence, String lead) {
        Api.Response r = api.post("/api/v1/cadences/" + cadence + "/enroll", "{'record_ids': ['" + lead + "']}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    static JsonNode enrollment(Api api, String id) {
        Api.Response r = api.get("/api/v1/cadences/enrollments/" + id);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    static List<String> subjects(Api api, String to) {
        List<String> out = new java.util.ArrayList<>();
        api.get("/api/v1/email/messages?to=" + to).json().get("data").forEach(m -> out.add(m.get("subject_line").asText()));
        return out;
    }

    static JsonNode message(Api api, String to, String subjectLine) {
        for (JsonNode m : api.get("/api/v1/email/messages?to=" + to).json().get("data")) {
            if (m.get("subject_line").asText().equals(subjectLine)) {
                return api.get("/api/v1/email/messages/" + m.get("id").asText()).json();
            }
        }
        throw new AssertionError("no message '" + subjectLine + "' to " + to);
    }

    static void run(Api api) {
        api.running().engine().runPending();
    }

    @BothServers
    void zylkerNurtureCadenceReachesItsGoalAndStartsTheJourney(Api api) throws Exception {
        String w = template(api, "Welcome", "Welcome to Zylker Travels");
        String s = template(api, "Survey", "Where would you like to go?");
        String f = template(api, "Next steps", "Your next steps");
        String lead = lead(api, "asha@example.com");
        String subject = api.get("/api/v1/records/Leads/" + lead).json().get("subject").asText();
        String journey = api.post("/api/v1/journeys", "{'name': 'After the cadence', 'entry': [{'type': 'cadence_goal', 'cadence': 'Next Steps'}],"
                + " 'states': [{'key': 'engaged', 'module': 'Leads', 'transitions': [{'signal': 'email.clicked', 'to': 'done'}]},"
                + " {'key': 'done', 'end': 'success'}]}").json().get("id").asText();
        assertThat(api.post("/api/v1/journeys/" + journey + "/publish", null).status()).isEqualTo(200);
        assertThat(api.post("/api/v1/journeys/" + journey + "/activate", null).status()).isEqualTo(200);
        String cadence = published(api, nurture(w, s, f));

        JsonNode e = enroll(api, cadence, lead).get("enrolled").get(0);
        String id = e.get("id").asText();
        assertThat(e.get("status").asText()).isEqualTo("active");
        JsonNode again = enroll(api, cadence, lead);
        assertThat(again.get("enrolled")).isEmpty();
        assertThat(again.get("skipped").get(0).get("reason").asText()).contains("already enrolled");

        run(api);
        assertThat(subjects(api, "asha@example.com")).containsExactly("Welcome to Zylker Travels");
        JsonNode now = enrollment(api, id);
        assertThat(now.get("follow_ups").get("welcome").get("status").asText()).isEqualTo("sent");
        assertThat(now.get("follow_ups").get("survey").get("status").asText()).as("waits for the open").isEqualTo("planned");

        // The customer opens the welcome email: the survey goes out at once.
        api.clock().advance(Duration.ofHours(3));
        String html = message(api, "asha@example.com", "Welcome to Zylker Travels").get("html").asText();
        assertThat(IntegrationsApiTest.form(api, "GET", "/t/o/" + IntegrationsApiTest.token(html, "o"), null).statusCode()).isEqualTo(200);
        run(api);
        assertThat(subjects(api, "asha@example.com")).containsExactlyInAnyOrder("Welcome to Zylker Travels", "Where would you like to go?");

        // Opened, no reply for 2 days: the follow-up email, exactly at enrollment + 2 days (Wednesday 09:00 UTC).
        api.clock().advance(Duration.ofHours(45).minusMinutes(1));
        run(api);
        assertThat(subjects(api, "asha@example.com")).hasSize(2);
        assertThat(enrollment(api, id).get("next_due_at").asText()).isEqualTo("2026-01-07T09:00:00Z");
        api.clock().advance(Duration.ofMinutes(1));
        run(api);
        assertThat(subjects(api, "asha@example.com")).contains("Your next steps").hasSize(3);

        // The lead replies to "Your next steps": goal reached, the call never happens, the journey starts.
        api.clock().advance(Duration.ofHours(2));
        String messageId = message(api, "asha@example.com", "Your next steps").get("message_id").asText();
        api.running().engine().email().receive(new InboundMail("reply-1@mail.example.com", "asha@example.com", "Re: Your next steps",
                api.clock().instant(), List.of("<" + messageId + ">"), List.of(), Map.of(), null, "Yes, let us talk"));
        run(api);
        JsonNode done = enrollment(api, id);
        assertThat(done.get("status").asText()).isEqualTo("ended");
        assertThat(done.get("reason").asText()).isEqualTo("goal_reached");
        assertThat(done.get("follow_ups").get("follow_up").get("events").has("replied")).isTrue();
        assertThat(done.get("follow_ups").get("call").get("status").asText()).isEqualTo("planned");
        List<String> kinds = new java.util.ArrayList<>();
        done.get("timeline").forEach(l -> kinds.add(l.get("kind").asText() + (l.has("follow_up") ? ":" + l.get("follow_up").asText() : "")));
        assertThat(kinds).containsSubsequence("enrolled", "queued:welcome", "sent:welcome", "opened:welcome", "queued:survey", "sent:survey",
                "queued:follow_up", "sent:follow_up", "replied:follow_up", "ended");
        JsonNode goal = api.get("/api/v1/signals?type=cadence.goal_reached&subject=" + subject).json().get("data");
        assertThat(goal).hasSize(1);
        assertThat(goal.get(0).get("payload").get("cadence").asText()).isEqualTo("Next Steps");
        JsonNode instances = api.get("/api/v1/journeys/instances?subject=" + subject).json().get("data");
        assertThat(instances).hasSize(1);
        assertThat(instances.get(0).get("state").asText()).isEqualTo("engaged");
        assertThat(api.get("/api/v1/records/Calls?limit=100").json().get("data")).as("no call was scheduled").isEmpty();
        api.clock().advance(Duration.ofDays(3));
        run(api);
        assertThat(api.get("/api/v1/records/Calls?limit=100").json().get("data")).as("nor later: the enrollment ended").isEmpty();

        JsonNode counts = api.get("/api/v1/cadences/" + cadence + "/analytics").json();
        assertThat(counts.get("enrolled").asInt()).isEqualTo(1);
        assertThat(counts.get("ended").get("goal_reached").asInt()).isEqualTo(1);
        // By default a record that reached the goal is not enrolled again (enrollment.after_goal).
        JsonNode again2 = enroll(api, cadence, lead);
        assertThat(again2.get("enrolled")).isEmpty();
        assertThat(again2.get("counts").get("skipped_other").asInt()).isEqualTo(1);
    }

    @BothServers
    void withoutAnOpenTheConditionalEmailsAreSkippedTheCallIsPlacedAndTheCadenceRunsOut(Api api) {
        String w = template(api, "Welcome", "Welcome to Zylker Travels");
        String s = template(api, "Survey", "Where would you like to go?");
        String f = template(api, "Next steps", "Your next steps");
        String lead = lead(api, "ravi@example.com");
        String cadence = published(api, nurture(w, s, f));
        String id = enroll(api, cadence, lead).get("enrolled").get(0).get("id").asText();
        run(api);
        for (int i = 0; i < 8; i++) {
            api.clock().advance(Duration.ofDays(1));
            run(api);
        }
        assertThat(subjects(api, "ravi@example.com")).containsExactly("Welcome to Zylker Travels");
        JsonNode e = enrollment(api, id);
        assertThat(e.get("follow_ups").get("survey").get("status").asText()).isEqualTo("skipped");
        assertThat(e.get("follow_ups").get("survey").get("reason").asText()).isEqualTo("welcome was not opened within 3 days");
        assertThat(e.get("follow_ups").get("follow_up").get("status").asText()).isEqualTo("skipped");
        assertThat(e.get("follow_ups").get("call").get("status").asText()).isEqualTo("sent");
        assertThat(e.get("status").asText()).isEqualTo("ended");
        assertThat(e.get("reason").asText()).isEqualTo("exhausted");
        JsonNode calls = api.get("/api/v1/records/Calls?limit=100").json().get("data");
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).toString()).contains("Call about the trip");
        assertThat(api.get("/api/v1/cadences/" + cadence + "/analytics").json().get("ended").get("exhausted").asInt()).isEqualTo(1);
    }

    @BothServers
    void anOutOfOfficeReplyPausesAndAHandUnenrollIsRecorded(Api api) {
        String w = template(api, "Welcome", "Welcome to Zylker Travels");
        String lead = lead(api, "mia@example.com");
        String cadence = published(api, "{'name': 'Short', 'module': 'Leads', 'unenroll': {'out_of_office_pause_days': 2},"
                + " 'follow_ups': [{'key': 'welcome', 'type': 'email', 'template_id': '" + w + "'},"
                + "  {'key': 'todo', 'type': 'task', 'subject': 'Send the brochure', 'after': {'days': 1}}]}");
        String id = enroll(api, cadence, lead).get("enrolled").get(0).get("id").asText();
        run(api);
        String messageId = message(api, "mia@example.com", "Welcome to Zylker Travels").get("message_id").asText();
        api.running().engine().email().receive(new InboundMail("ooo-1@mail.example.com", "mia@example.com", "Out of Office", null,
                List.of("<" + messageId + ">"), List.of(), Map.of("auto-submitted", "auto-replied"), null, "Away"));
        run(api);
        JsonNode paused = enrollment(api, id);
        assertThat(paused.get("status").asText()).as("an auto-reply pauses, it does not end").isEqualTo("paused");
        api.clock().advance(Duration.ofDays(1));
        run(api);
        assertThat(api.get("/api/v1/records/Tasks?limit=100").json().get("data")).as("nothing runs while paused").isEmpty();
        api.clock().advance(Duration.ofDays(1));
        run(api);
        JsonNode resumed = enrollment(api, id);
        assertThat(resumed.get("status").asText()).isEqualTo("active");
        assertThat(resumed.get("follow_ups").get("todo").get("status").asText()).isEqualTo("sent");
        assertThat(api.get("/api/v1/records/Tasks?limit=100").json().get("data")).hasSize(1);

        Api.Response removed = api.post("/api/v1/cadences/enrollments/" + id + "/unenroll", null);
        assertThat(removed.status()).as(removed.toString()).isEqualTo(200);
        assertThat(removed.json().get("reason").asText()).isEqualTo("removed");
        assertThat(api.post("/api/v1/cadences/enrollments/" + id + "/unenroll", null).status()).isEqualTo(409);
        assertThat(api.get("/api/v1/cadences/" + cadence + "/analytics").json().get("ended").get("removed").asInt()).isEqualTo(1);
    }

    @BothServers
    void followUpsAreTimedInTheRecipientsZoneAcrossADaylightSavingChange(Api api) {
        String lead = lead(api, "ny@example.com");
        // Friday 2026-03-06 10:00 in New York (EST, UTC-5); clocks go forward on Sunday 8 March.
        api.clock().set(Instant.parse("2026-03-06T15:00:00Z"));
        String cadence = published(api, "{'name': 'NY', 'module': 'Leads', 'time_zone': {'default': 'America/New_York'},"
                + " 'window': {'days': ['mon', 'tue', 'wed', 'thu', 'fri'], 'from': '09:00', 'to': '17:00'},"
                + " 'follow_ups': [{'key': 'first', 'type': 'task', 'subject': 'First'},"
                + "  {'key': 'second', 'type': 'task', 'subject': 'Second', 'after': {'days': 2}, 'at': '09:30'},"
                + "  {'key': 'third', 'type': 'task', 'subject': 'Third', 'after': {'hours': 8}}]}");
        String id = enroll(api, cadence, lead).get("enrolled").get(0).get("id").asText();
        run(api);
        // Sunday 8 March 09:30 is outside the window: Monday 9 March 09:30 EDT (UTC-4) = 13:30Z, not 14:30Z.
        assertThat(enrollment(api, id).get("next_due_at").asText()).isEqualTo("2026-03-09T13:30:00Z");
        api.clock().set(Instant.parse("2026-03-09T13:30:00Z"));
        run(api);
        // 09:30 + 8 h = 17:30, after the window closes: Tuesday 09:00 EDT.
        assertThat(enrollment(api, id).get("next_due_at").asText()).isEqualTo("2026-03-10T13:00:00Z");
    }

    @BothServers
    void badDefinitionsAndRequestsAreProblemsNamingTheFieldAndChangeNothing(Api api) {
        String w = template(api, "Welcome", "Welcome");
        Api.Response bad = api.post("/api/v1/cadences", "{'name': 'Bad', 'module': 'Leads', 'time_zone': {'default': 'Mars/Olympus'},"
                + " 'window': {'days': ['mon', 'funday'], 'from': '18:00', 'to': '09:00'},"
                + " 'follow_ups': [{'key': 'a', 'type': 'email'},"
                + "  {'key': 'b', 'type': 'email', 'template_id': '" + w + "', 'conditions': [{'follow_up': 'later', 'event': 'looked', 'within_days': 0}]},"
                + "  {'key': 'c', 'type': 'fax'}, {'key': 'later', 'type': 'call', 'subject': 'x', 'after': {'days': -1}}]}");
        assertThat(bad.status()).as(bad.toString()).isEqualTo(400);
        String body = bad.json().toString();
        for (String field : List.of("time_zone.default", "window.days", "window.to", "follow_ups[0].template_id",
                "follow_ups[1].conditions[0].follow_up", "follow_ups[1].conditions[0].event", "follow_ups[1].conditions[0].within_days",
                "follow_ups[2].type", "follow_ups[3].after.days")) {
            assertThat(body).as(field).contains("\"" + field + "\"");
        }
        Api.Response missing = api.post("/api/v1/cadences", "{'name': 'x', 'module': 'Leads', 'follow_ups': [{'key': 'a', 'type': 'email', "
                + "'template_id': '0190d7a5-0000-7000-8000-000000000000'}]}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().toString()).contains("follow_ups[0].template_id");
        assertThat(api.get("/api/v1/cadences").json().get("data")).isEmpty();

        String draft = api.post("/api/v1/cadences", "{'name': 'Draft', 'module': 'Leads', 'follow_ups': [{'key': 'a', 'type': 'task', 'subject': 's'}]}")
                .json().get("id").asText();
        String lead = lead(api, "d@example.com");
        assertThat(api.post("/api/v1/cadences/" + draft + "/enroll", "{'record_ids': ['" + lead + "']}").status()).as("unpublished").isEqualTo(422);
        assertThat(api.post("/api/v1/cadences/" + draft + "/publish", null).json().get("latest_version").asInt()).isEqualTo(1);
        Api.Response edited = api.put("/api/v1/cadences/" + draft, "{'name': 'Draft', 'module': 'Leads', 'follow_ups': [{'key': 'b', 'type': 'task', 'subject': 't'}]}");
        assertThat(edited.status()).as(edited.toString()).isEqualTo(200);
        assertThat(edited.json().get("latest_version").asInt()).as("an edit is a draft until published").isEqualTo(1);
        assertThat(api.get("/api/v1/cadences/" + draft + "/versions/1").json().get("definition").get("follow_ups").get(0).get("key").asText()).isEqualTo("a");
        assertThat(api.put("/api/v1/cadences/" + draft + "?revision=1", "{'name': 'Draft', 'module': 'Leads', 'follow_ups': [{'key': 'b', 'type': 'task', 'subject': 't'}]}")
                .status()).as("stale revision").isEqualTo(409);
        Api.Response badIds = api.post("/api/v1/cadences/" + draft + "/enroll", "{'record_ids': ['nope', '0190d7a5-0000-7000-8000-000000000000']}");
        assertThat(badIds.status()).isEqualTo(400);
        assertThat(badIds.json().toString()).contains("record_ids[0]");
        Api.Response unknown = api.post("/api/v1/cadences/" + draft + "/enroll", "{'record_ids': ['0190d7a5-0000-7000-8000-000000000000']}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().toString()).contains("record_ids[0]");
        assertThat(api.get("/api/v1/cadences/" + draft + "/enrollments").json().get("data")).isEmpty();
        assertThat(api.get("/api/v1/cadences/" + draft + "/enrollments?status=odd").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/cadences/not-a-uuid").status()).isEqualTo(400);
        assertThat(api.otherOrg().get("/api/v1/cadences/" + draft).status()).isEqualTo(404);
        assertThat(api.withToken(null).get("/api/v1/cadences").status()).isEqualTo(401);
    }

    @BothServers
    void aBounceAndAnUnsubscribeEndTheEnrollmentWithTheirReason(Api api) throws Exception {
        String w = template(api, "Welcome", "Welcome to Zylker Travels");
        String cadence = published(api, "{'name': 'Two', 'module': 'Leads', 'follow_ups': [{'key': 'welcome', 'type': 'email', 'template_id': '" + w + "'},"
                + " {'key': 'todo', 'type': 'task', 'subject': 'Send the brochure', 'after': {'days': 1}}]}");
        String bouncing = enroll(api, cadence, lead(api, "gone@example.com")).get("enrolled").get(0).get("id").asText();
        String leaving = enroll(api, cadence, lead(api, "leave@example.com")).get("enrolled").get(0).get("id").asText();
        run(api);
        String messageId = message(api, "gone@example.com", "Welcome to Zylker Travels").get("message_id").asText();
        api.running().engine().email().receive(new InboundMail("dsn-1@mx.example.com", "MAILER-DAEMON@mx.example.com", "Undelivered Mail", null,
                List.of(), List.of(), Map.of(), new InboundMail.DeliveryReport(messageId, "gone@example.com", "failed", "5.1.1", "smtp; 550 no such user"), ""));
        String html = message(api, "leave@example.com", "Welcome to Zylker Travels").get("html").asText();
        assertThat(IntegrationsApiTest.form(api, "POST", "/t/u/" + IntegrationsApiTest.token(html, "u"), "List-Unsubscribe=One-Click").statusCode())
                .isEqualTo(200);
        run(api);
        assertThat(enrollment(api, bouncing).get("reason").asText()).isEqualTo("bounced");
        assertThat(enrollment(api, leaving).get("reason").asText()).isEqualTo("unsubscribed");
        api.clock().advance(Duration.ofDays(2));
        run(api);
        assertThat(api.get("/api/v1/records/Tasks?limit=100").json().get("data")).as("ended enrollments run nothing more").isEmpty();
        JsonNode counts = api.get("/api/v1/cadences/" + cadence + "/analytics").json();
        assertThat(counts.get("ended").get("bounced").asInt()).isEqualTo(1);
        assertThat(counts.get("ended").get("unsubscribed").asInt()).isEqualTo(1);
        assertThat(counts.get("active").asInt()).isZero();
        assertThat(api.get("/api/v1/cadences/" + cadence + "/enrollments?status=ended").json().get("data")).hasSize(2);
    }

    @BothServers
    void goalCriteriaEndTheEnrollmentWhenTheRecordStartsToMatch(Api api) {
        Api.Response bad = api.post("/api/v1/cadences", "{'name': 'G', 'module': 'Leads', 'unenroll': {'goal_criteria': '(No_Such_Field:equals:x)'},"
                + " 'follow_ups': [{'key': 'a', 'type': 'task', 'subject': 's'}]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().toString()).contains("unenroll.goal_criteria");
        String cadence = published(api, "{'name': 'Qualify', 'module': 'Leads', 'unenroll': {'goal_criteria': '(Lead_Status:equals:Pre-Qualified)'},"
                + " 'follow_ups': [{'key': 'a', 'type': 'task', 'subject': 'Qualify', 'after': {'days': 1}}]}");
        String lead = lead(api, "q@example.com");
        String id = enroll(api, cadence, lead).get("enrolled").get(0).get("id").asText();
        assertThat(api.patch("/api/v1/records/Leads/" + lead, "{'Lead_Status': 'Contacted'}").status()).isEqualTo(200);
        run(api);
        assertThat(enrollment(api, id).get("status").asText()).isEqualTo("active");
        assertThat(api.patch("/api/v1/records/Leads/" + lead, "{'Lead_Status': 'Pre-Qualified'}").status()).isEqualTo(200);
        run(api);
        JsonNode e = enrollment(api, id);
        assertThat(e.get("status").asText()).isEqualTo("ended");
        assertThat(e.get("reason").asText()).isEqualTo("goal_reached");
        String subject = e.get("subject").asText();
        JsonNode goal = api.get("/api/v1/signals?type=cadence.goal_reached&subject=" + subject).json().get("data");
        assertThat(goal).hasSize(1);
        assertThat(goal.get(0).get("payload").get("goal").asText()).isEqualTo("criteria");
        api.clock().advance(Duration.ofDays(2));
        run(api);
        assertThat(api.get("/api/v1/records/Tasks?limit=100").json().get("data")).isEmpty();
    }
}

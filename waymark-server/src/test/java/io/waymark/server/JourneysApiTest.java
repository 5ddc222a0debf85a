package io.waymark.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;
import java.time.Duration;

class JourneysApiTest {
    /** DESIGN.md §6 step 3, "Customer Journey Optimization". */
    static final String ZYLKER = "{'name': 'Customer Journey Optimization', 're_entry': 'after_end',"
            + " 'entry': [{'type': 'cadence_goal', 'cadence': 'Next Steps'}],"
            + " 'states': ["
            + "  {'key': 'engaged', 'module': 'Leads', 'on_enter': [{'type': 'convert_lead', 'config': {}}],"
            + "   'transitions': [{'key': 'converted', 'signal': 'lead.converted', 'to': 'contact'}, %PROBLEM%]},"
            + "  {'key': 'contact', 'module': 'Contacts', 'on_enter': [{'type': 'create_record', 'config': {'module': 'Trips', 'fields': {'Trip_Name': 'First trip', 'Status': 'Planned'}}}],"
            + "   'transitions': [{'key': 'trip_created', 'signal': 'record.created', 'module': 'Trips', 'to': 'trip_planned'}, %PROBLEM%]},"
            + "  {'key': 'trip_planned', 'module': 'Trips',"
            + "   'transitions': [{'key': 'completed', 'signal': 'record.updated', 'module': 'Trips', 'criteria': '(Status:changed_to:Completed)', 'to': 'feedback',"
            + "     'actions': [{'type': 'create_task', 'config': {'subject': 'Feedback email: how was {{Trips.Trip_Name}}?', 'due': 'today'}}]}, %PROBLEM%]},"
            + "  {'key': 'feedback', 'module': 'Trips',"
            + "   'transitions': [{'key': 'promoter', 'signal': 'survey.responded', 'criteria': '(score:greater_equal:8)', 'to': 'advocate'},"
            + "                   {'key': 'detractor', 'signal': 'survey.responded', 'to': 'unhappy'},"
            + "                   {'key': 'no_answer', 'after': '14d', 'to': 'unhappy'}, %PROBLEM%]},"
            + "  {'key': 'advocate', 'module': 'Trips', 'on_enter': [{'type': 'create_task', 'config': {'subject': 'Advocacy email: invite to refer a friend', 'due': 'today'}}],"
            + "   'end': 'success'},"
            + "  {'key': 'unhappy', 'end': 'failure'}]}";
    static final String PROBLEM = "{'key': 'problem', 'signal': 'email.received', 'criteria': '(subject:contains:problem)', 'to': '%S%',"
            + " 'actions': [{'type': 'create_record', 'config': {'module': 'Cases', 'fields': {'Subject': 'Problem reported by email', 'Case_Origin': 'Email'}}}]}";

    static String zylker() {
        String def = ZYLKER;
        for (String s : new String[] {"engaged", "contact", "trip_planned", "feedback"}) {
            int at = def.indexOf("%PROBLEM%");
            def = def.substring(0, at) + PROBLEM.replace("%S%", s) + def.substring(at + "%PROBLEM%".length());
        }
        return def;
    }

    static void trips(Api api) {
        if (api.get("/api/v1/modules/Trips").status() == 404) {
            Api.Response m = api.post("/api/v1/modules", "{'api_name': 'Trips', 'singular_label': 'Trip', 'subject_field': 'Contact_Name', 'fields': ["
                    + "{'api_name': 'Trip_Name', 'type': 'text', 'required': true},"
                    + "{'api_name': 'Status', 'type': 'picklist', 'picklist_values': ['Planned', 'Booked', 'Completed']},"
                    + "{'api_name': 'Contact_Name', 'type': 'lookup', 'lookup_module': 'Contacts'}]}");
            assertThat(m.status()).as(m.toString()).isEqualTo(201);
        }
    }

    static void run(Api api) {
        api.running().engine().runPending();
    }

    static JsonNode where(Api api, String subject) {
        JsonNode list = api.get("/api/v1/journeys/instances?subject=" + subject).json().get("data");
        assertThat(list).hasSize(1);
        return api.get("/api/v1/journeys/instances/" + list.get(0).get("id").asText()).json();
    }

    static JsonNode state(JsonNode analytics, String key) {
        for (JsonNode s : analytics.get("states")) {
            if (s.get("state").asText().equals(key)) {
                return s;
            }
        }
        throw new AssertionError("no state " + key + " in " + analytics);
    }

    @BothServers
    void zylkerCustomerJourneyOptimizationAndItsAnalytics(Api api) {
        trips(api);
        Api.Response created = api.post("/api/v1/journeys", zylker());
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().get("id").asText();
        assertThat(api.post("/api/v1/journeys/" + id + "/publish", null).json().get("latest_version").asInt()).isEqualTo(1);

        String asha = api.post("/api/v1/records/Leads", "{'First_Name': 'Asha', 'Last_Name': 'Patel', 'Email': 'asha@example.com'}").json().get("id").asText();
        String ravi = api.post("/api/v1/records/Leads", "{'First_Name': 'Ravi', 'Last_Name': 'Kumar'}").json().get("id").asText();
        String ashaSubject = api.get("/api/v1/records/Leads/" + asha).json().get("subject").asText();
        String raviSubject = api.get("/api/v1/records/Leads/" + ravi).json().get("subject").asText();
        // A goal of another cadence does not enter; the "Next Steps" reply does.
        api.post("/api/v1/signals", "{'type': 'cadence.goal_reached', 'module': 'Leads', 'record_id': '" + asha + "', 'payload': {'cadence': 'Welcome'}}");
        run(api);
        assertThat(api.get("/api/v1/journeys/instances?subject=" + ashaSubject).json().get("data")).isEmpty();
        api.post("/api/v1/signals", "[{'type': 'cadence.goal_reached', 'module': 'Leads', 'record_id': '" + asha + "', 'payload': {'cadence': 'Next Steps'}},"
                + "{'type': 'cadence.goal_reached', 'module': 'Leads', 'record_id': '" + ravi + "', 'payload': {'cadence': 'Next Steps'}}]");
        run(api);
        // Converted, followed to the contact, a trip created for her and the journey waiting on it.
        JsonNode a = where(api, ashaSubject);
        assertThat(a.get("state").asText()).isEqualTo("trip_planned");
        assertThat(a.get("module").asText()).isEqualTo("Trips");
        String trip = a.get("record_id").asText();
        assertThat(a.get("path")).extracting(n -> n.get("kind").asText() + ":" + n.get("to").asText())
                .containsExactly("entered:engaged", "followed:engaged", "transition:contact", "transition:trip_planned");
        assertThat(a.get("path").get(0).get("actions").get(0).get("status").asText()).isEqualTo("done");
        assertThat(api.get("/api/v1/records/Trips/" + trip).json().get("subject").asText()).isEqualTo(ashaSubject);

        // A problem email raises a case where she is, and she stays there.
        api.post("/api/v1/signals", "{'type': 'email.received', 'subject': '" + ashaSubject + "', 'payload': {'subject': 'A problem with my visa'}}");
        api.post("/api/v1/signals", "{'type': 'email.received', 'subject': '" + ashaSubject + "', 'payload': {'subject': 'Thanks!'}}");
        run(api);
        assertThat(where(api, ashaSubject).get("state").asText()).isEqualTo("trip_planned");
        assertThat(api.get("/api/v1/records/Cases?criteria=(Subject:equals:Problem%20reported%20by%20email)").json().get("data")).hasSize(1);

        // Ten days later both trips are completed; feedback emails go out.
        api.clock().advance(Duration.ofDays(10));
        String raviTrip = where(api, raviSubject).get("record_id").asText();
        api.patch("/api/v1/records/Trips/" + trip, "{'Status': 'Completed'}");
        api.patch("/api/v1/records/Trips/" + raviTrip, "{'Status': 'Completed'}");
        run(api);
        assertThat(where(api, ashaSubject).get("state").asText()).isEqualTo("feedback");
        assertThat(api.get("/api/v1/records/Tasks?criteria=(Subject:equals:Feedback%20email:%20how%20was%20First%20trip%3F)").json().get("data")).hasSize(2);

        // A day later she answers 9: advocacy. He never answers: after 14 days he is lost.
        api.clock().advance(Duration.ofDays(1));
        api.post("/api/v1/signals", "{'type': 'survey.responded', 'subject': '" + ashaSubject + "', 'payload': {'score': 9}}");
        run(api);
        JsonNode done = where(api, ashaSubject);
        assertThat(done.get("state").asText()).isEqualTo("advocate");
        assertThat(done.get("status").asText()).isEqualTo("succeeded");
        assertThat(api.get("/api/v1/records/Tasks?criteria=(Subject:starts_with:Advocacy%20email)").json().get("data")).hasSize(1);
        api.clock().advance(Duration.ofDays(13));
        run(api);
        JsonNode lost = where(api, raviSubject);
        assertThat(lost.get("status").asText()).isEqualTo("failed");
        assertThat(lost.get("path").get(lost.get("path").size() - 1).get("kind").asText()).isEqualTo("timeout");

        JsonNode an = api.get("/api/v1/journeys/" + id + "/analytics").json();
        assertThat(an.get("started").asInt()).isEqualTo(2);
        assertThat(an.get("active").asInt()).isEqualTo(0);
        JsonNode planned = state(an, "trip_planned");
        assertThat(planned.get("entered").asInt()).isEqualTo(2);
        assertThat(planned.get("exited").asInt()).isEqualTo(2);
        assertThat(planned.at("/time_in_state_seconds/median").asDouble()).isEqualTo(864_000);
        JsonNode feedback = state(an, "feedback");
        assertThat(feedback.at("/time_in_state_seconds/mean").asDouble()).isEqualTo((86_400 + 14 * 86_400) / 2.0);
        assertThat(feedback.at("/time_in_state_seconds/p90").asDouble()).isEqualTo(14 * 86_400);
        assertThat(feedback.get("next")).extracting(n -> n.get("state").asText() + "=" + n.get("share").asDouble())
                .containsExactlyInAnyOrder("advocate=0.5", "unhappy=0.5");
        assertThat(feedback.at("/drop_offs/failure_ends").asInt()).isEqualTo(1);
        assertThat(an.at("/ends/advocate/count").asInt()).isEqualTo(1);
        assertThat(an.at("/ends/unhappy/count").asInt()).isEqualTo(1);
        assertThat(an.get("actions")).anySatisfy(x -> {
            assertThat(x.get("key").asText()).isEqualTo("engaged:enter:0");
            assertThat(x.get("type").asText()).isEqualTo("convert_lead");
            assertThat(x.get("runs").asInt()).isEqualTo(2);
            assertThat(x.get("succeeded").asInt()).isEqualTo(2);
        });
        assertThat(an.get("actions")).anySatisfy(x -> {
            assertThat(x.get("key").asText()).isEqualTo("trip_planned.problem:0");
            assertThat(x.get("runs").asInt()).isEqualTo(1);
        });
        assertThat(an.get("trend")).extracting(n -> n.get("period").asText()).contains("2026-01-05", "2026-01-15", "2026-01-16", "2026-01-29");
        JsonNode weekly = api.get("/api/v1/journeys/" + id + "/analytics?granularity=week").json();
        assertThat(weekly.get("trend").get(0).get("started").asInt()).isEqualTo(2);
    }

    @BothServers
    void badDefinitionsAndRequestsAreProblemsNamingTheField(Api api) {
        Api.Response r = api.post("/api/v1/journeys", "{'name': 'x', 'entry': [{'type': 'api'}], 'states': [{'key': 'a', 'module': 'Nope'}]}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("errors")).extracting(e -> e.get("field").asText()).contains("states[0].module");
        assertThat(api.get("/api/v1/journeys").json().get("data")).isEmpty();
        JsonNode v = api.post("/api/v1/journeys/validate", "{'name': 'x', 'entry': [{'type': 'api'}], 'states': [{'key': 'a', 'module': 'Leads',"
                + " 'transitions': [{'signal': 'email.opened', 'to': 'b'}]}]}").json();
        assertThat(v.get("valid").asBoolean()).isFalse();
        assertThat(v.get("errors").get(0).get("message").asText()).contains("unknown state 'b'");
        assertThat(api.get("/api/v1/journeys/not-a-uuid").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/journeys/0190f3c2-7a51-7c3e-9a0b-2f4d5e6a7b8c").status()).isEqualTo(404);
        String id = api.post("/api/v1/journeys", "{'name': 'ok', 'entry': [{'type': 'api'}], 'states': [{'key': 'a', 'module': 'Leads',"
                + " 'transitions': [{'signal': 'email.opened', 'to': 'b'}]}, {'key': 'b', 'end': 'success'}]}").json().get("id").asText();
        assertThat(api.post("/api/v1/journeys/" + id + "/enroll", "{'module': 'Leads', 'record_id': '0190f3c2-7a51-7c3e-9a0b-2f4d5e6a7b8c'}").status())
                .isIn(404, 422);
        assertThat(api.post("/api/v1/journeys/" + id + "/deactivate", null).status()).isEqualTo(422);
        assertThat(api.otherOrg().get("/api/v1/journeys/" + id).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/journeys/" + id + "/analytics?granularity=year").status()).isEqualTo(400);
        assertThat(api.delete("/api/v1/journeys/" + id).status()).isEqualTo(204);
    }

    @BothServers
    void enrollMoveEndAndSimulateOverHttp(Api api) {
        String id = api.post("/api/v1/journeys", "{'name': 'Manual', 'entry': [{'type': 'api'}], 'states': [{'key': 'a', 'module': 'Leads',"
                + " 'transitions': [{'signal': 'email.opened', 'to': 'b'}]}, {'key': 'b', 'module': 'Leads', 'transitions': [{'signal': 'email.clicked', 'to': 'c'}]},"
                + " {'key': 'c', 'end': 'success'}]}").json().get("id").asText();
        api.post("/api/v1/journeys/" + id + "/publish", null);
        String lead = api.post("/api/v1/records/Leads", "{'Last_Name': 'Moved'}").json().get("id").asText();
        Api.Response e = api.post("/api/v1/journeys/" + id + "/enroll", "{'module': 'Leads', 'record_id': '" + lead + "'}");
        assertThat(e.status()).as(e.toString()).isEqualTo(201);
        String inst = e.json().get("id").asText();
        assertThat(api.post("/api/v1/journeys/" + id + "/enroll", "{'module': 'Leads', 'record_id': '" + lead + "'}").status()).isEqualTo(409);
        assertThat(api.post("/api/v1/journeys/instances/" + inst + "/move", "{'to': 'zz'}").status()).isEqualTo(400);
        Api.Response m = api.post("/api/v1/journeys/instances/" + inst + "/move", "{'to': 'b', 'reason': 'phoned us'}");
        assertThat(m.status()).as(m.toString()).isEqualTo(200);
        assertThat(m.json().get("state").asText()).isEqualTo("b");
        Api.Response end = api.post("/api/v1/journeys/instances/" + inst + "/end", "{'reason': 'duplicate'}");
        assertThat(end.json().get("status").asText()).isEqualTo("ended");
        assertThat(api.post("/api/v1/journeys/instances/" + inst + "/end", null).status()).isEqualTo(422);
        JsonNode path = api.get("/api/v1/journeys/instances/" + inst).json().get("path");
        assertThat(path).extracting(n -> n.get("kind").asText()).containsExactly("entered", "manual", "ended");
        assertThat(path.get(2).get("reason").asText()).isEqualTo("duplicate");
        assertThat(api.get("/api/v1/journeys/" + id + "/instances?status=ended").json().get("data")).hasSize(1);
        JsonNode sim = api.post("/api/v1/journeys/" + id + "/simulate", "{'state': 'a', 'signals': [{'type': 'web.visited'},"
                + " {'type': 'email.opened'}, {'type': 'email.clicked'}]}").json();
        assertThat(sim.get("status").asText()).isEqualTo("succeeded");
        assertThat(sim.get("path")).hasSize(3);
    }

    @BothServers
    void versionsAreImmutableAndMigrationNeedsAMappingOverHttp(Api api) {
        String v1 = "{'name': 'V', 'entry': [{'type': 'api'}], 'states': [{'key': 'a', 'module': 'Leads',"
                + " 'transitions': [{'signal': 'email.opened', 'to': 'b'}]}, {'key': 'b', 'end': 'success'}]}";
        JsonNode j = api.post("/api/v1/journeys", v1).json();
        String id = j.get("id").asText();
        api.post("/api/v1/journeys/" + id + "/publish", null);
        String lead = api.post("/api/v1/records/Leads", "{'Last_Name': 'Versioned'}").json().get("id").asText();
        api.post("/api/v1/journeys/" + id + "/enroll", "{'module': 'Leads', 'record_id': '" + lead + "'}");
        String v2 = v1.replace("'key': 'a'", "'key': 'start'");
        long rev = api.get("/api/v1/journeys/" + id).json().get("revision").asLong();
        assertThat(api.put("/api/v1/journeys/" + id + "?revision=" + (rev - 1), v2).status()).isEqualTo(409);
        assertThat(api.put("/api/v1/journeys/" + id + "?revision=" + rev, v2).status()).isEqualTo(200);
        api.post("/api/v1/journeys/" + id + "/publish", null);
        JsonNode got = api.get("/api/v1/journeys/" + id).json();
        assertThat(got.get("versions")).hasSize(2);
        assertThat(api.get("/api/v1/journeys/" + id + "/versions/1").json().at("/definition/states/0/key").asText()).isEqualTo("a");
        assertThat(api.get("/api/v1/journeys/" + id + "/versions/2").json().at("/definition/states/0/key").asText()).isEqualTo("start");
        assertThat(api.get("/api/v1/journeys/" + id + "/versions/3").status()).isEqualTo(404);
        Api.Response bad = api.post("/api/v1/journeys/" + id + "/migrate", "{'from_version': 1, 'to_version': 2, 'mapping': {'a': 'b'}}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("errors").get(0).get("field").asText()).isEqualTo("mapping.a");
        Api.Response ok = api.post("/api/v1/journeys/" + id + "/migrate", "{'from_version': 1, 'to_version': 2, 'mapping': {'a': 'start'}}");
        assertThat(ok.json().get("migrated").asInt()).isEqualTo(1);
        JsonNode inst = api.get("/api/v1/journeys/" + id + "/instances?version=2&state=start").json().get("data");
        assertThat(inst).hasSize(1);
        assertThat(api.delete("/api/v1/journeys/" + id).status()).isEqualTo(409);
    }
}

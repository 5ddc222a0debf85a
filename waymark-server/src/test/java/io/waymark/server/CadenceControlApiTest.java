package io.waymark.server;

import static io.waymark.server.CadenceEnrollmentApiTest.kinds;
import static io.waymark.server.CadencesApiTest.enroll;
import static io.waymark.server.CadencesApiTest.enrollment;
import static io.waymark.server.CadencesApiTest.lead;
import static io.waymark.server.CadencesApiTest.message;
import static io.waymark.server.CadencesApiTest.published;
import static io.waymark.server.CadencesApiTest.run;
import static io.waymark.server.CadencesApiTest.template;
import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** Issue 6, continued: pausing a whole cadence, the limit of active cadences, version migration, rates and call outcomes. */
class CadenceControlApiTest {

    static String task(String name, String module, String... keys) {
        StringBuilder b = new StringBuilder("{'name': '" + name + "', 'module': '" + module + "', 'follow_ups': [");
        for (int i = 0; i < keys.length; i++) {
            b.append(i == 0 ? "" : ", ").append("{'key': '").append(keys[i]).append("', 'type': 'task', 'subject': 'Task ").append(keys[i])
                    .append("', 'after': {'days': 1}}");
        }
        return b.append("]}").toString();
    }

    static List<String> taskSubjects(Api api) {
        return api.get("/api/v1/records/Tasks?limit=100").json().get("data").findValuesAsText("Subject");
    }

    @BothServers
    void pausingTheWholeCadenceHoldsItsEnrollmentsUntilItResumes(Api api) {
        String cadence = published(api, task("Hold", "Leads", "first"));
        String running = enroll(api, cadence, lead(api, "a@example.com")).get("enrolled").get(0).get("id").asText();
        String byHand = enroll(api, cadence, lead(api, "b@example.com")).get("enrolled").get(0).get("id").asText();
        assertThat(api.post("/api/v1/cadences/enrollments/" + byHand + "/pause", null).status()).isEqualTo(200);

        Api.Response paused = api.post("/api/v1/cadences/" + cadence + "/pause", null);
        assertThat(paused.status()).as(paused.toString()).isEqualTo(200);
        assertThat(paused.json().get("paused").asBoolean()).isTrue();
        assertThat(enrollment(api, running).get("status").asText()).isEqualTo("paused");
        assertThat(kinds(enrollment(api, running))).endsWith("paused");
        assertThat(api.post("/api/v1/cadences/" + cadence + "/enroll", "{'record_ids': ['" + lead(api, "c@example.com") + "']}").status())
                .as("a paused cadence takes no new records").isEqualTo(422);
        assertThat(api.post("/api/v1/cadences/enrollments/" + running + "/resume", null).status()).as("the cadence holds it").isEqualTo(422);
        api.clock().advance(Duration.ofDays(2));
        run(api);
        assertThat(taskSubjects(api)).as("nothing runs while the cadence is paused").isEmpty();

        Api.Response resumed = api.post("/api/v1/cadences/" + cadence + "/resume", null);
        assertThat(resumed.status()).as(resumed.toString()).isEqualTo(200);
        run(api);
        assertThat(taskSubjects(api)).as("what fell due runs once").containsExactly("Task first");
        assertThat(enrollment(api, running).get("follow_ups").get("first").get("status").asText()).isEqualTo("sent");
        assertThat(enrollment(api, byHand).get("status").asText()).as("paused by hand, it stays paused").isEqualTo("paused");
    }

    @BothServers
    void aModuleHasAtMostTwentyActiveCadences(Api api) {
        var engine = api.running().engine();
        UUID first = null;
        for (int i = 0; i < 20; i++) {
            UUID id = UUID.fromString(engine.cadences().create(api.admin(), json(task("D" + i, "Deals", "a"))).get("id").asText());
            engine.cadences().publish(api.admin(), id);
            first = first == null ? id : first;
        }
        String extra = api.post("/api/v1/cadences", task("One more", "Deals", "a")).json().get("id").asText();
        Api.Response refused = api.post("/api/v1/cadences/" + extra + "/publish", null);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.json().get("detail").asText()).contains("Deals already has 20 active cadences");
        assertThat(api.get("/api/v1/cadences/" + extra).json().get("latest_version").asInt()).as("nothing changed").isZero();
        assertThat(published(api, task("Leads are apart", "Leads", "a"))).isNotNull();

        assertThat(api.post("/api/v1/cadences/" + first + "/pause", null).status()).isEqualTo(200);
        assertThat(api.post("/api/v1/cadences/" + extra + "/publish", null).status()).isEqualTo(200);
        Api.Response resume = api.post("/api/v1/cadences/" + first + "/resume", null);
        assertThat(resume.status()).isEqualTo(409);
        assertThat(api.get("/api/v1/cadences/" + first).json().get("paused").asBoolean()).isTrue();
    }

    @BothServers
    void anAdminMigratesEnrollmentsToANewVersionWithAnExplicitMapping(Api api) {
        String cadence = published(api, task("Versions", "Leads", "a", "b"));
        String id = enroll(api, cadence, lead(api, "m@example.com")).get("enrolled").get(0).get("id").asText();
        api.put("/api/v1/cadences/" + cadence, task("Versions", "Leads", "x", "y", "z"));
        assertThat(api.post("/api/v1/cadences/" + cadence + "/publish", null).json().get("latest_version").asInt()).isEqualTo(2);

        Api.Response unmapped = api.post("/api/v1/cadences/" + cadence + "/migrate", "{'from_version': 1, 'to_version': 2, 'mapping': {'a': 'x'}}");
        assertThat(unmapped.status()).isEqualTo(400);
        assertThat(unmapped.json().toString()).contains("\"mapping\"", "not mapped: b");
        Api.Response wrong = api.post("/api/v1/cadences/" + cadence + "/migrate", "{'from_version': 1, 'to_version': 2, 'mapping': {'a': 'x', 'b': 'nope', 'q': 'y'}}");
        assertThat(wrong.json().toString()).contains("\"mapping.b\"", "\"mapping.q\"");
        Api.Response versions = api.post("/api/v1/cadences/" + cadence + "/migrate", "{'from_version': 7, 'to_version': 2, 'mapping': {}}");
        assertThat(versions.json().toString()).contains("\"from_version\"");
        assertThat(enrollment(api, id).get("version").asInt()).as("nothing changed").isEqualTo(1);

        Api.Response ok = api.post("/api/v1/cadences/" + cadence + "/migrate", "{'from_version': 1, 'to_version': 2, 'mapping': {'a': 'x', 'b': 'y'}}");
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(ok.json().get("migrated").asInt()).isEqualTo(1);
        JsonNode e = enrollment(api, id);
        assertThat(e.get("version").asInt()).isEqualTo(2);
        JsonNode line = e.get("timeline").get(e.get("timeline").size() - 1);
        assertThat(line.get("kind").asText()).isEqualTo("migrated");
        assertThat(line.get("from_version").asInt()).isEqualTo(1);
        assertThat(line.get("mapping").get("b").asText()).isEqualTo("y");
        for (int i = 0; i < 4; i++) {
            api.clock().advance(Duration.ofDays(1));
            run(api);
        }
        assertThat(taskSubjects(api)).containsExactlyInAnyOrder("Task x", "Task y", "Task z");
    }

    @BothServers
    void statisticsGiveEachFollowUpsSentOpenedClickedRepliedAndBouncedRates(Api api) throws Exception {
        String w = template(api, "Welcome", "Welcome");
        String cadence = published(api, "{'name': 'Rated', 'module': 'Leads', 'follow_ups': [{'key': 'welcome', 'type': 'email', 'template_id': '" + w + "'},"
                + " {'key': 'later', 'type': 'task', 'subject': 'Later', 'after': {'days': 5}}]}");
        for (String to : List.of("r1@example.com", "r2@example.com", "r3@example.com", "r4@example.com")) {
            enroll(api, cadence, lead(api, to));
        }
        run(api);
        String html = message(api, "r1@example.com", "Welcome").get("html").asText();
        assertThat(IntegrationsApiTest.form(api, "GET", "/t/o/" + IntegrationsApiTest.token(html, "o"), null).statusCode()).isEqualTo(200);
        assertThat(IntegrationsApiTest.form(api, "GET", "/t/c/" + IntegrationsApiTest.token(html, "c"), null).statusCode()).isIn(200, 302, 303);
        run(api);
        JsonNode rates = api.get("/api/v1/cadences/" + cadence + "/analytics").json().get("follow_ups");
        JsonNode welcome = rates.get("welcome");
        assertThat(welcome.get("sent").asInt()).isEqualTo(4);
        assertThat(welcome.get("opened").asInt()).isEqualTo(1);
        assertThat(welcome.get("opened_rate").asDouble()).isEqualTo(0.25);
        assertThat(welcome.get("clicked").asInt()).isEqualTo(1);
        assertThat(welcome.get("replied").asInt()).isZero();
        assertThat(welcome.get("bounced_rate").asDouble()).isZero();
        assertThat(rates.get("later").get("sent").asInt()).isZero();
        assertThat(rates.get("later").get("opened_rate").asDouble()).isZero();
    }

    @BothServers
    void theOwnerLogsTheCallOutcomeWhichEmitsCallCompleted(Api api) {
        String cadence = published(api, "{'name': 'Calls', 'module': 'Leads', 'follow_ups': [{'key': 'call', 'type': 'call', 'subject': 'Call Asha'},"
                + " {'key': 'later', 'type': 'task', 'subject': 'Later', 'after': {'days': 1}}]}");
        String id = enroll(api, cadence, lead(api, "call@example.com")).get("enrolled").get(0).get("id").asText();
        assertThat(api.post("/api/v1/cadences/enrollments/" + id + "/calls/call", "{'outcome': 'Interested'}").status())
                .as("not scheduled yet").isEqualTo(422);
        run(api);
        String call = enrollment(api, id).get("follow_ups").get("call").get("record_id").asText();
        Api.Response bad = api.post("/api/v1/cadences/enrollments/" + id + "/calls/call", "{'outcome': 'Sleepy', 'mood': 1}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().toString()).contains("\"outcome\"", "\"mood\"");
        assertThat(api.post("/api/v1/cadences/enrollments/" + id + "/calls/later", "{'outcome': 'Interested'}").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/records/Calls/" + call).json().path("Call_Result").isNull()).as("nothing changed").isTrue();

        Api.Response ok = api.post("/api/v1/cadences/enrollments/" + id + "/calls/call", "{'outcome': 'Interested', 'notes': 'Wants Bali'}");
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(kinds(ok.json())).endsWith("call_completed:call");
        assertThat(ok.json().get("follow_ups").get("call").get("call_outcome").asText()).isEqualTo("Interested");
        JsonNode callRecord = api.get("/api/v1/records/Calls/" + call).json();
        assertThat(callRecord.get("Call_Result").asText()).isEqualTo("Interested");
        assertThat(callRecord.get("Description").asText()).isEqualTo("Wants Bali");
        JsonNode signals = api.get("/api/v1/signals?type=call.completed&subject=" + ok.json().get("subject").asText()).json().get("data");
        assertThat(signals).hasSize(1);
        assertThat(signals.get(0).get("payload").get("outcome").asText()).isEqualTo("Interested");
        assertThat(signals.get(0).get("payload").get("follow_up").asText()).isEqualTo("call");
        assertThat(api.post("/api/v1/cadences/enrollments/" + id + "/calls/call", "{'outcome': 'Busy'}").status()).isEqualTo(409);
    }
}

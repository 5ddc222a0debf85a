package io.waymark.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.json.Json;
import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;

class PathFinderApiTest {

    /**
     * The workplace's real logs (../shared/eventlogs next to the repository). A missing one skips
     * the test with the reason printed, as that folder's README asks.
     */
    static Path sharedLog(String name) {
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("waymark-engine")) && Files.exists(p.resolve("pom.xml"))) {
                Path f = p.resolve("../shared/eventlogs").resolve(name).normalize();
                if (!Files.isRegularFile(f)) {
                    String reason = "Skipped: the real event log " + f + " is not here (the workplace's shared/eventlogs folder)";
                    System.out.println(reason);
                    org.junit.jupiter.api.Assumptions.abort(reason);
                }
                return f;
            }
        }
        throw new AssertionError("Cannot find the repository root to locate ../shared/eventlogs");
    }

    private static JsonNode created(Api.Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    @BothServers
    void uploadAnXesLogDiscoverItAgainAndExportIt(Api api) throws IOException {
        byte[] gz = Files.readAllBytes(sharedLog("08_receipt.xes.gz"));
        JsonNode d = created(api.sendBytes("POST", "/api/v1/pathfinder/datasets?name=Receipt", gz, "application/octet-stream"));
        assertThat(d.get("cases").asInt()).isEqualTo(1434);
        assertThat(d.get("events").asInt()).isEqualTo(8577);
        assertThat(d.get("has_lifecycle").asBoolean()).isTrue();
        String id = d.get("id").asText();

        Api.Response map = api.post("/api/v1/pathfinder/datasets/" + id + "/map", "{'classifier': 'name+lifecycle'}");
        assertThat(map.status()).as(map.body()).isEqualTo(200);
        JsonNode m = map.json();
        assertThat(m.get("variants").asInt()).isEqualTo(116);
        assertThat(m.get("edges").asInt()).isEqualTo(99);
        assertThat(m.get("map_edges").get(0).get("from").asText()).isEqualTo("T04 Determine confirmation of receipt+complete");
        assertThat(m.get("map_edges").get(0).get("frequency").asInt()).isEqualTo(1177);
        assertThat(m.get("map_edges").get(0).get("duration_ms").get("p90").asLong()).isPositive();

        JsonNode simple = api.post("/api/v1/pathfinder/datasets/" + id + "/map", "{'activities': 5, 'edges': '10%', 'variants': 3}").json();
        assertThat(simple.get("map_activities")).hasSize(5);
        assertThat(simple.get("top_variants")).hasSize(3);
        assertThat(simple.get("activities").asInt()).isEqualTo(27);

        Api.Response dot = api.post("/api/v1/pathfinder/datasets/" + id + "/map?format=dot", "{'activities': 5}");
        assertThat(dot.header("Content-Type")).startsWith("text/vnd.graphviz");
        assertThat(dot.body()).startsWith("digraph pathmap {");
        Api.Response csv = api.post("/api/v1/pathfinder/datasets/" + id + "/map?format=csv", null);
        assertThat(csv.body()).startsWith("kind,from,to,frequency").contains("edge,T04 Determine confirmation of receipt,T05 Print and send confirmation of receipt,1177,");

        JsonNode goal = api.post("/api/v1/pathfinder/datasets/" + id + "/map",
                "{'goal': {'touchpoint': 'T10 Determine necessity to stop indication'}}").json().get("conversion");
        assertThat(goal.get("cases").asInt()).isEqualTo(1434);
        // Checked with a separate script: 1,283 cases reach T10; of the rest, 116 stop after the first step.
        assertThat(goal.get("converted").asInt()).isEqualTo(1283);
        assertThat(goal.get("drop_offs").get(0).get("activity").asText()).isEqualTo("Confirmation of receipt");
        assertThat(goal.get("drop_offs").get(0).get("cases").asInt()).isEqualTo(116);

        JsonNode cmp = api.post("/api/v1/pathfinder/datasets/" + id + "/compare",
                "{'a': {'contains': ['T02 Check confirmation of receipt']}, 'b': {'not_contains': ['T02 Check confirmation of receipt']}}").json();
        assertThat(cmp.get("a").get("cases").asInt() + cmp.get("b").get("cases").asInt()).isEqualTo(1434);
        assertThat(cmp.get("activities").get(0).get("name").asText()).isEqualTo("T02 Check confirmation of receipt");
        assertThat(cmp.get("activities").get(0).get("delta").asDouble()).isEqualTo(-1.0);

        assertThat(api.get("/api/v1/pathfinder/datasets").json().get("data")).hasSize(1);
        assertThat(api.otherOrg().get("/api/v1/pathfinder/datasets/" + id).status()).isEqualTo(404);
        assertThat(api.delete("/api/v1/pathfinder/datasets/" + id).status()).isEqualTo(204);
        assertThat(api.get("/api/v1/pathfinder/datasets/" + id).status()).isEqualTo(404);
    }

    @BothServers
    void uploadACsvLogWithItsColumnMapping(Api api) {
        String csv = "Ticket;Step;At\nT1;Open;2026-01-01T10:00:00\nT1;Close;2026-01-01T12:00:00\nT2;Open;2026-01-02T10:00:00+02:00\n";
        JsonNode d = created(api.sendBytes("POST", "/api/v1/pathfinder/datasets?name=Tickets&format=csv&case=Ticket&activity=Step&timestamp=At&delimiter=;",
                csv.getBytes(StandardCharsets.UTF_8), "text/csv"));
        assertThat(d.get("format").asText()).isEqualTo("csv");
        JsonNode m = api.post("/api/v1/pathfinder/datasets/" + d.get("id").asText() + "/map", null).json();
        assertThat(m.get("map_edges").get(0).get("duration_ms").get("median").asDouble()).isEqualTo(Duration.ofHours(2).toMillis());
    }

    @BothServers
    void malformedFilesAndBadParametersAreProblemsThatStoreNothing(Api api) {
        Api.Response xes = api.sendBytes("POST", "/api/v1/pathfinder/datasets?name=Bad",
                "<log>\n<trace>\n<event>\n<string key=\"concept:name\" value=\"A\">\n</trace>".getBytes(StandardCharsets.UTF_8), "application/xml");
        assertThat(xes.status()).isEqualTo(400);
        assertThat(xes.header("Content-Type")).startsWith("application/problem+json");
        assertThat(xes.json().get("errors").get(0).get("field").asText()).isEqualTo("file");
        assertThat(xes.json().get("errors").get(0).get("message").asText()).contains("line 5");

        Api.Response csv = api.sendBytes("POST", "/api/v1/pathfinder/datasets?name=Bad&format=csv&case=c&activity=a&timestamp=t",
                "c,a,t\n1,X,2026-01-01T00:00:00Z\n2,Y,not a time\n".getBytes(StandardCharsets.UTF_8), "text/csv");
        assertThat(csv.status()).isEqualTo(400);
        assertThat(csv.json().get("errors").get(0).get("message").asText()).contains("line 3");

        Api.Response noMapping = api.sendBytes("POST", "/api/v1/pathfinder/datasets?name=Bad&format=csv", "c\n".getBytes(StandardCharsets.UTF_8), "text/csv");
        assertThat(noMapping.status()).isEqualTo(400);
        assertThat(noMapping.json().get("errors")).extracting(e -> e.get("field").asText()).containsExactlyInAnyOrder("case", "activity", "timestamp");

        Api.Response noName = api.sendBytes("POST", "/api/v1/pathfinder/datasets", "<log/>".getBytes(StandardCharsets.UTF_8), "application/xml");
        assertThat(noName.json().get("errors").get(0).get("field").asText()).isEqualTo("name");
        assertThat(api.get("/api/v1/pathfinder/datasets").json().get("data")).isEmpty();

        Api.Response badMap = api.post("/api/v1/pathfinder/live/map?format=svg", "{}");
        assertThat(badMap.json().get("errors").get(0).get("field").asText()).isEqualTo("format");
        Api.Response badReq = api.post("/api/v1/pathfinder/live/map", "{'edges': 0}");
        assertThat(badReq.json().get("errors").get(0).get("field").asText()).isEqualTo("edges");
        Api.Response badCompare = api.post("/api/v1/pathfinder/live/compare", "{'a': {}, 'b': {'variants': -1}}");
        assertThat(badCompare.json().get("errors").get(0).get("field").asText()).isEqualTo("b.variants");
        assertThat(api.get("/api/v1/pathfinder/datasets/not-a-uuid").json().get("errors").get(0).get("field").asText()).isEqualTo("id");
        assertThat(api.withToken(null).get("/api/v1/pathfinder/touchpoints").status()).isEqualTo(401);
    }

    @BothServers
    void liveMapFromConfiguredTouchpoints(Api api) {
        Api.Response bad = api.put("/api/v1/pathfinder/touchpoints", "{'touchpoints': []}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(api.get("/api/v1/pathfinder/touchpoints").json().get("touchpoints").get(0).get("type").asText()).isEqualTo("*");
        Api.Response put = api.put("/api/v1/pathfinder/touchpoints", "{'touchpoints': [{'type': 'web.visit', 'label': 'Website', 'attribute': 'page'},"
                + " {'type': 'review.*', 'label': 'Review site', 'attribute': 'site'}, {'type': 'trip.booked', 'label': 'Trip booked'}],"
                + " 'identifiers': [{'kind': 'email', 'attribute': 'email', 'field': 'Email'}]}");
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        String[][] journeys = {{"web.visit:/bali", "review.read:tripadvisor", "trip.booked:"}, {"web.visit:/bali", "review.read:tripadvisor"},
                {"web.visit:/rome", "trip.booked:"}};
        for (int c = 0; c < journeys.length; c++) {
            for (String step : journeys[c]) {
                api.clock().advance(Duration.ofMinutes(5));
                String[] s = step.split(":", 2);
                String attr = s[0].equals("web.visit") ? "page" : "site";
                api.post("/api/v1/signals", "{'type': '" + s[0] + "', 'subject': 'person-" + c + "', 'payload': {'" + attr + "': '" + s[1]
                        + "', 'email': 'p" + c + "@example.com'}}");
            }
        }
        api.post("/api/v1/signals", "{'type': 'chat.missed', 'subject': 'person-0'}"); // not a touchpoint
        JsonNode m = api.post("/api/v1/pathfinder/live/map", "{'goal': {'touchpoint': 'Trip booked'}}").json();
        assertThat(m.get("cases").asInt()).isEqualTo(3);
        assertThat(m.get("activities").asInt()).isEqualTo(4);
        JsonNode conv = m.get("conversion");
        assertThat(conv.get("converted").asInt()).isEqualTo(2);
        assertThat(conv.get("drop_offs").get(0).get("activity").asText()).isEqualTo("Review site: tripadvisor");
        JsonNode tps = conv.get("touchpoints");
        JsonNode bali = null;
        for (JsonNode t : tps) {
            if (t.get("activity").asText().equals("Website: /bali")) {
                bali = t;
            }
        }
        assertThat(bali.get("rate").asDouble()).isEqualTo(0.5);
        JsonNode cmp = api.post("/api/v1/pathfinder/live/compare", "{'a': {'contains': ['Website: /bali']}, 'b': {'contains': ['Website: /rome']}}").json();
        assertThat(cmp.get("a").get("cases").asInt()).isEqualTo(2);
        assertThat(cmp.get("b").get("cases").asInt()).isEqualTo(1);
        assertThat(api.otherOrg().post("/api/v1/pathfinder/live/map", null).json().get("cases").asInt()).isZero();
        assertThat(Json.read(api.post("/api/v1/pathfinder/live/map?format=json", null).body()).get("cases").asInt()).isEqualTo(3);
    }
}

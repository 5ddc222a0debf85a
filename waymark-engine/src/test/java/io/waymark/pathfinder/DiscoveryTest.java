package io.waymark.pathfinder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DiscoveryTest {
    private static final long H = 3_600_000L;
    private static final long T0 = Instant.parse("2026-01-05T09:00:00Z").toEpochMilli();

    /** Customers' paths: each string is one case, touchpoints separated by spaces, one hour apart. */
    private static EventLog log(String... cases) {
        EventLog.Builder b = new EventLog.Builder();
        int n = 0;
        for (String c : cases) {
            b.startCase("c" + n++);
            long t = T0 + n * 24 * H;
            for (String a : c.split(" ")) {
                b.event(a, null, t);
                t += H;
            }
        }
        return b.build();
    }

    private static MapRequest req(String json) {
        return MapRequest.fromJson(Json.read(json.replace('\'', '"')));
    }

    @Test
    void countsEdgesWithCaseFrequencyAndTimes() {
        EventLog log = log("Web Email Web Email Booked", "Web Chat", "Web Email Booked");
        PathMap m = Discovery.discover(log, MapRequest.all(Classifier.NAME));
        PathMap.Edge webEmail = m.edges().stream().filter(e -> e.from().equals("Web") && e.to().equals("Email")).findFirst().orElseThrow();
        assertThat(webEmail.frequency()).isEqualTo(3);
        assertThat(webEmail.cases()).isEqualTo(2);
        assertThat(webEmail.duration().medianMs()).isEqualTo(H);
        assertThat(webEmail.duration().p90Ms()).isEqualTo(H);
        assertThat(m.activities().get(0)).isEqualTo(new PathMap.Activity("Web", 4, 3));
        assertThat(m.variants()).extracting(PathMap.Variant::cases).containsExactly(1, 1, 1);
        assertThat(m.variants().get(0).share()).isCloseTo(1 / 3.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void medianAndP90OfUnevenTimes() {
        EventLog.Builder b = new EventLog.Builder();
        long[] gaps = {1, 2, 3, 4, 5, 6, 7, 8, 9, 100};
        for (int i = 0; i < gaps.length; i++) {
            b.startCase("c" + i);
            b.event("A", null, T0);
            b.event("B", null, T0 + gaps[i] * 1000);
        }
        PathMap.Durations d = Discovery.discover(b.build(), MapRequest.all(Classifier.NAME)).edges().get(0).duration();
        assertThat(d.meanMs()).isEqualTo(14_500);
        assertThat(d.medianMs()).isEqualTo(5_500);
        assertThat(d.p90Ms()).isEqualTo(9_000);
    }

    @Test
    void logsWithoutTimesHaveNoDurations() {
        EventLog.Builder b = new EventLog.Builder();
        b.startCase("1");
        b.event("A", null, EventLog.NO_TIME);
        b.event("B", null, EventLog.NO_TIME);
        assertThat(Discovery.discover(b.build(), MapRequest.all(Classifier.NAME)).edges().get(0).duration()).isNull();
    }

    @Test
    void containsAndNotContainsSelectCases() {
        EventLog log = log("Web Email Booked", "Web Chat", "Review Web Booked", "Email");
        PathMap m = Discovery.discover(log, req("{'contains': ['Web'], 'not_contains': ['Chat']}"));
        assertThat(m.cases()).isEqualTo(2);
        assertThat(Discovery.discover(log, req("{'contains': ['Nowhere']}")).cases()).isZero();
        assertThat(Discovery.discover(log, req("{'not_contains': ['Nowhere']}")).cases()).isEqualTo(4);
    }

    @Test
    void timeWindowKeepsOnlyEventsInsideIt() {
        EventLog log = log("A B C", "A B C");
        // Case 0 starts at day 1, case 1 at day 2; the window holds case 0's B and C only.
        Instant from = Instant.ofEpochMilli(T0 + 24 * H + H);
        Instant to = Instant.ofEpochMilli(T0 + 24 * H + 3 * H);
        PathMap m = Discovery.discover(log, req("{'from': '" + from + "', 'to': '" + to + "'}"));
        assertThat(m.cases()).isEqualTo(1);
        assertThat(m.events()).isEqualTo(2);
        assertThat(m.starts()).containsExactly(new PathMap.Endpoint("B", 1));
    }

    @Test
    void goalGivesConversionPerPathAndTouchpointAndDropOffs() {
        EventLog log = log("Web Email Booked", "Web Email Booked", "Web Chat", "Review Web Email", "Web Email Booked Review");
        PathMap.Conversion c = Discovery.discover(log, req("{'goal': {'touchpoint': 'Booked'}}")).conversion();
        assertThat(c.cases()).isEqualTo(5);
        assertThat(c.converted()).isEqualTo(3);
        assertThat(c.rate()).isEqualTo(0.6);
        assertThat(c.paths().get(0)).isEqualTo(new PathMap.PathConversion(List.of("Web", "Email"), 3, 3, 1.0));
        assertThat(c.touchpoints()).contains(new PathMap.TouchpointConversion("Web", 5, 3, 0.6),
                new PathMap.TouchpointConversion("Chat", 1, 0, 0.0), new PathMap.TouchpointConversion("Review", 1, 0, 0.0));
        assertThat(c.dropOffs()).containsExactly(new PathMap.DropOff("Chat", 1, 0.5), new PathMap.DropOff("Email", 1, 0.5));
    }

    @Test
    void recordGoalTimesCutThePaths() {
        EventLog log = log("Web Email Chat", "Web Chat");
        long[] goal = {T0 + 24 * H + 2 * H, Discovery.NEVER}; // case 0 reached it just before Chat
        PathMap.Conversion c = Discovery.discover(log, req("{'goal': {'module': 'Trips', 'field': 'Status', 'value': 'Booked'}}"),
                new Discovery.CaseScope(null, goal)).conversion();
        assertThat(c.converted()).isEqualTo(1);
        assertThat(c.paths()).extracting(PathMap.PathConversion::activities).containsExactly(List.of("Web", "Email"), List.of("Web", "Chat"));
        assertThat(c.dropOffs()).containsExactly(new PathMap.DropOff("Chat", 1, 1.0));
        assertThat(c.goal()).isEqualTo("Trips.Status = Booked");
    }

    @Test
    void simplificationKeepsTheMostFrequentAndStaysConnected() {
        EventLog log = log("A B C D", "A B C D", "A B C D", "A X D", "A Y B C D");
        PathMap m = Discovery.discover(log, req("{'activities': 4}"));
        assertThat(m.activities()).extracting(PathMap.Activity::name).containsExactly("A", "D", "B", "C");
        // X and Y are hidden: A -> D (through X) and A -> B (through Y) are direct now.
        assertThat(m.edges()).extracting(e -> e.from() + ">" + e.to() + ":" + e.frequency())
                .containsExactlyInAnyOrder("A>B:4", "B>C:4", "C>D:4", "A>D:1");
        assertThat(m.activityCount()).isEqualTo(6);

        PathMap few = Discovery.discover(log, req("{'activities': 4, 'edges': 1}"));
        // One edge asked for, but every shown activity keeps a way in and a way out.
        assertThat(few.edges()).extracting(e -> e.from() + ">" + e.to()).containsExactly("A>B", "B>C", "C>D");
        assertThat(few.simplification().shownEdges()).isEqualTo(3);

        PathMap half = Discovery.discover(log, req("{'activities': '50%'}"));
        assertThat(half.activities()).hasSize(3);
    }

    @Test
    void badRequestsNameTheirFields() {
        assertThatThrownBy(() -> req("{'activities': '0%', 'edges': -1, 'classifier': 'x', 'goal': 3, 'from': 'yesterday', 'colour': 1}"))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).extracting(f -> f.field())
                        .containsExactlyInAnyOrder("activities", "edges", "classifier", "goal", "from", "colour"));
    }

    @Test
    void nameAndLifecycleSeparateTransitions() throws IOException {
        String xes = """
                <log xes.version="1849-2016"><trace><string key="concept:name" value="t1"/>
                <event><string key="concept:name" value="Call"/><string key="lifecycle:transition" value="start"/></event>
                <event><string key="concept:name" value="Call"/><string key="lifecycle:transition" value="complete"/></event>
                <event><string key="concept:name" value="Email"/></event>
                </trace></log>""";
        EventLog log = new XesReader().read(new ByteArrayInputStream(xes.getBytes()));
        assertThat(Discovery.discover(log, MapRequest.all(Classifier.NAME)).activities()).extracting(PathMap.Activity::name)
                .containsExactly("Call", "Email");
        assertThat(Discovery.discover(log, MapRequest.all(Classifier.NAME_LIFECYCLE)).edges()).extracting(e -> e.from() + ">" + e.to())
                .containsExactly("Call+complete>Email", "Call+start>Call+complete");
    }

    @Test
    void exportsJsonCsvAndDot() {
        EventLog log = log("Web \"Quote\",1 Booked", "Web Booked");
        PathMap m = Discovery.discover(log, MapRequest.all(Classifier.NAME));
        JsonNode json = Json.read(MapExport.write(m, MapExport.Format.JSON));
        assertThat(json.get("cases").asInt()).isEqualTo(2);
        assertThat(json.get("map_edges").get(0).get("duration_ms").get("median").asDouble()).isEqualTo(H);
        String csv = MapExport.write(m, MapExport.Format.CSV);
        assertThat(csv).startsWith("kind,from,to,frequency,cases,mean_ms,median_ms,p90_ms\n")
                .contains("edge,Web,\"\"\"Quote\"\",1\",1,1,3600000,3600000,3600000\n")
                .contains("start,,Web,2,2,,,\n");
        String dot = MapExport.write(m, MapExport.Format.DOT);
        assertThat(dot).startsWith("digraph pathmap {").contains("label=\"\\\"Quote\\\",1\\n1\"").contains("-> \"__end\"").endsWith("}\n");
    }

    @Test
    void storedFormReadsBackTheSameLog() throws IOException {
        EventLog log = log("Web Email Booked", "Chat");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        log.writeTo(new DataOutputStream(bytes));
        EventLog back = EventLog.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(Discovery.discover(back, MapRequest.all(Classifier.NAME))).isEqualTo(Discovery.discover(log, MapRequest.all(Classifier.NAME)));
        assertThat(back.caseId(1)).isEqualTo("c1");
    }
}

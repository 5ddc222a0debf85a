package io.waymark.pathfinder;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Discovery on real logs must reproduce figures computed independently (the README of
 * ../shared/eventlogs; the name+lifecycle figures and the complete start/end lists were computed
 * with a separate Python script over the same files): traces, events, activities, variants,
 * directly-follows edges, the top edges, the start and end activities, case lengths and the most
 * frequent variant.
 */
class GoldenLogsTest {

    private static EventLog read(String name) throws IOException {
        try (InputStream in = Files.newInputStream(EventLogs.file(name))) {
            return new XesReader().read(in);
        }
    }

    private static PathMap discover(EventLog log, Classifier c) {
        return Discovery.discover(log, MapRequest.all(c).withVariants(1));
    }

    private static Map<String, Integer> endpoints(List<PathMap.Endpoint> list) {
        return list.stream().collect(Collectors.toMap(PathMap.Endpoint::activity, PathMap.Endpoint::cases, (a, b) -> a, LinkedHashMap::new));
    }

    private static List<String> topEdges(PathMap m, int n) {
        return m.edges().stream().limit(n).map(e -> e.frequency() + " " + e.from() + " -> " + e.to()).toList();
    }

    private static void counts(PathMap m, int cases, int events, int activities, int variants, int edges, int min, double mean, int max,
                               int topVariant) {
        assertThat(m.cases()).as("traces").isEqualTo(cases);
        assertThat(m.events()).as("events").isEqualTo(events);
        assertThat(m.activityCount()).as("activities").isEqualTo(activities);
        assertThat(m.activities()).hasSize(activities);
        assertThat(m.variantCount()).as("variants").isEqualTo(variants);
        assertThat(m.edgeCount()).as("DFG edges").isEqualTo(edges);
        assertThat(m.edges()).hasSize(edges);
        assertThat(m.lengths().min()).isEqualTo(min);
        assertThat(m.lengths().mean()).isCloseTo(mean, org.assertj.core.data.Offset.offset(0.005));
        assertThat(m.lengths().max()).isEqualTo(max);
        assertThat(m.variants().get(0).cases()).as("most frequent variant").isEqualTo(topVariant);
        assertThat(m.activities().stream().mapToLong(PathMap.Activity::frequency).sum()).isEqualTo(events);
        assertThat(m.edges().stream().mapToLong(PathMap.Edge::frequency).sum()).isEqualTo(events - cases);
    }

    @Test
    void runningExample() throws IOException {
        EventLog log = read("running-example.xes");
        assertThat(log.hasLifecycle()).isFalse();
        for (Classifier c : Classifier.values()) {
            PathMap m = discover(log, c);
            counts(m, 6, 42, 8, 6, 16, 5, 7.00, 13, 1);
            assertThat(topEdges(m, 1)).containsExactly("6 check ticket -> decide");
            assertThat(endpoints(m.starts())).containsExactly(Map.entry("register request", 6));
            assertThat(endpoints(m.ends())).containsExactly(Map.entry("pay compensation", 3), Map.entry("reject request", 3));
        }
    }

    @Test
    void receiptWithBothClassifiers() throws IOException {
        EventLog log = read("08_receipt.xes.gz");
        assertThat(log.hasLifecycle()).isTrue();
        for (Classifier c : Classifier.values()) {
            String s = c == Classifier.NAME ? "" : "+complete";
            PathMap m = discover(log, c);
            counts(m, 1434, 8577, 27, 116, 99, 1, 5.98, 25, 713);
            assertThat(m.variants().get(0).activities()).hasSize(6);
            assertThat(m.variants().get(0).share()).isCloseTo(0.497, org.assertj.core.data.Offset.offset(0.0005));
            assertThat(topEdges(m, 5)).containsExactly(
                    "1177 T04 Determine confirmation of receipt" + s + " -> T05 Print and send confirmation of receipt" + s,
                    "1165 T06 Determine necessity of stop advice" + s + " -> T10 Determine necessity to stop indication" + s,
                    "1119 T02 Check confirmation of receipt" + s + " -> T04 Determine confirmation of receipt" + s,
                    "1079 Confirmation of receipt" + s + " -> T02 Check confirmation of receipt" + s,
                    "791 T05 Print and send confirmation of receipt" + s + " -> T06 Determine necessity of stop advice" + s);
            assertThat(endpoints(m.starts())).containsExactly(Map.entry("Confirmation of receipt" + s, 1434));
            Map<String, Integer> ends = endpoints(m.ends());
            assertThat(ends).hasSize(14);
            assertThat(ends.entrySet().stream().limit(5).toList()).containsExactly(
                    Map.entry("T10 Determine necessity to stop indication" + s, 828),
                    Map.entry("T05 Print and send confirmation of receipt" + s, 400),
                    Map.entry("Confirmation of receipt" + s, 116),
                    Map.entry("T15 Print document X request unlicensed" + s, 39),
                    Map.entry("T06 Determine necessity of stop advice" + s, 16));
        }
    }

    @Test
    void helpdesk() throws IOException {
        EventLog log = read("helpdesk.xes.gz");
        assertThat(log.hasLifecycle()).isFalse();
        PathMap m = discover(log, Classifier.NAME);
        counts(m, 4580, 21348, 14, 226, 55, 2, 4.66, 15, 2366);
        assertThat(m.variants().get(0).activities()).hasSize(4);
        assertThat(topEdges(m, 5)).containsExactly("4558 Resolve ticket -> Closed", "4160 Assign seriousness -> Take in charge ticket",
                "3563 Take in charge ticket -> Resolve ticket", "1265 Take in charge ticket -> Wait", "773 Wait -> Resolve ticket");
        assertThat(endpoints(m.starts())).containsExactly(Map.entry("Assign seriousness", 4384), Map.entry("Insert ticket", 118),
                Map.entry("Take in charge ticket", 74), Map.entry("Resolve ticket", 2), Map.entry("Create SW anomaly", 1), Map.entry("Wait", 1));
        assertThat(endpoints(m.ends())).containsExactly(Map.entry("Closed", 4557), Map.entry("Resolve ticket", 10), Map.entry("Wait", 8),
                Map.entry("Require upgrade", 3), Map.entry("Take in charge ticket", 1), Map.entry("VERIFIED", 1));
        assertThat(discover(log, Classifier.NAME_LIFECYCLE)).usingRecursiveComparison().ignoringFields("classifier").isEqualTo(m);
    }

    @Test
    void roadTrafficWithBothClassifiers() throws IOException {
        EventLog log = read("roadtraffic100traces.xes");
        for (Classifier c : Classifier.values()) {
            String s = c == Classifier.NAME ? "" : "+complete";
            PathMap m = discover(log, c);
            counts(m, 100, 390, 10, 10, 18, 2, 3.90, 9, 36);
            assertThat(m.variants().get(0).activities()).hasSize(5);
            assertThat(topEdges(m, 4)).containsExactly("77 Create Fine" + s + " -> Send Fine" + s,
                    "56 Send Fine" + s + " -> Insert Fine Notification" + s, "52 Insert Fine Notification" + s + " -> Add penalty" + s,
                    "36 Add penalty" + s + " -> Send for Credit Collection" + s);
            assertThat(endpoints(m.starts())).containsExactly(Map.entry("Create Fine" + s, 100));
            assertThat(endpoints(m.ends())).containsExactly(Map.entry("Payment" + s, 47), Map.entry("Send for Credit Collection" + s, 36),
                    Map.entry("Send Fine" + s, 17));
        }
    }
}

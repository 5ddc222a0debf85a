package io.waymark.pathfinder;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * The compact, int-array discovery must agree with the obvious one (lists of strings and hash
 * maps) on random logs: every activity, edge, start, end and variant count, case frequencies and
 * median times; and a goal's figures must add up.
 */
class DiscoveryAgreesWithANaiveCountTest {

    @RepeatedTest(40)
    void sameFiguresAsTheObviousWay(RepetitionInfo info) {
        Random r = new Random(info.getCurrentRepetition());
        int acts = 1 + r.nextInt(8);
        List<List<String>> cases = new ArrayList<>();
        List<List<Long>> times = new ArrayList<>();
        EventLog.Builder b = new EventLog.Builder();
        int n = r.nextInt(60);
        for (int c = 0; c < n; c++) {
            b.startCase("c" + c);
            List<String> trace = new ArrayList<>();
            List<Long> ts = new ArrayList<>();
            long t = r.nextInt(1000);
            for (int e = r.nextInt(7); e > 0; e--) {
                String a = "A" + r.nextInt(acts);
                t += r.nextInt(100);
                trace.add(a);
                ts.add(t);
                b.event(a, null, t);
            }
            cases.add(trace);
            times.add(ts);
        }
        PathMap m = Discovery.discover(b.build(), MapRequest.all(Classifier.NAME).withVariants(1000));

        Map<String, Long> freq = new HashMap<>();
        Map<String, Set<Integer>> caseSets = new HashMap<>();
        Map<String, Long> edges = new HashMap<>();
        Map<String, Set<Integer>> edgeCases = new HashMap<>();
        Map<String, List<Long>> gaps = new HashMap<>();
        Map<String, Integer> starts = new HashMap<>();
        Map<String, Integer> ends = new HashMap<>();
        Map<List<String>, Integer> variants = new HashMap<>();
        for (int c = 0; c < n; c++) {
            List<String> tr = cases.get(c);
            variants.merge(tr, 1, Integer::sum);
            for (int i = 0; i < tr.size(); i++) {
                freq.merge(tr.get(i), 1L, Long::sum);
                caseSets.computeIfAbsent(tr.get(i), k -> new HashSet<>()).add(c);
                if (i > 0) {
                    String k = tr.get(i - 1) + ">" + tr.get(i);
                    edges.merge(k, 1L, Long::sum);
                    edgeCases.computeIfAbsent(k, x -> new HashSet<>()).add(c);
                    gaps.computeIfAbsent(k, x -> new ArrayList<>()).add(times.get(c).get(i) - times.get(c).get(i - 1));
                }
            }
            if (!tr.isEmpty()) {
                starts.merge(tr.get(0), 1, Integer::sum);
                ends.merge(tr.get(tr.size() - 1), 1, Integer::sum);
            }
        }
        assertThat(m.cases()).isEqualTo(n);
        assertThat(m.activities()).hasSize(freq.size());
        for (PathMap.Activity a : m.activities()) {
            assertThat(a.frequency()).isEqualTo(freq.get(a.name()));
            assertThat(a.cases()).isEqualTo(caseSets.get(a.name()).size());
        }
        assertThat(m.edges()).hasSize(edges.size());
        for (PathMap.Edge e : m.edges()) {
            String k = e.from() + ">" + e.to();
            assertThat(e.frequency()).isEqualTo(edges.get(k));
            assertThat(e.cases()).isEqualTo(edgeCases.get(k).size());
            List<Long> g = new ArrayList<>(gaps.get(k));
            g.sort(null);
            double median = g.size() % 2 == 1 ? g.get(g.size() / 2) : (g.get(g.size() / 2 - 1) + g.get(g.size() / 2)) / 2.0;
            assertThat(e.duration().medianMs()).isEqualTo(median);
            assertThat(e.duration().p90Ms()).isEqualTo(g.get((int) Math.ceil(0.9 * g.size()) - 1));
        }
        assertThat(m.starts()).extracting(PathMap.Endpoint::activity, PathMap.Endpoint::cases)
                .containsExactlyInAnyOrderElementsOf(starts.entrySet().stream().map(x -> org.assertj.core.groups.Tuple.tuple(x.getKey(), x.getValue())).toList());
        assertThat(m.ends()).extracting(PathMap.Endpoint::activity, PathMap.Endpoint::cases)
                .containsExactlyInAnyOrderElementsOf(ends.entrySet().stream().map(x -> org.assertj.core.groups.Tuple.tuple(x.getKey(), x.getValue())).toList());
        assertThat(m.variantCount()).isEqualTo(variants.size());
        for (PathMap.Variant v : m.variants()) {
            assertThat(v.cases()).isEqualTo(variants.get(v.activities()));
        }

        if (acts > 1 && n > 0) {
            PathMap.Conversion conv = Discovery.discover(b.build(), MapRequest.fromJson(io.waymark.json.Json.read("{\"goal\": {\"touchpoint\": \"A0\"}}")))
                    .conversion();
            long reached = cases.stream().filter(tr -> tr.contains("A0")).count();
            assertThat(conv.converted()).isEqualTo(reached);
            assertThat(conv.paths().stream().mapToInt(PathMap.PathConversion::cases).sum()).isLessThanOrEqualTo(n);
            long droppedWithSteps = cases.stream().filter(tr -> !tr.contains("A0") && !tr.isEmpty()).count();
            assertThat(conv.dropOffs().stream().mapToInt(PathMap.DropOff::cases).sum()).isEqualTo(droppedWithSteps);
        }
    }
}

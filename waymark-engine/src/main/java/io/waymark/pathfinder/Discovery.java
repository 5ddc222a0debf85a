package io.waymark.pathfinder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Discovers the map of an {@link EventLog}: filters it, then counts activities, directly-follows
 * pairs (with their times), start and end points, variants and, with a goal, conversion. One
 * pass builds a filtered view of int activity ids; everything after works on int arrays and
 * open-addressing tables, so ten million events take seconds and little more memory than the
 * log itself.
 */
public final class Discovery {
    /** A case that never reached the goal. */
    public static final long NEVER = Long.MAX_VALUE;

    private Discovery() {
    }

    /**
     * What the caller knows about each case of the log beyond its events: which cases to keep
     * (null: all) and when each reached a record-state goal ({@link #NEVER} when it did not;
     * null without such a goal).
     */
    public record CaseScope(boolean[] keep, long[] goalTime) {
        public static final CaseScope ALL = new CaseScope(null, null);
    }

    public static PathMap discover(EventLog log, MapRequest req) {
        return discover(log, req, CaseScope.ALL);
    }

    public static PathMap discover(EventLog log, MapRequest req, CaseScope scope) {
        List<String> labels = new ArrayList<>();
        int[] classToAct = log.activities(req.classifier(), labels);
        int acts = labels.size();
        View v = View.of(log, classToAct, acts, labels, req, scope);

        // Activities, starts, ends, lengths over the whole filtered log.
        long[] actFreq = new long[acts];
        int[] actCases = new int[acts];
        int[] lastCase = new int[acts];
        Arrays.fill(lastCase, -1);
        int[] starts = new int[acts];
        int[] ends = new int[acts];
        int minLen = Integer.MAX_VALUE;
        int maxLen = 0;
        for (int c = 0; c < v.cases; c++) {
            int s = v.start[c];
            int e = v.start[c + 1];
            minLen = Math.min(minLen, e - s);
            maxLen = Math.max(maxLen, e - s);
            if (e > s) {
                starts[v.act[s]]++;
                ends[v.act[e - 1]]++;
            }
            for (int i = s; i < e; i++) {
                int a = v.act[i];
                actFreq[a]++;
                if (lastCase[a] != c) {
                    lastCase[a] = c;
                    actCases[a]++;
                }
            }
        }
        int presentActs = 0;
        for (int a = 0; a < acts; a++) {
            if (actFreq[a] > 0) {
                presentActs++;
            }
        }
        PathMap.Lengths lengths = new PathMap.Lengths(v.cases == 0 ? 0 : minLen, v.cases == 0 ? 0 : (double) v.events / v.cases, maxLen);

        // Variants.
        int[] ends0 = Arrays.copyOfRange(v.start, 1, v.cases + 1);
        Groups variants = Groups.of(v.act, v.start, ends0, v.cases);
        List<PathMap.Variant> topVariants = new ArrayList<>();
        for (int g : variants.byCount(req.variants())) {
            int c = variants.firstCase[g];
            topVariants.add(new PathMap.Variant(names(labels, v.act, v.start[c], v.start[c + 1]), variants.count[g],
                    share(variants.count[g], v.cases)));
        }

        // The map: optionally project onto the most frequent activities, then the DFG.
        Integer[] byFreq = new Integer[acts];
        for (int a = 0; a < acts; a++) {
            byFreq[a] = a;
        }
        Arrays.sort(byFreq, Comparator.<Integer>comparingLong(a -> -actFreq[a]).thenComparing(a -> labels.get(a)));
        boolean[] shown = new boolean[acts];
        int keepActs = req.activities().of(presentActs);
        for (int i = 0; i < keepActs; i++) {
            shown[byFreq[i]] = true;
        }
        Graph full = Graph.of(v, acts, null, labels);
        Graph graph = keepActs == presentActs ? full : Graph.of(v, acts, shown, labels);
        boolean[] edgeShown = graph.select(req.edges(), shown);

        List<PathMap.Activity> activityList = new ArrayList<>();
        long[] shownFreq = keepActs == presentActs ? actFreq : graph.actFreq;
        int[] shownCases = keepActs == presentActs ? actCases : graph.actCases;
        for (int i = 0; i < keepActs; i++) {
            int a = byFreq[i];
            activityList.add(new PathMap.Activity(labels.get(a), shownFreq[a], shownCases[a]));
        }
        List<PathMap.Edge> edgeList = new ArrayList<>();
        int shownEdges = 0;
        for (int k : graph.edgesByFrequency()) {
            if (!edgeShown[k]) {
                continue;
            }
            shownEdges++;
            int from = graph.from(k);
            int to = graph.to(k);
            edgeList.add(new PathMap.Edge(labels.get(from), labels.get(to), graph.freq[k], graph.cases[k], graph.durations(k)));
        }
        int[] mapStarts = keepActs == presentActs ? starts : graph.starts;
        int[] mapEnds = keepActs == presentActs ? ends : graph.ends;
        PathMap.Simplification simplification = new PathMap.Simplification(req.activities().toString(), req.edges().toString(),
                keepActs, shownEdges);

        PathMap.Conversion conversion = req.goal() == null ? null : conversion(v, labels, req.goal(), scope, req.variants());
        return new PathMap(req.classifier().id(), v.cases, v.events, presentActs, full.edgeCount(), variants.groups, lengths, activityList,
                edgeList, endpoints(labels, mapStarts), endpoints(labels, mapEnds), topVariants, simplification, conversion);
    }

    private static PathMap.Conversion conversion(View v, List<String> labels, MapRequest.Goal goal, CaseScope scope, int listed) {
        int acts = labels.size();
        int[] pathEnd = new int[v.cases];
        boolean[] converted = new boolean[v.cases];
        int goalAct = goal instanceof MapRequest.TouchpointGoal t ? labels.indexOf(t.touchpoint()) : -1;
        int convertedCount = 0;
        for (int c = 0; c < v.cases; c++) {
            int s = v.start[c];
            int e = v.start[c + 1];
            pathEnd[c] = e;
            if (goal instanceof MapRequest.TouchpointGoal) {
                for (int i = s; i < e; i++) {
                    if (v.act[i] == goalAct) {
                        pathEnd[c] = i;
                        converted[c] = true;
                        break;
                    }
                }
            } else if (scope.goalTime() != null) {
                long at = scope.goalTime()[v.caseOf[c]];
                if (at != NEVER) {
                    converted[c] = true;
                    int i = s;
                    while (i < e && v.time[i] < at) {
                        i++;
                    }
                    pathEnd[c] = i;
                }
            }
            if (converted[c]) {
                convertedCount++;
            }
        }
        // Per path.
        Groups paths = Groups.of(v.act, v.start, pathEnd, v.cases);
        int[] groupConverted = new int[paths.groups];
        for (int c = 0; c < v.cases; c++) {
            if (converted[c]) {
                groupConverted[paths.groupOf[c]]++;
            }
        }
        List<PathMap.PathConversion> pathList = new ArrayList<>();
        for (int g : paths.byCount(listed)) {
            int c = paths.firstCase[g];
            pathList.add(new PathMap.PathConversion(names(labels, v.act, v.start[c], pathEnd[c]), paths.count[g], groupConverted[g],
                    share(groupConverted[g], paths.count[g])));
        }
        // Per touchpoint and drop-offs.
        int[] tpCases = new int[acts];
        int[] tpConverted = new int[acts];
        int[] lastCase = new int[acts];
        Arrays.fill(lastCase, -1);
        int[] drop = new int[acts];
        int notConverted = 0;
        for (int c = 0; c < v.cases; c++) {
            for (int i = v.start[c]; i < pathEnd[c]; i++) {
                int a = v.act[i];
                if (lastCase[a] != c) {
                    lastCase[a] = c;
                    tpCases[a]++;
                    if (converted[c]) {
                        tpConverted[a]++;
                    }
                }
            }
            if (!converted[c]) {
                notConverted++;
                if (pathEnd[c] > v.start[c]) {
                    drop[v.act[pathEnd[c] - 1]]++;
                }
            }
        }
        List<PathMap.TouchpointConversion> tps = new ArrayList<>();
        List<PathMap.DropOff> drops = new ArrayList<>();
        for (int a = 0; a < acts; a++) {
            if (tpCases[a] > 0) {
                tps.add(new PathMap.TouchpointConversion(labels.get(a), tpCases[a], tpConverted[a], share(tpConverted[a], tpCases[a])));
            }
            if (drop[a] > 0) {
                drops.add(new PathMap.DropOff(labels.get(a), drop[a], share(drop[a], notConverted)));
            }
        }
        tps.sort(Comparator.comparingInt(PathMap.TouchpointConversion::cases).reversed().thenComparing(PathMap.TouchpointConversion::activity));
        drops.sort(Comparator.comparingInt(PathMap.DropOff::cases).reversed().thenComparing(PathMap.DropOff::activity));
        return new PathMap.Conversion(goal.label(), v.cases, convertedCount, share(convertedCount, v.cases), pathList, tps, drops);
    }

    private static List<PathMap.Endpoint> endpoints(List<String> labels, int[] counts) {
        List<PathMap.Endpoint> out = new ArrayList<>();
        for (int a = 0; a < counts.length; a++) {
            if (counts[a] > 0) {
                out.add(new PathMap.Endpoint(labels.get(a), counts[a]));
            }
        }
        out.sort(Comparator.comparingInt(PathMap.Endpoint::cases).reversed().thenComparing(PathMap.Endpoint::activity));
        return out;
    }

    private static List<String> names(List<String> labels, int[] act, int from, int to) {
        List<String> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            out.add(labels.get(act[i]));
        }
        return out;
    }

    static double share(long part, long whole) {
        return whole == 0 ? 0 : (double) part / whole;
    }

    /** The filtered log: cases (with their index in the source log) and their events as activity ids. */
    static final class View {
        int cases;
        long events;
        int[] caseOf;
        int[] start;
        int[] act;
        long[] time;

        static View of(EventLog log, int[] classToAct, int acts, List<String> labels, MapRequest req, CaseScope scope) {
            long from = req.from() == null ? Long.MIN_VALUE : req.from().toEpochMilli();
            long to = req.to() == null ? Long.MAX_VALUE : req.to().toEpochMilli();
            boolean window = req.from() != null || req.to() != null;
            int[] mustHave = ids(labels, req.contains(), true);
            boolean impossible = mustHave == null;
            if (impossible) {
                mustHave = new int[0];
            }
            int[] mustNotHave = ids(labels, req.notContains(), false);
            int n = log.eventCount();
            View v = new View();
            v.caseOf = new int[log.caseCount()];
            v.start = new int[log.caseCount() + 1];
            v.act = new int[n];
            v.time = new long[n];
            int[] seen = new int[acts];
            int stamp = 0;
            int out = 0;
            for (int c = 0; c < log.caseCount() && !impossible; c++) {
                if (scope.keep() != null && !scope.keep()[c]) {
                    continue;
                }
                int caseBegin = out;
                stamp++;
                for (int e = log.caseStart(c); e < log.caseStart(c + 1); e++) {
                    long t = log.eventTime(e);
                    if (window && (t == EventLog.NO_TIME || t < from || t >= to)) {
                        continue;
                    }
                    int a = classToAct[log.eventClass(e)];
                    v.act[out] = a;
                    v.time[out] = t;
                    seen[a] = stamp;
                    out++;
                }
                boolean keep = !(window && out == caseBegin);
                for (int a : mustHave) {
                    keep &= seen[a] == stamp;
                }
                for (int a : mustNotHave) {
                    keep &= seen[a] != stamp;
                }
                if (!keep) {
                    out = caseBegin;
                    continue;
                }
                v.caseOf[v.cases] = c;
                v.cases++;
                v.start[v.cases] = out;
            }
            v.events = out;
            return v;
        }

        /**
         * Activity ids of names. With {@code required}, null when one is not in the log (nothing
         * can contain it); otherwise unknown names are left out (nothing contains them anyway).
         */
        private static int[] ids(List<String> labels, List<String> names, boolean required) {
            List<Integer> out = new ArrayList<>();
            for (String name : names) {
                int i = labels.indexOf(name);
                if (i >= 0) {
                    out.add(i);
                } else if (required) {
                    return null;
                }
            }
            return toArray(out);
        }

        private static int[] toArray(List<Integer> list) {
            return list.stream().mapToInt(Integer::intValue).toArray();
        }
    }
}

package io.waymark.pathfinder;

import java.util.Arrays;
import java.util.List;

/**
 * The directly-follows graph of a filtered log, optionally projected onto a subset of
 * activities (the hidden ones are skipped, so their neighbours follow each other directly).
 * Edges are numbered in order of first appearance through an open-addressing table of
 * {@code from * activities + to}; the times between touchpoints are collected in one flat array
 * and sorted per edge at the end.
 */
final class Graph {
    private final int acts;
    private final List<String> labels;
    private long[] keys;
    private int[] slots;
    private int mask;
    int edges;
    long[] freq = new long[64];
    int[] cases = new int[64];
    private int[] lastCase = new int[64];
    private long[] durSorted;
    private int[] durStart;
    long[] actFreq;
    int[] actCases;
    int[] starts;
    int[] ends;

    private Graph(int acts, List<String> labels) {
        this.acts = acts;
        this.labels = labels;
        int cap = 1024;
        keys = new long[cap];
        slots = new int[cap];
        Arrays.fill(slots, -1);
        mask = cap - 1;
    }

    static Graph of(Discovery.View v, int acts, boolean[] shown, List<String> labels) {
        Graph g = new Graph(acts, labels);
        g.actFreq = new long[acts];
        g.actCases = new int[acts];
        g.starts = new int[acts];
        g.ends = new int[acts];
        int[] actLast = new int[acts];
        Arrays.fill(actLast, -1);
        long[] dur = new long[16];
        int[] durEdge = new int[16];
        int durs = 0;
        for (int c = 0; c < v.cases; c++) {
            int prev = -1;
            long prevTime = EventLog.NO_TIME;
            for (int i = v.start[c]; i < v.start[c + 1]; i++) {
                int a = v.act[i];
                if (shown != null && !shown[a]) {
                    continue;
                }
                long t = v.time[i];
                g.actFreq[a]++;
                if (actLast[a] != c) {
                    actLast[a] = c;
                    g.actCases[a]++;
                }
                if (prev < 0) {
                    g.starts[a]++;
                } else {
                    int k = g.edge((long) prev * acts + a);
                    g.freq[k]++;
                    if (g.lastCase[k] != c) {
                        g.lastCase[k] = c;
                        g.cases[k]++;
                    }
                    if (t != EventLog.NO_TIME && prevTime != EventLog.NO_TIME) {
                        if (durs == dur.length) {
                            dur = Arrays.copyOf(dur, durs * 2);
                            durEdge = Arrays.copyOf(durEdge, durs * 2);
                        }
                        dur[durs] = t - prevTime;
                        durEdge[durs] = k;
                        durs++;
                    }
                }
                prev = a;
                prevTime = t;
            }
            if (prev >= 0) {
                g.ends[prev]++;
            }
        }
        // Durations grouped by edge (counting sort), each group sorted for its median and p90.
        g.durStart = new int[g.edges + 1];
        for (int i = 0; i < durs; i++) {
            g.durStart[durEdge[i] + 1]++;
        }
        for (int k = 0; k < g.edges; k++) {
            g.durStart[k + 1] += g.durStart[k];
        }
        int[] fill = Arrays.copyOf(g.durStart, g.edges);
        g.durSorted = new long[durs];
        for (int i = 0; i < durs; i++) {
            g.durSorted[fill[durEdge[i]]++] = dur[i];
        }
        for (int k = 0; k < g.edges; k++) {
            Arrays.sort(g.durSorted, g.durStart[k], g.durStart[k + 1]);
        }
        return g;
    }

    private int edge(long key) {
        int h = Long.hashCode(key * 0x9E3779B97F4A7C15L);
        int slot = h & mask;
        while (true) {
            int k = slots[slot];
            if (k < 0) {
                break;
            }
            if (keys[slot] == key) {
                return k;
            }
            slot = (slot + 1) & mask;
        }
        if (edges == freq.length) {
            freq = Arrays.copyOf(freq, edges * 2);
            cases = Arrays.copyOf(cases, edges * 2);
            lastCase = Arrays.copyOf(lastCase, edges * 2);
        }
        lastCase[edges] = -1;
        keys[slot] = key;
        slots[slot] = edges;
        int k = edges++;
        if (edges * 2 > slots.length) {
            rehash();
        }
        return k;
    }

    private void rehash() {
        long[] oldKeys = keys;
        int[] oldSlots = slots;
        keys = new long[oldKeys.length * 2];
        slots = new int[oldSlots.length * 2];
        Arrays.fill(slots, -1);
        mask = slots.length - 1;
        for (int i = 0; i < oldSlots.length; i++) {
            if (oldSlots[i] >= 0) {
                int slot = Long.hashCode(oldKeys[i] * 0x9E3779B97F4A7C15L) & mask;
                while (slots[slot] >= 0) {
                    slot = (slot + 1) & mask;
                }
                keys[slot] = oldKeys[i];
                slots[slot] = oldSlots[i];
            }
        }
    }

    private long[] edgeKeys;

    private long[] edgeKeys() {
        if (edgeKeys == null) {
            edgeKeys = new long[edges];
            for (int i = 0; i < slots.length; i++) {
                if (slots[i] >= 0) {
                    edgeKeys[slots[i]] = keys[i];
                }
            }
        }
        return edgeKeys;
    }

    int from(int k) {
        return (int) (edgeKeys()[k] / acts);
    }

    int to(int k) {
        return (int) (edgeKeys()[k] % acts);
    }

    int edgeCount() {
        return edges;
    }

    PathMap.Durations durations(int k) {
        int s = durStart[k];
        int e = durStart[k + 1];
        int n = e - s;
        if (n == 0) {
            return null;
        }
        double sum = 0;
        for (int i = s; i < e; i++) {
            sum += durSorted[i];
        }
        double median = n % 2 == 1 ? durSorted[s + n / 2] : (durSorted[s + n / 2 - 1] + (double) durSorted[s + n / 2]) / 2;
        long p90 = durSorted[s + Math.max(0, (int) Math.ceil(0.9 * n) - 1)];
        return new PathMap.Durations(sum / n, median, p90);
    }

    /** Edge ids by frequency (most first), ties by the names of their ends. */
    Integer[] edgesByFrequency() {
        Integer[] ids = new Integer[edges];
        for (int k = 0; k < edges; k++) {
            ids[k] = k;
        }
        Arrays.sort(ids, (a, b) -> {
            if (freq[a] != freq[b]) {
                return Long.compare(freq[b], freq[a]);
            }
            int c = labels.get(from(a)).compareTo(labels.get(from(b)));
            return c != 0 ? c : labels.get(to(a)).compareTo(labels.get(to(b)));
        });
        return ids;
    }

    /**
     * Which edges a simplified map shows: the most frequent ones up to the limit, plus — so that
     * the map stays connected — each shown activity's most frequent incoming edge when it has
     * none and is not a start, and its most frequent outgoing edge when it has none and is not
     * an end.
     */
    boolean[] select(MapRequest.Limit limit, boolean[] shownActs) {
        boolean[] keep = new boolean[edges];
        Integer[] order = edgesByFrequency();
        int n = limit.of(edges);
        for (int i = 0; i < n; i++) {
            keep[order[i]] = true;
        }
        if (n == edges) {
            return keep;
        }
        boolean[] hasIn = new boolean[acts];
        boolean[] hasOut = new boolean[acts];
        for (int k = 0; k < edges; k++) {
            if (keep[k]) {
                hasOut[from(k)] = true;
                hasIn[to(k)] = true;
            }
        }
        for (int k : order) {
            int f = from(k);
            int t = to(k);
            if (!keep[k] && ((!hasIn[t] && starts[t] == 0) || (!hasOut[f] && ends[f] == 0))) {
                keep[k] = true;
                hasIn[t] = true;
                hasOut[f] = true;
            }
        }
        return keep;
    }
}

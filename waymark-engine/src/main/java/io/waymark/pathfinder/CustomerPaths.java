package io.waymark.pathfinder;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.json.Json;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Turns scanned signals into one path per customer. Every signal links its subject with the
 * identifiers it carries (an email in the payload, a visitor id, a record id; a record's
 * identifying fields); linked subjects are one customer (union-find), so a visitor who later
 * becomes a lead, and the contact the lead is converted into, make one path. Touchpoints are
 * collected as int arrays while scanning and ordered per customer by time at the end.
 */
final class CustomerPaths implements PathFinderStore.SignalSink {
    private final TouchpointConfig config;
    private final List<String> attributes;
    private final int[] identifierAttr; // per identifier: index into attributes, or -1
    private final int[] nameAttr; // per touchpoint: index into attributes, or -1
    private final MapRequest.RecordStateGoal goal;

    private final Fingerprints.LongIntMap subjects = new Fingerprints.LongIntMap();
    private final Fingerprints.LongIntMap identifierValues = new Fingerprints.LongIntMap();
    private final Map<String, TypeInfo> typeInfo = new HashMap<>();
    private int keyCount;
    private int[] parent = new int[1024];
    private boolean[] recordSubject = new boolean[1024];
    private String[] subjectOfKey = new String[1024];

    private final EventLog.Builder classes = new EventLog.Builder();
    private final Map<String, Integer> classCache = new HashMap<>();
    private int[] evKey = new int[4096];
    private int[] evClass = new int[4096];
    private long[] evTime = new long[4096];
    private long[] evOrder = new long[4096];
    private int events;
    private final Map<Integer, Long> goalAt = new HashMap<>();

    CustomerPaths(TouchpointConfig config, MapRequest.Goal goal) {
        this.config = config;
        this.attributes = config.attributes();
        this.goal = goal instanceof MapRequest.RecordStateGoal g ? g : null;
        identifierAttr = new int[config.identifiers().size()];
        for (int i = 0; i < identifierAttr.length; i++) {
            String a = config.identifiers().get(i).attribute();
            identifierAttr[i] = a == null ? -1 : attributes.indexOf(a);
        }
        nameAttr = new int[config.touchpoints().size()];
        for (int i = 0; i < nameAttr.length; i++) {
            String a = config.touchpoints().get(i).attribute();
            nameAttr[i] = a == null ? -1 : attributes.indexOf(a);
        }
    }

    /** The store's scan: the types, families and attributes this configuration needs. */
    PathFinderStore.SignalScan scan(boolean recordGoal) {
        List<String> types = new java.util.ArrayList<>();
        List<String> prefixes = new java.util.ArrayList<>();
        boolean any = false;
        for (TouchpointConfig.Touchpoint t : config.touchpoints()) {
            if (t.type().equals("*")) {
                any = true;
            } else if (t.type().endsWith(".*")) {
                prefixes.add(t.type().substring(0, t.type().length() - 1));
            } else {
                types.add(t.type());
            }
        }
        boolean records = recordGoal || config.identifiers().stream().anyMatch(i -> i.field() != null || i.kind().equals("record_id"));
        return new PathFinderStore.SignalScan(types, prefixes, any, attributes, records);
    }

    /** A new union-find node; {@code subject} is the subject it stands for, or null for an identifier value. */
    private int newKey(String subject) {
        int id = keyCount++;
        if (id == parent.length) {
            parent = Arrays.copyOf(parent, id * 2);
            recordSubject = Arrays.copyOf(recordSubject, id * 2);
            subjectOfKey = Arrays.copyOf(subjectOfKey, id * 2);
        }
        parent[id] = id;
        subjectOfKey[id] = subject;
        return id;
    }

    private int subjectKey(String subject) {
        long fp = Fingerprints.of(subject, 0);
        int id = subjects.get(fp);
        if (id < 0) {
            id = newKey(subject);
            subjects.put(fp, id);
        }
        return id;
    }

    private int identifierKey(String kind, String value) {
        // The kind salts the fingerprint: an email and a visitor id that look alike stay apart.
        long fp = Fingerprints.of(value, kind.hashCode() * 0x9E3779B97F4A7C15L);
        int id = identifierValues.get(fp);
        if (id < 0) {
            id = newKey(null);
            identifierValues.put(fp, id);
        }
        return id;
    }

    private int find(int x) {
        while (parent[x] != x) {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        return x;
    }

    private void union(int a, int b) {
        int ra = find(a);
        int rb = find(b);
        if (ra != rb) {
            // Keep the smaller id as the root: deterministic whatever order the rows came in.
            if (ra < rb) {
                parent[rb] = ra;
            } else {
                parent[ra] = rb;
            }
        }
    }

    private void link(int subject, TouchpointConfig.Identifier id, String raw) {
        String v = id.normalise(raw);
        if (v != null) {
            union(subject, identifierKey(id.kind(), v));
        }
    }

    /** What one signal type becomes: its touchpoint, and its event classes by naming value. */
    private static final class TypeInfo {
        final TouchpointConfig.Touchpoint touchpoint;
        final int nameAttr;
        final Map<String, Integer> classByValue = new HashMap<>();
        int plainClass = -1;

        TypeInfo(TouchpointConfig.Touchpoint touchpoint, int nameAttr) {
            this.touchpoint = touchpoint;
            this.nameAttr = nameAttr;
        }
    }

    private TypeInfo typeInfo(String type) {
        TypeInfo info = typeInfo.get(type);
        if (info == null) {
            TouchpointConfig.Touchpoint tp = config.touchpointOf(type);
            info = new TypeInfo(tp, tp == null ? -1 : nameAttr[config.touchpoints().indexOf(tp)]);
            typeInfo.put(type, info);
        }
        return info;
    }

    private int eventClass(TypeInfo info, String type, String value) {
        if (info.nameAttr < 0 || value == null || value.isBlank()) {
            if (info.plainClass < 0) {
                info.plainClass = classOf(info.touchpoint.name(type, null));
            }
            return info.plainClass;
        }
        Integer cls = info.classByValue.get(value);
        if (cls == null) {
            cls = classOf(info.touchpoint.name(type, value));
            info.classByValue.put(value, cls);
        }
        return cls;
    }

    private int classOf(String name) {
        // Two types may share a label: one class per name.
        Integer cls = classCache.get(name);
        if (cls == null) {
            cls = classes.eventClass(name, null);
            classCache.put(name, cls);
        }
        return cls;
    }

    @Override
    public void signal(String subject, String type, long at, long order, String[] attrs) {
        TypeInfo info = typeInfo(type);
        if (info.touchpoint == null) {
            return;
        }
        int s = subjectKey(subject);
        for (int i = 0; i < identifierAttr.length; i++) {
            if (identifierAttr[i] >= 0) {
                link(s, config.identifiers().get(i), attrs[identifierAttr[i]]);
            }
        }
        int cls = eventClass(info, type, info.nameAttr >= 0 ? attrs[info.nameAttr] : null);
        if (events == evKey.length) {
            evKey = Arrays.copyOf(evKey, events * 2);
            evClass = Arrays.copyOf(evClass, events * 2);
            evTime = Arrays.copyOf(evTime, events * 2);
            evOrder = Arrays.copyOf(evOrder, events * 2);
        }
        evKey[events] = s;
        evClass[events] = cls;
        evTime[events] = at;
        evOrder[events] = order;
        events++;
    }

    @Override
    public void recordSignal(String subject, String type, String module, UUID recordId, long at, String payload) {
        int s = subjectKey(subject);
        recordSubject[s] = true;
        if (recordId != null) {
            union(s, identifierKey("record_id", recordId.toString().toLowerCase(java.util.Locale.ROOT)));
        }
        JsonNode p = Json.read(payload);
        if (p.isTextual()) {
            p = Json.read(p.textValue());
        }
        for (TouchpointConfig.Identifier id : config.identifiers()) {
            if (id.field() != null) {
                String v = fieldValue(type, p, id.field());
                if (v != null) {
                    link(s, id, v);
                }
            }
        }
        if (goal != null && goal.module().equals(module)) {
            String v = fieldValue(type, p, goal.field());
            if (v != null && v.equalsIgnoreCase(goal.value())) {
                goalAt.merge(s, at, Math::min);
            }
        }
    }

    /** The value a created record has, or an updated record changed to, in {@code field}. */
    private static String fieldValue(String type, JsonNode payload, String field) {
        if (type.equals("record.created")) {
            JsonNode v = payload.path("fields").get(field);
            return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
        }
        for (JsonNode c : payload.path("changes")) {
            if (field.equals(c.path("field").asText())) {
                JsonNode v = c.get("new");
                return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
            }
        }
        return null;
    }

    /** The customers' paths, and for each case its subjects' keys and when it reached the goal. */
    Result build(Set<String> keepSubjects) {
        // Each customer (root) becomes a case; order cases by their root key (first seen first).
        int[] caseOfRoot = new int[keyCount];
        Arrays.fill(caseOfRoot, -1);
        int[] count = new int[keyCount + 1];
        int cases = 0;
        int[] evCase = new int[events];
        for (int e = 0; e < events; e++) {
            int r = find(evKey[e]);
            if (caseOfRoot[r] < 0) {
                caseOfRoot[r] = cases++;
            }
            evCase[e] = caseOfRoot[r];
            count[evCase[e] + 1]++;
        }
        for (int c = 0; c < cases; c++) {
            count[c + 1] += count[c];
        }
        int[] fill = Arrays.copyOf(count, cases);
        int[] order = new int[events];
        for (int e = 0; e < events; e++) {
            order[fill[evCase[e]]++] = e;
        }
        // Case ids: a record's subject when the customer has one, else the first subject seen.
        String[] caseIds = new String[cases];
        boolean[] fromRecord = new boolean[cases];
        boolean[] keep = keepSubjects == null ? null : new boolean[cases];
        for (int k = 0; k < keyCount; k++) {
            if (subjectOfKey[k] == null) {
                continue;
            }
            int c = caseOfRoot[find(k)];
            if (c < 0) {
                continue;
            }
            if (caseIds[c] == null || (!fromRecord[c] && recordSubject[k])) {
                caseIds[c] = subjectOfKey[k];
                fromRecord[c] = recordSubject[k];
            }
            if (keep != null && keepSubjects.contains(subjectOfKey[k])) {
                keep[c] = true;
            }
        }
        long[] goalTime = new long[cases];
        Arrays.fill(goalTime, Discovery.NEVER);
        for (Map.Entry<Integer, Long> g : goalAt.entrySet()) {
            int c = caseOfRoot[find(g.getKey())];
            if (c >= 0) {
                goalTime[c] = Math.min(goalTime[c], g.getValue());
            }
        }
        // Customers in the order of their first touchpoint: the same map whatever order the scan had.
        for (int c = 0; c < cases; c++) {
            sortByTime(order, count[c], count[c + 1]);
        }
        int[] byFirst = byFirstEvent(order, count, cases);
        EventLog.Builder log = classes;
        boolean[] keepOut = keep == null ? null : new boolean[cases];
        long[] goalOut = new long[cases];
        for (int i = 0; i < cases; i++) {
            int c = byFirst[i];
            log.startCase(caseIds[c]);
            for (int j = count[c]; j < count[c + 1]; j++) {
                log.event(evClass[order[j]], evTime[order[j]]);
            }
            if (keepOut != null) {
                keepOut[i] = keep[c];
            }
            goalOut[i] = goalTime[c];
        }
        return new Result(log.build(), new Discovery.CaseScope(keepOut, goal == null ? null : goalOut));
    }

    /**
     * Cases in the order of their first event (time, then place in the log). A primitive sort
     * of (time offset, case) keys, with ties in time put right by the log order.
     */
    private int[] byFirstEvent(int[] order, int[] count, int cases) {
        int[] out = new int[cases];
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int c = 0; c < cases; c++) {
            long t = evTime[order[count[c]]];
            min = Math.min(min, t);
            max = Math.max(max, t);
        }
        if (cases >= (1 << 22) || (cases > 0 && max - min >= (1L << 41))) {
            Integer[] boxed = new Integer[cases];
            for (int c = 0; c < cases; c++) {
                boxed[c] = c;
            }
            Arrays.sort(boxed, (a, b) -> a.equals(b) ? 0 : before(order[count[a]], order[count[b]]) ? -1 : 1);
            for (int c = 0; c < cases; c++) {
                out[c] = boxed[c];
            }
            return out;
        }
        long[] keys = new long[cases];
        for (int c = 0; c < cases; c++) {
            keys[c] = ((evTime[order[count[c]]] - min) << 22) | c;
        }
        Arrays.sort(keys);
        for (int c = 0; c < cases; c++) {
            out[c] = (int) (keys[c] & ((1 << 22) - 1));
        }
        // Same first time: order by the first event's place in the log (insertion sort per run).
        for (int i = 1; i < cases; i++) {
            int c = out[i];
            int j = i - 1;
            while (j >= 0 && (keys[j] >>> 22) == (keys[i] >>> 22) && before(order[count[c]], order[count[out[j]]])) {
                out[j + 1] = out[j];
                j--;
            }
            out[j + 1] = c;
        }
        return out;
    }

    /** Orders one customer's events by time, then by their place in the log (partition, seq). */
    private void sortByTime(int[] order, int from, int to) {
        int n = to - from;
        if (n > 48) {
            Integer[] idx = new Integer[n];
            for (int j = 0; j < n; j++) {
                idx[j] = order[from + j];
            }
            Arrays.sort(idx, (a, b) -> before(a, b) ? -1 : before(b, a) ? 1 : 0);
            for (int j = 0; j < n; j++) {
                order[from + j] = idx[j];
            }
            return;
        }
        // Most customers have a handful of events: insertion sort, no allocation.
        for (int i = from + 1; i < to; i++) {
            int e = order[i];
            int j = i - 1;
            while (j >= from && before(e, order[j])) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = e;
        }
    }

    private boolean before(int a, int b) {
        return evTime[a] < evTime[b] || (evTime[a] == evTime[b] && evOrder[a] < evOrder[b]);
    }

    record Result(EventLog log, Discovery.CaseScope scope) {
    }
}

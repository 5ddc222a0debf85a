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

    private final Map<String, Integer> keys = new HashMap<>();
    private int[] parent = new int[1024];
    private boolean[] recordSubject = new boolean[1024];
    private String[] subjectOfKey = new String[1024];

    private final EventLog.Builder classes = new EventLog.Builder();
    private final Map<String, Integer> classCache = new HashMap<>();
    private int[] evKey = new int[4096];
    private int[] evClass = new int[4096];
    private long[] evTime = new long[4096];
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

    private int key(String k, String subject) {
        Integer id = keys.get(k);
        if (id == null) {
            id = keys.size();
            keys.put(k, id);
            if (id == parent.length) {
                parent = Arrays.copyOf(parent, id * 2);
                recordSubject = Arrays.copyOf(recordSubject, id * 2);
                subjectOfKey = Arrays.copyOf(subjectOfKey, id * 2);
            }
            parent[id] = id;
            subjectOfKey[id] = subject;
        }
        return id;
    }

    private int subjectKey(String subject) {
        return key("s\u0000" + subject, subject);
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
            union(subject, key(id.kind() + "\u0000" + v, null));
        }
    }

    @Override
    public void signal(String subject, String type, long at, String[] attrs) {
        TouchpointConfig.Touchpoint tp = config.touchpointOf(type);
        if (tp == null) {
            return;
        }
        int s = subjectKey(subject);
        for (int i = 0; i < identifierAttr.length; i++) {
            if (identifierAttr[i] >= 0) {
                link(s, config.identifiers().get(i), attrs[identifierAttr[i]]);
            }
        }
        int ti = config.touchpoints().indexOf(tp);
        String value = nameAttr[ti] >= 0 ? attrs[nameAttr[ti]] : null;
        String name = tp.name(type, value);
        Integer cls = classCache.get(name);
        if (cls == null) {
            cls = classes.eventClass(name, null);
            classCache.put(name, cls);
        }
        if (events == evKey.length) {
            evKey = Arrays.copyOf(evKey, events * 2);
            evClass = Arrays.copyOf(evClass, events * 2);
            evTime = Arrays.copyOf(evTime, events * 2);
        }
        evKey[events] = s;
        evClass[events] = cls;
        evTime[events] = at;
        events++;
    }

    @Override
    public void recordSignal(String subject, String type, String module, UUID recordId, long at, String payload) {
        int s = subjectKey(subject);
        recordSubject[s] = true;
        if (recordId != null) {
            union(s, key("record_id\u0000" + recordId.toString().toLowerCase(java.util.Locale.ROOT), null));
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
        int keyCount = keys.size();
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
        EventLog.Builder log = classes;
        for (int c = 0; c < cases; c++) {
            int from = count[c];
            int to = count[c + 1];
            sortByTime(order, from, to);
            log.startCase(caseIds[c]);
            for (int i = from; i < to; i++) {
                log.event(evClass[order[i]], evTime[order[i]]);
            }
        }
        return new Result(log.build(), new Discovery.CaseScope(keep, goal == null ? null : goalTime));
    }

    private void sortByTime(int[] order, int from, int to) {
        for (int i = from + 1; i < to; i++) {
            if (evTime[order[i - 1]] > evTime[order[i]] || (evTime[order[i - 1]] == evTime[order[i]] && order[i - 1] > order[i])) {
                // Rare: the scan came out of time order for this customer. Sort by (time, arrival).
                Integer[] idx = new Integer[to - from];
                for (int j = from; j < to; j++) {
                    idx[j - from] = order[j];
                }
                Arrays.sort(idx, (a, b) -> evTime[a] != evTime[b] ? Long.compare(evTime[a], evTime[b]) : Integer.compare(a, b));
                for (int j = from; j < to; j++) {
                    order[j] = idx[j - from];
                }
                return;
            }
        }
    }

    record Result(EventLog log, Discovery.CaseScope scope) {
    }
}

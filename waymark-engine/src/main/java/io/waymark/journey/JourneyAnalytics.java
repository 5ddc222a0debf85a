package io.waymark.journey;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Journey analytics, computed from the instances' paths in one ordered pass: per state, how many
 * are in it now, entered, exited, time spent (mean, median, p90 in seconds), where they went next
 * and in what share, drop-offs (failure ends, missed deadlines, ended by an admin); per action,
 * runs, successes and failures; the funnel from entry to each state and end; counts by period.
 */
final class JourneyAnalytics {
    /** Path lines that do not change the state. */
    private static final Set<String> STAYING = Set.of("followed", "stopped");

    private final JourneyStore store;

    JourneyAnalytics(JourneyStore store) {
        this.store = store;
    }

    private static final class StateStats {
        long entered;
        long exited;
        long missedDeadlines;
        long failed;
        long endedByAdmin;
        final List<Long> durations = new ArrayList<>();
        final Map<String, Long> next = new TreeMap<>();
        final Set<UUID> reached = new HashSet<>();
    }

    private static final class Period {
        long started;
        long succeeded;
        long failed;
        long ended;
        long transitions;
    }

    ObjectNode report(UUID orgId, UUID journeyId, Integer version, String granularity, ZoneId zone) {
        if (!Set.of("day", "week", "month").contains(granularity)) {
            throw new ValidationException("Invalid granularity", List.of(new FieldError("granularity", "must be day, week or month")));
        }
        Map<String, StateStats> states = new LinkedHashMap<>();
        Map<String, Period> periods = new TreeMap<>();
        long[] started = {0};
        Map<String, Long> ends = new TreeMap<>();
        UUID[] current = {null};
        String[] state = {null};
        Instant[] since = {null};
        store.forEachStep(orgId, journeyId, version, s -> {
            if (!s.instanceId().equals(current[0])) {
                current[0] = s.instanceId();
                state[0] = null;
                since[0] = null;
            }
            Period p = periods.computeIfAbsent(bucket(s.at(), granularity, zone), k -> new Period());
            if (STAYING.contains(s.kind()) || s.kind().equals("transition") && s.toState().equals(s.fromState())) {
                return;
            }
            if (s.kind().equals("deadline") && s.toState() != null && s.toState().equals(s.fromState())) {
                stats(states, s.toState()).missedDeadlines++;
                return;
            }
            if (s.kind().equals("ended")) {
                if (state[0] != null) {
                    StateStats st = stats(states, state[0]);
                    st.exited++;
                    st.endedByAdmin++;
                    st.durations.add(s.at().getEpochSecond() - since[0].getEpochSecond());
                    st.next.merge("(ended by admin)", 1L, Long::sum);
                }
                p.ended++;
                state[0] = null;
                return;
            }
            if (s.kind().equals("entered")) {
                started[0]++;
                p.started++;
            } else {
                p.transitions++;
            }
            if (state[0] != null) {
                StateStats st = stats(states, state[0]);
                st.exited++;
                st.durations.add(s.at().getEpochSecond() - since[0].getEpochSecond());
                st.next.merge(s.toState(), 1L, Long::sum);
                if (s.kind().equals("deadline")) {
                    st.missedDeadlines++;
                }
            }
            StateStats to = stats(states, s.toState());
            to.entered++;
            to.reached.add(s.instanceId());
            state[0] = s.toState();
            since[0] = s.at();
        });
        // End states are known from the definitions of the versions reported on.
        Map<String, String> endKinds = new HashMap<>();
        for (JourneyStore.StoredVersion v : store.versions(orgId, journeyId)) {
            if (version != null && v.version() != version) {
                continue;
            }
            for (var n : v.definition().path("states")) {
                if (n.hasNonNull("end")) {
                    endKinds.put(n.path("key").asText(), n.get("end").asText());
                }
                states.computeIfAbsent(n.path("key").asText(), k -> new StateStats());
            }
        }
        Map<String, Long> now = new HashMap<>();
        store.activeCounts(orgId, journeyId).forEach((v, m) -> {
            if (version == null || v.equals(version)) {
                m.forEach((k, c) -> now.merge(k, c, Long::sum));
            }
        });
        for (Map.Entry<String, StateStats> e : states.entrySet()) {
            for (Map.Entry<String, Long> n : e.getValue().next.entrySet()) {
                if ("failure".equals(endKinds.get(n.getKey()))) {
                    e.getValue().failed += n.getValue();
                }
            }
        }
        ObjectNode o = Json.object();
        o.put("journey_id", journeyId.toString());
        if (version != null) {
            o.put("version", version);
        }
        o.put("started", started[0]);
        o.put("active", now.values().stream().mapToLong(Long::longValue).sum());
        ArrayNode sa = o.putArray("states");
        for (Map.Entry<String, StateStats> e : states.entrySet()) {
            StateStats st = e.getValue();
            ObjectNode so = sa.addObject();
            so.put("state", e.getKey());
            if (endKinds.containsKey(e.getKey())) {
                so.put("end", endKinds.get(e.getKey()));
            }
            so.put("now", now.getOrDefault(e.getKey(), 0L)).put("entered", st.entered).put("exited", st.exited);
            ObjectNode time = so.putObject("time_in_state_seconds");
            List<Long> d = st.durations;
            Collections.sort(d);
            time.put("count", d.size());
            if (d.isEmpty()) {
                time.putNull("mean").putNull("median").putNull("p90");
            } else {
                time.put("mean", d.stream().mapToLong(Long::longValue).average().orElse(0));
                time.put("median", d.size() % 2 == 1 ? d.get(d.size() / 2) : (d.get(d.size() / 2 - 1) + d.get(d.size() / 2)) / 2.0);
                time.put("p90", d.get((int) Math.ceil(0.9 * d.size()) - 1));
            }
            ArrayNode next = so.putArray("next");
            for (Map.Entry<String, Long> n : st.next.entrySet()) {
                next.addObject().put("state", n.getKey()).put("count", n.getValue())
                        .put("share", st.exited == 0 ? 0 : Math.round(10_000.0 * n.getValue() / st.exited) / 10_000.0);
            }
            ObjectNode drop = so.putObject("drop_offs");
            drop.put("failure_ends", st.failed).put("missed_deadlines", st.missedDeadlines).put("ended_by_admin", st.endedByAdmin);
        }
        ArrayNode funnel = o.putArray("funnel");
        for (Map.Entry<String, StateStats> e : states.entrySet()) {
            long reached = e.getValue().reached.size();
            ObjectNode f = funnel.addObject().put("state", e.getKey()).put("reached", reached)
                    .put("share_of_started", started[0] == 0 ? 0 : Math.round(10_000.0 * reached / started[0]) / 10_000.0);
            if (endKinds.containsKey(e.getKey())) {
                f.put("end", endKinds.get(e.getKey()));
            }
        }
        ArrayNode acts = o.putArray("actions");
        for (JourneyStore.ActionStats a : store.actionStats(orgId, journeyId)) {
            if (version != null && a.version() != version) {
                continue;
            }
            acts.addObject().put("version", a.version()).put("key", a.actionKey()).put("type", a.actionType()).put("runs", a.runs())
                    .put("succeeded", a.succeeded()).put("failed", a.failed()).put("pending", a.runs() - a.succeeded() - a.failed());
        }
        ArrayNode trend = o.putArray("trend");
        o.put("granularity", granularity);
        for (Map.Entry<String, Period> e : periods.entrySet()) {
            trend.addObject().put("period", e.getKey()).put("started", e.getValue().started).put("transitions", e.getValue().transitions)
                    .put("ended_by_admin", e.getValue().ended);
        }
        // Successes and failures per period come from the end states entered.
        Map<String, long[]> outcome = new TreeMap<>();
        store.forEachStep(orgId, journeyId, version, s -> {
            String kind = endKinds.get(s.toState());
            if (kind != null && !STAYING.contains(s.kind()) && !s.kind().equals("ended") && !s.toState().equals(s.fromState())) {
                long[] c = outcome.computeIfAbsent(bucket(s.at(), granularity, zone), k -> new long[2]);
                c[kind.equals("success") ? 0 : 1]++;
                ends.merge(s.toState(), 1L, Long::sum);
            }
        });
        for (var t : trend) {
            long[] c = outcome.getOrDefault(t.get("period").asText(), new long[2]);
            ((ObjectNode) t).put("succeeded", c[0]).put("failed", c[1]);
        }
        ObjectNode endsNode = o.putObject("ends");
        ends.forEach((k, v) -> endsNode.putObject(k).put("kind", endKinds.get(k)).put("count", v)
                .put("share_of_started", started[0] == 0 ? 0 : Math.round(10_000.0 * v / started[0]) / 10_000.0));
        return o;
    }

    private static StateStats stats(Map<String, StateStats> states, String key) {
        return states.computeIfAbsent(key, k -> new StateStats());
    }

    private static String bucket(Instant at, String granularity, ZoneId zone) {
        LocalDate d = at.atZone(zone).toLocalDate();
        return switch (granularity) {
            case "week" -> d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).toString();
            case "month" -> d.withDayOfMonth(1).toString().substring(0, 7);
            default -> d.toString();
        };
    }
}

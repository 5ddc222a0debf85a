package io.waymark.jobs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.approval.Approvals;
import io.waymark.blueprint.Blueprints;
import io.waymark.criteria.CompactCriteria;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.identity.ModuleAction;
import io.waymark.identity.Access;
import io.waymark.json.Json;
import io.waymark.record.FieldValues;
import io.waymark.record.Record;
import io.waymark.record.Records;
import io.waymark.review.Reviews;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What waits on the calling user, in one list: approval requests whose current step they can
 * answer, records under review that they review, blueprint transitions they may run now (plain and parallel), and their open tasks —
 * with a count per kind. Filters: {@code kind} and {@code module}. Each kind looks at its
 * {@link #SCAN} oldest items at most, so a huge backlog answers quickly (the counts then say "at
 * least").
 */
public final class MyJobs {
    /** How many pending items of each kind are looked at. */
    public static final int SCAN = 1_000;
    public static final Set<String> KINDS = Set.of("approval", "review", "blueprint_transition", "parallel_transition", "task");

    private final Approvals approvals;
    private final Blueprints blueprints;
    private final Reviews reviews;
    private final Records records;
    private final Access access;

    /** {@code reviews} may be null: an engine without a review store lists no reviews. */
    public MyJobs(Approvals approvals, Blueprints blueprints, Reviews reviews, Records records, Access access) {
        this.approvals = approvals;
        this.blueprints = blueprints;
        this.reviews = reviews;
        this.records = records;
        this.access = access;
    }

    /** The jobs of the calling user; {@code kind} and {@code module} may be null (all). */
    public ObjectNode list(Actor actor, String kind, String module) {
        if (kind != null && !KINDS.contains(kind)) {
            throw new ValidationException("Invalid kind", List.of(new FieldError("kind", "must be one of " + new java.util.TreeSet<>(KINDS))));
        }
        if (module != null) {
            records.module(actor, module);
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        KINDS.stream().sorted().forEach(k -> counts.put(k, 0));
        List<ObjectNode> items = new ArrayList<>();
        if (kind == null || kind.equals("approval")) {
            for (Approvals.Waiting w : approvals.waitingOn(actor, module, SCAN)) {
                ObjectNode o = item("approval", w.module(), w.recordId().toString(), w.since().toString());
                o.put("request_id", w.requestId().toString());
                o.put("process", w.process());
                o.put("step", w.step());
                items.add(o);
            }
        }
        if ((kind == null || kind.equals("review")) && reviews != null) {
            for (Reviews.Waiting w : reviews.waitingOn(actor, module, SCAN)) {
                ObjectNode o = item("review", w.module(), w.recordId().toString(), w.since().toString());
                o.put("review_id", w.reviewId().toString());
                o.put("process", w.process());
                o.put("round", w.round());
                items.add(o);
            }
        }
        if (kind == null || kind.startsWith("blueprint") || kind.startsWith("parallel")) {
            for (Blueprints.OpenTransition t : blueprints.openTransitions(actor, module, SCAN)) {
                String k = t.parallel() == null ? "blueprint_transition" : "parallel_transition";
                if (kind != null && !kind.equals(k)) {
                    continue;
                }
                ObjectNode o = item(k, t.module(), t.recordId().toString(), t.since().toString());
                o.put("subject", t.subject());
                o.put("blueprint", t.blueprint());
                o.put("state", t.state());
                o.put("transition", t.transition());
                if (t.parallel() != null) {
                    o.put("parallel", t.parallel());
                }
                items.add(o);
            }
        }
        if ((kind == null || kind.equals("task")) && (module == null || module.equals("Tasks"))
                && access.allows(actor, "Tasks", ModuleAction.VIEW)) {
            var open = CompactCriteria.parse("(Owner:equals:" + actor.userId() + ")and(Status:not_equals:Completed)");
            for (Record r : records.list(actor, "Tasks", open, "Due_Date", SCAN, null).records()) {
                ObjectNode o = item("task", "Tasks", r.id().toString(), r.createdAt().toString());
                o.put("subject", String.valueOf(r.values().get("Subject")));
                o.set("due_date", FieldValues.toJson(r.values().get("Due_Date")));
                items.add(o);
            }
        }
        items.forEach(i -> counts.merge(i.get("kind").asText(), 1, Integer::sum));
        ObjectNode out = Json.object();
        ObjectNode c = out.putObject("counts");
        counts.forEach(c::put);
        c.put("total", items.size());
        ArrayNode data = out.putArray("data");
        items.forEach(data::add);
        return out;
    }

    private static ObjectNode item(String kind, String module, String recordId, String since) {
        ObjectNode o = Json.object();
        o.put("kind", kind);
        o.put("module", module);
        o.put("record_id", recordId);
        o.put("since", since);
        return o;
    }
}

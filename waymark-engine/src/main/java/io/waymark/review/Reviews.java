package io.waymark.review;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.error.ConflictException;
import io.waymark.error.FieldError;
import io.waymark.error.ForbiddenException;
import io.waymark.error.NotFoundException;
import io.waymark.error.ValidationException;
import io.waymark.identity.Access;
import io.waymark.identity.Capability;
import io.waymark.identity.UserDirectory;
import io.waymark.json.Json;
import io.waymark.json.OrderedDefinitions;
import io.waymark.record.CreationSource;
import io.waymark.record.FieldValues;
import io.waymark.record.Metadata;
import io.waymark.record.Module;
import io.waymark.record.ModuleCatalog;
import io.waymark.record.Record;
import io.waymark.record.RecordGuard;
import io.waymark.record.RecordHold;
import io.waymark.record.Records;
import io.waymark.signal.NewSignal;
import io.waymark.signal.SignalStore;
import io.waymark.tx.Transactor;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Review processes ({@link ReviewProcess}) and the reviews of records.
 *
 * <p><b>Intake.</b> When records are created, the first active process of their module (by
 * position) whose {@code sources} include the door they came in through ({@link CreationSource})
 * and whose criteria they match holds each of them: a review is opened in the create transaction
 * and {@code review.submitted} is appended. The submitter is the creating user, or the record
 * owner when an automation or a public form created it.
 *
 * <p><b>Held.</b> A record whose review is pending or rejected is held ({@link RecordHold}): no
 * workflow rule, approval, blueprint, cadence or journey acts on its creation or its changes.
 * While pending, nobody may change or delete it (409 naming the review). While rejected, only the
 * submitter may change it (correct it), then resubmit it: a new round of the same review.
 *
 * <p><b>Decision.</b> A reviewer (a user the process names, a user of a role it names or a member
 * of a group it names, resolved when each round starts; a deactivated user is dropped) or a holder
 * of {@code manage_reviews} gives a verdict per field: {@code accepted} or {@code rejected} with a
 * reason; a field under review that is not named is accepted. Any rejected field rejects the
 * record ({@code review.rejected}); otherwise it is accepted ({@code review.accepted}) and
 * released: {@code record.review_accepted} is appended and the automations run as if the record
 * had just been created, as its submitter. Every step is in the review's log.
 */
public final class Reviews {
    private static final long CACHE_NANOS = 2_000_000_000L;
    private static final Set<String> VERDICTS = Set.of("accepted", "rejected");

    private final ReviewStore store;
    private final Metadata metadata;
    private final Records records;
    private final SignalStore signals;
    private final Access access;
    private final UserDirectory users;
    private final Transactor tx;
    private final Clock clock;
    private final Runnable wake;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(long loadedAt, long catalogVersion, List<Loaded> processes) {
    }

    private record Loaded(ReviewStore.StoredProcess stored, ReviewProcess process) {
    }

    public Reviews(ReviewStore store, Metadata metadata, Records records, SignalStore signals, Access access, UserDirectory users, Transactor tx,
                   Clock clock, Runnable wake) {
        this.store = store;
        this.metadata = metadata;
        this.records = records;
        this.signals = signals;
        this.access = access;
        this.users = users;
        this.tx = tx;
        this.clock = clock;
        this.wake = wake;
    }

    // ------------------------------------------------------------------ definitions

    public ObjectNode create(Actor actor, JsonNode body) {
        access.require(actor, Capability.MANAGE_REVIEWS);
        OrderedDefinitions.requireObject(body);
        ObjectNode def = OrderedDefinitions.flowPart(body);
        ReviewProcess p = ReviewProcess.parse(metadata.catalog(actor.orgId()), def);
        int position = OrderedDefinitions.position(body, store.processes(actor.orgId(), p.module()).stream()
                .mapToInt(ReviewStore.StoredProcess::position).max().orElse(0) + 1);
        boolean active = OrderedDefinitions.bool(body, "active", true);
        Instant now = clock.instant();
        ReviewStore.StoredProcess s = new ReviewStore.StoredProcess(Ids.next(clock), actor.orgId(), p.module(), position, active, p.json(), 1, now, now);
        tx.run(() -> store.insertProcess(s));
        cache.remove(actor.orgId() + "/" + p.module());
        return json(s);
    }

    /** Changes a process; reviews already open keep their reviewers until their next round. */
    public ObjectNode update(Actor actor, UUID id, JsonNode body) {
        access.require(actor, Capability.MANAGE_REVIEWS);
        OrderedDefinitions.requireObject(body);
        ReviewStore.StoredProcess current = store.process(actor.orgId(), id).orElseThrow(() -> notFound(id));
        ObjectNode merged = OrderedDefinitions.changed(current.definition(), current.module(), current.revision(), body,
                "Review process " + id, "process");
        ReviewProcess p = ReviewProcess.parse(metadata.catalog(actor.orgId()), merged);
        ReviewStore.StoredProcess next = new ReviewStore.StoredProcess(id, actor.orgId(), current.module(), OrderedDefinitions.position(body, current.position()),
                OrderedDefinitions.bool(body, "active", current.active()), p.json(), current.revision() + 1, current.createdAt(), clock.instant());
        tx.run(() -> {
            if (!store.updateProcess(next, current.revision())) {
                throw new ConflictException("Review process " + id + " was changed by someone else; read it again and retry");
            }
        });
        cache.remove(actor.orgId() + "/" + current.module());
        return json(next);
    }

    public ObjectNode get(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_REVIEWS);
        return json(store.process(actor.orgId(), id).orElseThrow(() -> notFound(id)));
    }

    public List<ObjectNode> list(Actor actor, String module) {
        access.require(actor, Capability.MANAGE_REVIEWS);
        if (module != null) {
            metadata.catalog(actor.orgId()).get(module);
        }
        return store.processes(actor.orgId(), module).stream().map(Reviews::json).toList();
    }

    /** Deletes a process; refused (409) while it still holds records — decide those first, or switch it off. */
    public void delete(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_REVIEWS);
        ReviewStore.StoredProcess p = store.process(actor.orgId(), id).orElseThrow(() -> notFound(id));
        tx.run(() -> {
            if (store.holding(actor.orgId(), id)) {
                throw new ConflictException("Review process " + id + " still holds records under review; decide them first, or switch it off");
            }
            store.deleteProcess(actor.orgId(), id);
        });
        cache.remove(actor.orgId() + "/" + p.module());
    }

    // ------------------------------------------------------------------ reviews

    /** A review, for those involved: its reviewers, its submitter, whoever can see the record, or a reviews manager. */
    public ObjectNode review(Actor actor, UUID id) {
        return reviewJson(readable(actor, id));
    }

    /** The review of a record with its whole log (needs permission to see the record); 404 when it was never held. */
    public ObjectNode ofRecord(Actor actor, String module, UUID recordId) {
        Record r = records.get(actor, module, recordId);
        return reviewJson(store.ofRecord(actor.orgId(), r.id())
                .orElseThrow(() -> new NotFoundException("Record " + recordId + " was never held for review")));
    }

    /**
     * The reviews with a status ({@code pending} when null) that the caller may decide — or, for a
     * holder of {@code manage_reviews}, all of them; of one module when given; oldest first.
     */
    public List<ObjectNode> list(Actor actor, String status, String module, int limit) {
        String st = status == null ? "pending" : status;
        if (!Set.of("pending", "rejected", "accepted", "withdrawn").contains(st)) {
            throw new ValidationException("Invalid status", List.of(new FieldError("status", "must be pending, rejected, accepted or withdrawn")));
        }
        if (limit < 1 || limit > 1000) {
            throw new ValidationException("Invalid limit", List.of(new FieldError("limit", "must be a whole number between 1 and 1000")));
        }
        if (module != null) {
            records.module(actor, module);
        }
        boolean manager = access.has(actor, Capability.MANAGE_REVIEWS);
        List<ObjectNode> out = new ArrayList<>();
        for (ReviewStore.Review r : store.withStatus(actor.orgId(), st, module, manager ? limit : Math.max(limit, 1_000))) {
            if (manager || reviewerOf(actor, r) || actor.userId().equals(r.submitter())) {
                out.add(reviewJson(r));
                if (out.size() >= limit) {
                    break;
                }
            }
        }
        return out;
    }

    /** A review waiting on a user (for My Jobs). */
    public record Waiting(UUID reviewId, String process, String module, UUID recordId, int round, Instant since) {
    }

    /** The pending reviews the user is a reviewer of (oldest first; at most {@code limit} pending reviews looked at). */
    public List<Waiting> waitingOn(Actor actor, String module, int limit) {
        List<Waiting> out = new ArrayList<>();
        for (ReviewStore.Review r : store.withStatus(actor.orgId(), "pending", module, limit)) {
            if (reviewerOf(actor, r)) {
                out.add(new Waiting(r.id(), r.detail().path("process").asText(), r.module(), r.recordId(), r.detail().path("round").asInt(),
                        r.modifiedAt()));
            }
        }
        return out;
    }

    /**
     * Decides a pending review: {@code {"verdicts": {"Email": {"verdict": "rejected", "reason": "…"},
     * "Phone": {"verdict": "accepted"}}, "comment": "…"}}. Any rejected field rejects the record;
     * fields under review that are not named are accepted.
     */
    public ObjectNode decide(Actor actor, UUID id, JsonNode body) {
        ReviewStore.Review r = readable(actor, id);
        if (!reviewerOf(actor, r) && !access.has(actor, Capability.MANAGE_REVIEWS)) {
            throw new ForbiddenException("You are not a reviewer of this record");
        }
        if (!r.status().equals("pending")) {
            throw new ConflictException("The record is not under review: its review is " + r.status());
        }
        List<String> underReview = new ArrayList<>();
        r.detail().path("fields").forEach(f -> underReview.add(f.asText()));
        List<FieldError> errors = new ArrayList<>();
        OrderedDefinitions.requireObject(body);
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!Set.of("verdicts", "comment").contains(k)) {
                errors.add(new FieldError(k, "unknown property; expected verdicts or comment"));
            }
        }
        JsonNode vs = body.get("verdicts");
        ObjectNode verdicts = Json.object();
        boolean rejected = false;
        if (vs != null && !vs.isNull() && !vs.isObject()) {
            errors.add(new FieldError("verdicts", "must be an object: field name to {verdict, reason}"));
        } else if (vs != null && vs.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = vs.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String path = "verdicts." + e.getKey();
                JsonNode v = e.getValue();
                if (!underReview.contains(e.getKey())) {
                    errors.add(new FieldError(path, "is not a field under review; those are " + underReview));
                    continue;
                }
                String verdict = v.path("verdict").isTextual() ? v.get("verdict").textValue() : null;
                if (!v.isObject() || verdict == null || !VERDICTS.contains(verdict)) {
                    errors.add(new FieldError(path + ".verdict", "must be accepted or rejected"));
                    continue;
                }
                JsonNode reason = v.get("reason");
                if (reason != null && !reason.isNull() && (!reason.isTextual() || reason.textValue().length() > 2000)) {
                    errors.add(new FieldError(path + ".reason", "must be text of at most 2000 characters"));
                    continue;
                }
                if (verdict.equals("rejected") && (reason == null || !reason.isTextual() || reason.textValue().isBlank())) {
                    errors.add(new FieldError(path + ".reason", "is required when rejecting a field: say what to correct"));
                    continue;
                }
                ObjectNode o = verdicts.putObject(e.getKey()).put("verdict", verdict);
                if (reason != null && reason.isTextual()) {
                    o.put("reason", reason.textValue());
                }
                rejected |= verdict.equals("rejected");
            }
        }
        String comment = comment(body, errors);
        if (!errors.isEmpty()) {
            throw new ValidationException(errors.size() == 1 ? errors.get(0).field() + " " + errors.get(0).message()
                    : errors.size() + " properties are invalid", errors);
        }
        for (String f : underReview) {
            if (!verdicts.has(f)) {
                verdicts.putObject(f).put("verdict", "accepted");
            }
        }
        String outcome = rejected ? "rejected" : "accepted";
        ObjectNode detail = r.detail().deepCopy();
        ObjectNode entry = log(detail, outcome, actor.userId(), comment);
        entry.set("verdicts", verdicts);
        boolean accept = !rejected;
        tx.run(() -> {
            save(r, outcome, detail);
            Record record = records.findForSignal(r.orgId(), r.module(), r.recordId());
            ObjectNode payload = signalPayload(r, detail).put("decided_by", actor.userId().toString());
            payload.set("verdicts", verdicts);
            if (comment != null) {
                payload.put("comment", comment);
            }
            append(r, record, "review." + outcome, payload);
            if (accept && record != null) {
                Actor submitter = new Actor(r.orgId(), r.submitter() == null ? Actor.SYSTEM_USER : r.submitter());
                records.release(submitter, record, Json.object().put("source", r.source()).put("review_id", r.id().toString()));
            }
        });
        wake.run();
        return reviewJson(store.review(actor.orgId(), id).orElseThrow());
    }

    /** The submitter (or a reviews manager) sends a corrected, rejected record back for review: a new round. */
    public ObjectNode resubmit(Actor actor, UUID id, JsonNode body) {
        ReviewStore.Review r = readable(actor, id);
        if (!actor.userId().equals(r.submitter()) && !access.has(actor, Capability.MANAGE_REVIEWS)) {
            throw new ForbiddenException("Only the submitter may resubmit this record");
        }
        if (!r.status().equals("rejected")) {
            throw new ConflictException("Only a rejected record can be resubmitted: its review is " + r.status());
        }
        List<FieldError> errors = new ArrayList<>();
        String comment = comment(body, errors);
        if (!errors.isEmpty()) {
            throw new ValidationException(errors.get(0).field() + " " + errors.get(0).message(), errors);
        }
        ReviewStore.StoredProcess sp = store.process(r.orgId(), r.processId()).orElse(null);
        ObjectNode detail = r.detail().deepCopy();
        int round = detail.path("round").asInt() + 1;
        detail.put("round", round);
        if (sp != null) {
            detail.set("reviewers", reviewers(r.orgId(), ReviewProcess.parse(metadata.catalog(r.orgId()), sp.definition())));
        }
        log(detail, "resubmitted", actor.userId(), comment).put("round", round);
        tx.run(() -> {
            save(r, "pending", detail);
            Record record = records.findForSignal(r.orgId(), r.module(), r.recordId());
            append(r, record, "review.submitted", signalPayload(r, detail).put("resubmitted", true));
        });
        wake.run();
        return reviewJson(store.review(actor.orgId(), id).orElseThrow());
    }

    // ------------------------------------------------------------------ the hold and the guard

    /** The hold that opens reviews on create; register it with {@link Records#hold}. */
    public RecordHold hold() {
        return new RecordHold() {
            @Override
            public Intake intake(Actor actor, Module module, List<Record> list, CreationSource source) {
                List<Loaded> processes = loaded(actor.orgId(), module.apiName());
                if (processes.isEmpty()) {
                    return Intake.NONE;
                }
                Instant now = clock.instant();
                var zone = users.timeZone(actor.orgId());
                Set<UUID> held = new HashSet<>();
                List<ReviewStore.Review> opened = new ArrayList<>();
                List<NewSignal> news = new ArrayList<>();
                for (Record rec : list) {
                    for (Loaded l : processes) {
                        ReviewProcess p = l.process();
                        if (!p.sources().contains(source) || (p.criteria() != null && !p.criteria().matches(rec, null, now, zone))) {
                            continue;
                        }
                        UUID submitter = actor.isSystem() ? rec.owner() : actor.userId();
                        ObjectNode detail = Json.object();
                        detail.put("process", p.name());
                        detail.put("round", 1);
                        detail.set("reviewers", reviewers(actor.orgId(), p));
                        ArrayNode fields = detail.putArray("fields");
                        if (p.fields().isEmpty()) {
                            module.visibleFields().stream().filter(f -> rec.values().get(f.apiName()) != null).forEach(f -> fields.add(f.apiName()));
                        } else {
                            p.fields().forEach(fields::add);
                        }
                        log(detail, "submitted", submitter, null).put("round", 1).put("source", source.apiName());
                        ReviewStore.Review r = new ReviewStore.Review(Ids.next(clock), actor.orgId(), l.stored().id(), module.apiName(), rec.id(),
                                "pending", submitter, source.apiName(), detail, 1, now, now);
                        opened.add(r);
                        held.add(rec.id());
                        news.add(new NewSignal(Ids.next(clock), actor.orgId(), "review.submitted", rec.subject(), module.apiName(), rec.id(),
                                signalPayload(r, detail), now, actor.userId()));
                        break;
                    }
                }
                if (!opened.isEmpty()) {
                    store.insertReviews(opened);
                }
                return new Intake(held, news);
            }

            @Override
            public Set<UUID> held(UUID orgId, Collection<UUID> ids) {
                return store.held(orgId, ids);
            }
        };
    }

    /** The guard that refuses changes to a record under review (anyone's while pending; all but the submitter's while rejected). */
    public RecordGuard guard() {
        return new RecordGuard() {
            @Override
            public void checkUpdate(Actor actor, Module module, Record before, Record after) {
                ReviewStore.Review r = store.ofRecord(actor.orgId(), after.id()).orElse(null);
                if (r == null) {
                    return;
                }
                if (r.status().equals("pending")) {
                    throw new ConflictException("The record is under review ('" + r.detail().path("process").asText() + "', review " + r.id()
                            + "): it cannot change until a reviewer accepts or rejects it",
                            changed(module, before, after, "is locked while the record is under review"));
                }
                if (r.status().equals("rejected") && Boolean.TRUE.equals(after.values().get("Is_Converted"))
                        && !Boolean.TRUE.equals(before.values().get("Is_Converted"))) {
                    throw new ConflictException("The lead was rejected in review (review " + r.id() + "): correct it, resubmit it and convert it once accepted");
                }
                if (r.status().equals("rejected") && !actor.userId().equals(r.submitter())) {
                    throw new ConflictException("The record was rejected in review (review " + r.id() + "): only its submitter may correct it",
                            changed(module, before, after, "only the submitter may correct a rejected record"));
                }
            }

            @Override
            public java.util.Map<Integer, RuntimeException> refusals(Actor actor, Module module, List<Record> before, List<Record> after) {
                // Only a pending or rejected review can refuse a change: one query finds which of
                // the records have one, and only those are checked one by one.
                java.util.Map<Integer, RuntimeException> out = new java.util.HashMap<>();
                if (after.isEmpty()) {
                    return out;
                }
                Set<UUID> ids = new HashSet<>();
                after.forEach(r -> ids.add(r.id()));
                Set<UUID> held = store.held(actor.orgId(), ids);
                if (held.isEmpty()) {
                    return out;
                }
                for (int i = 0; i < after.size(); i++) {
                    if (!held.contains(after.get(i).id())) {
                        continue;
                    }
                    try {
                        checkUpdate(actor, module, before.get(i), after.get(i));
                    } catch (io.waymark.error.WaymarkException e) {
                        out.put(i, e);
                    }
                }
                return out;
            }

            @Override
            public void checkDelete(Actor actor, Module module, Record current) {
                ReviewStore.Review r = store.ofRecord(actor.orgId(), current.id()).orElse(null);
                if (r != null && r.status().equals("pending")) {
                    throw new ConflictException("The record is under review (review " + r.id() + "): it cannot be deleted until it is decided");
                }
            }

            @Override
            public void deleted(Actor actor, Module module, Record record) {
                ReviewStore.Review r = store.ofRecord(actor.orgId(), record.id()).orElse(null);
                if (r != null && r.status().equals("rejected")) {
                    ObjectNode detail = r.detail().deepCopy();
                    log(detail, "withdrawn", actor.userId(), "the record was deleted");
                    save(r, "withdrawn", detail);
                }
            }
        };
    }

    private static List<FieldError> changed(Module module, Record before, Record after, String message) {
        List<FieldError> out = new ArrayList<>();
        for (var f : module.visibleFields()) {
            if (!FieldValues.same(before.values().get(f.apiName()), after.values().get(f.apiName()))) {
                out.add(new FieldError(f.apiName(), message));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ helpers

    /** The users who review a round: the process's users, the users of its roles and the members of its groups, active ones only. */
    private ArrayNode reviewers(UUID orgId, ReviewProcess p) {
        Set<UUID> resolved = new LinkedHashSet<>();
        for (ReviewProcess.Reviewer rv : p.reviewers()) {
            switch (rv.type()) {
                case "user" -> resolved.add(rv.id());
                case "role" -> resolved.addAll(access.usersInRole(orgId, rv.id()));
                default -> resolved.addAll(access.members(orgId, rv.id()));
            }
        }
        ArrayNode out = Json.MAPPER.createArrayNode();
        resolved.stream().filter(u -> access.isActive(orgId, u)).forEach(u -> out.add(u.toString()));
        return out;
    }

    private boolean reviewerOf(Actor actor, ReviewStore.Review r) {
        for (JsonNode u : r.detail().path("reviewers")) {
            if (u.asText().equals(actor.userId().toString())) {
                return access.isActive(r.orgId(), actor.userId());
            }
        }
        return false;
    }

    private ReviewStore.Review readable(Actor actor, UUID id) {
        ReviewStore.Review r = store.review(actor.orgId(), id).orElseThrow(() -> reviewNotFound(id));
        if (!reviewerOf(actor, r) && !actor.userId().equals(r.submitter()) && !access.has(actor, Capability.MANAGE_REVIEWS)
                && records.visible(actor, r.module(), r.recordId()) == null) {
            throw reviewNotFound(id);
        }
        return r;
    }

    private static String comment(JsonNode body, List<FieldError> errors) {
        JsonNode c = body == null || !body.isObject() ? null : body.get("comment");
        if (c != null && !c.isNull() && (!c.isTextual() || c.textValue().length() > 2000)) {
            errors.add(new FieldError("comment", "must be text of at most 2000 characters"));
            return null;
        }
        return c == null || c.isNull() ? null : c.textValue();
    }

    private void save(ReviewStore.Review r, String status, ObjectNode detail) {
        ReviewStore.Review next = new ReviewStore.Review(r.id(), r.orgId(), r.processId(), r.module(), r.recordId(), status, r.submitter(), r.source(),
                detail, r.revision() + 1, r.createdAt(), clock.instant());
        tx.run(() -> {
            if (!store.updateReview(next, r.revision())) {
                throw new ConflictException("The review was changed by someone else meanwhile; read it again and retry");
            }
        });
    }

    private ObjectNode log(ObjectNode detail, String event, UUID user, String comment) {
        ObjectNode l = detail.withArray("log").addObject();
        l.put("event", event);
        l.put("user", user == null ? null : user.toString());
        if (comment != null) {
            l.put("comment", comment);
        }
        l.put("at", clock.instant().toString());
        return l;
    }

    private static ObjectNode signalPayload(ReviewStore.Review r, ObjectNode detail) {
        return Json.object().put("review_id", r.id().toString()).put("process", detail.path("process").asText()).put("round", detail.path("round").asInt())
                .put("source", r.source()).put("submitter", r.submitter() == null ? null : r.submitter().toString());
    }

    private void append(ReviewStore.Review r, Record record, String type, ObjectNode payload) {
        String subject = record == null ? r.recordId().toString() : record.subject();
        signals.append(List.of(new NewSignal(Ids.next(clock), r.orgId(), type, subject, r.module(), r.recordId(), payload, clock.instant(),
                null)));
    }

    private List<Loaded> loaded(UUID orgId, String module) {
        ModuleCatalog catalog = metadata.catalog(orgId);
        String key = orgId + "/" + module;
        Cached c = cache.get(key);
        long now = System.nanoTime();
        if (c != null && c.catalogVersion == catalog.version() && now - c.loadedAt < CACHE_NANOS) {
            return c.processes;
        }
        List<Loaded> list = new ArrayList<>();
        for (ReviewStore.StoredProcess s : store.processes(orgId, module)) {
            if (s.active()) {
                list.add(new Loaded(s, ReviewProcess.parse(catalog, s.definition())));
            }
        }
        cache.put(key, new Cached(now, catalog.version(), List.copyOf(list)));
        return list;
    }

    private static ObjectNode reviewJson(ReviewStore.Review r) {
        ObjectNode o = Json.object();
        o.put("id", r.id().toString());
        o.put("process_id", r.processId().toString());
        o.put("process", r.detail().path("process").asText());
        o.put("module", r.module());
        o.put("record_id", r.recordId().toString());
        o.put("status", r.status());
        o.put("held", r.status().equals("pending") || r.status().equals("rejected"));
        o.put("round", r.detail().path("round").asInt());
        o.put("source", r.source());
        o.put("submitter", r.submitter() == null ? null : r.submitter().toString());
        o.set("reviewers", r.detail().path("reviewers").deepCopy());
        o.set("fields", r.detail().path("fields").deepCopy());
        JsonNode last = null;
        for (JsonNode l : r.detail().path("log")) {
            if (l.has("verdicts")) {
                last = l.get("verdicts");
            }
        }
        o.set("verdicts", last == null ? Json.object() : last.deepCopy());
        o.set("log", r.detail().path("log").deepCopy());
        o.put("created_at", r.createdAt().toString());
        o.put("modified_at", r.modifiedAt().toString());
        return o;
    }

    private static ObjectNode json(ReviewStore.StoredProcess s) {
        ObjectNode o = Json.object();
        o.put("id", s.id().toString());
        o.setAll(s.definition());
        o.put("position", s.position());
        o.put("active", s.active());
        o.put("revision", s.revision());
        o.put("created_at", s.createdAt().toString());
        o.put("modified_at", s.modifiedAt().toString());
        return o;
    }

    private static NotFoundException notFound(UUID id) {
        return new NotFoundException("No review process has id " + id);
    }

    private static NotFoundException reviewNotFound(UUID id) {
        return new NotFoundException("No review has id " + id);
    }
}

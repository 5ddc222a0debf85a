package io.waymark.cadence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.action.ActionCatalog;
import io.waymark.action.ActionDefinition;
import io.waymark.action.Outbox;
import io.waymark.error.ConflictException;
import io.waymark.error.FieldError;
import io.waymark.error.NotFoundException;
import io.waymark.error.ProcessRuleException;
import io.waymark.error.ValidationException;
import io.waymark.identity.Access;
import io.waymark.identity.Capability;
import io.waymark.identity.UserDirectory;
import io.waymark.json.Json;
import io.waymark.record.Metadata;
import io.waymark.record.Record;
import io.waymark.record.RecordStore;
import io.waymark.record.Records;
import io.waymark.signal.NewSignal;
import io.waymark.signal.Signal;
import io.waymark.signal.SignalStore;
import io.waymark.timer.Timer;
import io.waymark.timer.Timers;
import io.waymark.tx.Transactor;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cadences: follow-up sequences that react to what the customer does. Definitions (a draft and
 * immutable published versions), enrollment and unenrollment by hand, and the runtime — a
 * {@link io.waymark.signal.SignalConsumer} ({@link #runner()}) that runs due follow-ups on
 * {@code timer.fired}, sends their emails, calls and tasks through the outbox, follows each
 * email's opens, clicks, replies and bounces, and ends enrollments with the reason recorded
 * ({@code goal_reached}, {@code replied}, {@code exhausted}, {@code bounced}, {@code unsubscribed},
 * {@code removed}). Reaching the goal emits {@code cadence.goal_reached} (payload
 * {@code cadence}: the cadence's name in the enrollment's version, {@code goal}), which a journey's {@code cadence_goal} entry
 * waits for; every end emits {@code cadence.ended}. An out-of-office auto-reply pauses the
 * enrollment for the definition's {@code out_of_office_pause_days} instead of ending it.
 *
 * <p>Every decision and its effects (enrollment state, outbox entries, timers, signals) commit in
 * one transaction with the signal that caused them. Every method here needs
 * {@link Capability#MANAGE_CADENCES}.
 */
public final class Cadences {
    static final String TIMER_PURPOSE = "cadence";
    static final String SOURCE = "cadence:";

    private final CadenceStore store;
    private final Metadata metadata;
    private final ActionCatalog actions;
    private final Records records;
    private final SignalStore signals;
    private final Outbox outbox;
    private final Timers timers;
    private final Transactor tx;
    private final Clock clock;
    private final Access access;
    private final UserDirectory users;
    private final Map<String, CadenceDefinition> versions = new ConcurrentHashMap<>();
    private final CadenceRunner runner;
    private final int maxActivePerModule;

    /**
     * @param maxActivePerModule how many published, unpaused cadences one module may have at once
     */
    public Cadences(CadenceStore store, Metadata metadata, ActionCatalog actions, Records records, SignalStore signals, Outbox outbox,
                    Timers timers, Transactor tx, Clock clock, Access access, UserDirectory users, int maxActivePerModule) {
        this.maxActivePerModule = maxActivePerModule;
        this.store = store;
        this.metadata = metadata;
        this.actions = actions;
        this.records = records;
        this.signals = signals;
        this.outbox = outbox;
        this.timers = timers;
        this.tx = tx;
        this.clock = clock;
        this.access = access;
        this.users = users;
        this.runner = new CadenceRunner(this);
    }

    /** The signal consumer that runs enrollments; the engine registers it with the dispatcher. */
    public CadenceRunner runner() {
        return runner;
    }

    /** The catalogue's {@code enroll_in_cadence} action, which journeys (and other automations) run through the outbox. */
    public io.waymark.action.ActionType enrollAction() {
        return new EnrollInCadence(this);
    }

    /** Enrolls a record for an automation's action (inside the outbox entry's transaction); the result says what happened. */
    ObjectNode enrollByAutomation(UUID orgId, UUID cadenceId, String module, UUID recordId) throws io.waymark.action.ActionFailure {
        CadenceStore.StoredCadence c = store.findCadence(orgId, cadenceId).orElse(null);
        if (c == null || c.latest() == 0) {
            throw new io.waymark.action.ActionFailure("cadence " + cadenceId + " no longer exists or has no published version", false);
        }
        if (!c.module().equals(module)) {
            throw new io.waymark.action.ActionFailure("cadence " + c.name() + " enrolls " + c.module() + " records, not " + module, false);
        }
        ObjectNode detail = Json.object().put("cadence_id", cadenceId.toString());
        if (c.paused()) {
            return detail.put("skipped", true).put("reason", "the cadence is paused");
        }
        Record r = records.findForSignal(orgId, module, recordId);
        if (r == null) {
            throw new io.waymark.action.ActionFailure("no " + module + " record has id " + recordId, false);
        }
        Effects fx = new Effects();
        Admission a = admit(c, definition(orgId, cadenceId, c.latest()), r, "system", "action", clock.instant(), fx);
        fx.flush(this);
        if (a.enrollment() == null) {
            return detail.put("skipped", true).put("reason", a.skipped());
        }
        return detail.put("enrollment_id", a.enrollment().id().toString());
    }

    // ------------------------------------------------------------------ definitions

    /** Validates a definition without saving it; throws naming every bad field. */
    public CadenceDefinition validate(Actor actor, JsonNode body) {
        access.require(actor, Capability.MANAGE_CADENCES);
        return parse(actor, body);
    }

    private CadenceDefinition parse(Actor actor, JsonNode body) {
        List<FieldError> errors = new ArrayList<>();
        CadenceDefinition d = CadenceDefinition.parse(actor, body, metadata, actions, errors);
        if (d == null) {
            throw new ValidationException(errors.size() == 1 ? errors.get(0).field() + " " + errors.get(0).message()
                    : errors.size() + " fields are invalid", errors);
        }
        return d;
    }

    /** Saves a new cadence as a draft (version 0: nothing published yet). */
    public ObjectNode create(Actor actor, JsonNode body) {
        access.require(actor, Capability.MANAGE_CADENCES);
        CadenceDefinition d = parse(actor, body);
        Instant now = clock.instant();
        CadenceStore.StoredCadence c = new CadenceStore.StoredCadence(Ids.next(clock), actor.orgId(), d.name(), d.module(),
                ((ObjectNode) body).deepCopy(), 0, 1, now, now, false);
        tx.run(() -> store.insertCadence(c));
        return view(c);
    }

    public ArrayNode list(Actor actor) {
        access.require(actor, Capability.MANAGE_CADENCES);
        ArrayNode out = Json.MAPPER.createArrayNode();
        tx.inTransaction(() -> store.cadences(actor.orgId())).forEach(c -> out.add(view(c)));
        return out;
    }

    public ObjectNode get(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_CADENCES);
        return view(find(actor, id));
    }

    /**
     * Replaces the draft. A published cadence keeps its versions: the edit is a draft until the
     * next {@link #publish}; enrollments stay on the version they started on.
     */
    public ObjectNode update(Actor actor, UUID id, JsonNode body, Long expectedRevision) {
        access.require(actor, Capability.MANAGE_CADENCES);
        CadenceDefinition d = parse(actor, body);
        return tx.inTransaction(() -> {
            CadenceStore.StoredCadence c = find(actor, id);
            if (expectedRevision != null && expectedRevision != c.revision()) {
                throw new ConflictException("Cadence " + id + " is at revision " + c.revision() + ", not " + expectedRevision);
            }
            if (!d.module().equals(c.module())) {
                throw new ValidationException("module cannot change", List.of(new FieldError("module", "cannot change from " + c.module())));
            }
            CadenceStore.StoredCadence n = new CadenceStore.StoredCadence(c.id(), c.orgId(), d.name(), d.module(), ((ObjectNode) body).deepCopy(),
                    c.latest(), c.revision() + 1, c.createdAt(), clock.instant(), c.paused());
            if (!store.updateCadence(n, c.revision())) {
                throw new ConflictException("Cadence " + id + " changed meanwhile; read it again");
            }
            return view(n);
        });
    }

    /**
     * Publishes the draft as the next version; new enrollments use it. The first version of a
     * cadence makes it active, which the limit of active cadences per module may refuse (409). With
     * {@code enrollment.on_publish}, the records that already match the enrollment criteria (and
     * that the actor may see) are enrolled at once; the answer counts them under
     * {@code enrolled_on_publish}.
     */
    public ObjectNode publish(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_CADENCES);
        return tx.inTransaction(() -> {
            CadenceStore.StoredCadence c = find(actor, id);
            CadenceDefinition d = parse(actor, c.draft()); // templates or fields may have gone since the draft was saved
            if (c.latest() == 0 && !c.paused()) {
                requireRoomFor(c);
            }
            int v = c.latest() + 1;
            Instant now = clock.instant();
            store.insertVersion(new CadenceStore.StoredVersion(id, v, actor.orgId(), c.draft().deepCopy(), now));
            CadenceStore.StoredCadence n = new CadenceStore.StoredCadence(c.id(), c.orgId(), c.name(), c.module(), c.draft(), v, c.revision() + 1,
                    c.createdAt(), now, c.paused());
            if (!store.updateCadence(n, c.revision())) {
                throw new ConflictException("Cadence " + id + " changed meanwhile; read it again");
            }
            ObjectNode o = view(n);
            if (d.enrollment().onPublish() && !n.paused()) {
                ObjectNode counts = enrollMatching(actor, n, io.waymark.criteria.CompactCriteria.parse(d.enrollment().criteriaText()), "on_publish");
                o.set("enrolled_on_publish", counts.get("counts"));
            }
            return o;
        });
    }

    /** Refuses (409) to make one more cadence of {@code c}'s module active when the module has its limit of active cadences. */
    private void requireRoomFor(CadenceStore.StoredCadence c) {
        long active = store.published(c.orgId()).stream().filter(o -> o.module().equals(c.module()) && !o.paused() && !o.id().equals(c.id())).count();
        if (active >= maxActivePerModule) {
            throw new ConflictException(c.module() + " already has " + active + " active cadences, the most allowed per module ("
                    + maxActivePerModule + "); pause one before activating cadence " + c.id());
        }
    }

    /**
     * Pauses ({@code paused: true}) or resumes a whole cadence. Pausing holds every live enrollment
     * (nothing runs, a timeline line says why) and keeps new records out; resuming lets each
     * enrollment go on from where it was, running what fell due meanwhile, except those paused on
     * their own. Resuming counts against the limit of active cadences per module (409).
     */
    public ObjectNode setCadencePaused(Actor actor, UUID id, boolean paused) {
        access.require(actor, Capability.MANAGE_CADENCES);
        return tx.inTransaction(() -> {
            CadenceStore.StoredCadence c = find(actor, id);
            if (c.paused() == paused) {
                return view(c);
            }
            if (!paused && c.latest() > 0) {
                requireRoomFor(c);
            }
            store.setPaused(actor.orgId(), id, paused);
            Instant now = clock.instant();
            for (String status : paused ? List.of("active", "paused") : List.of("paused")) {
                UUID after = null;
                while (true) {
                    List<CadenceStore.Enrollment> page = store.enrollments(actor.orgId(), id, status, after, 500);
                    for (CadenceStore.Enrollment e : page) {
                        CadenceDefinition ed = definition(e.orgId(), e.cadenceId(), e.version());
                        Work w = new Work(e, ed, ed.name());
                        Effects fx = new Effects();
                        if (paused && !w.state.has("cadence_paused")) { // the active ones paused a moment ago come round again as paused
                            holdForCadence(w, now, fx);
                        } else if (!paused && w.state.has("cadence_paused")) {
                            releaseFromCadence(w, now, fx);
                        } else {
                            continue;
                        }
                        save(w, fx);
                        fx.flush(this);
                    }
                    if (page.size() < 500) {
                        break;
                    }
                    after = page.get(page.size() - 1).id();
                }
            }
            return view(find(actor, id));
        });
    }

    private void holdForCadence(Work w, Instant now, Effects fx) {
        w.state.put("cadence_paused", w.status);
        if (w.status.equals("active")) {
            w.status = "paused";
        }
        line(w, now, "paused", null).put("by", "cadence");
        fx.cancel.add(timerKey(w.id()));
    }

    private void releaseFromCadence(Work w, Instant now, Effects fx) {
        String before = w.state.remove("cadence_paused").asText();
        if (before.equals("active")) {
            resume(w, now, fx, "cadence");
        } else if (w.state.hasNonNull("paused_until")) {
            // Paused by an out-of-office reply before the cadence was: that pause runs its course.
            Instant until = Instant.parse(w.state.get("paused_until").asText());
            if (now.isBefore(until)) {
                line(w, now, "cadence_resumed", null);
                timer(w, until, fx);
            } else {
                resume(w, now, fx, "out_of_office_over");
            }
        } else {
            line(w, now, "cadence_resumed", null).put("note", "this enrollment stays paused by hand");
        }
    }

    /** A published version's definition. */
    public ObjectNode version(Actor actor, UUID id, int version) {
        access.require(actor, Capability.MANAGE_CADENCES);
        CadenceStore.StoredVersion v = tx.inTransaction(() -> store.findVersion(actor.orgId(), id, version))
                .orElseThrow(() -> new NotFoundException("Cadence " + id + " has no version " + version));
        ObjectNode o = Json.object();
        o.put("cadence_id", id.toString()).put("version", v.version()).put("published_at", v.publishedAt().toString());
        o.set("definition", v.definition());
        return o;
    }

    private CadenceStore.StoredCadence find(Actor actor, UUID id) {
        return tx.inTransaction(() -> store.findCadence(actor.orgId(), id))
                .orElseThrow(() -> new NotFoundException("No cadence has id " + id));
    }

    private static ObjectNode view(CadenceStore.StoredCadence c) {
        ObjectNode o = Json.object();
        o.put("id", c.id().toString()).put("name", c.name()).put("module", c.module()).put("latest_version", c.latest())
                .put("status", c.latest() == 0 ? "draft" : "published").put("paused", c.paused()).put("revision", c.revision())
                .put("created_at", c.createdAt().toString()).put("modified_at", c.modifiedAt().toString());
        o.set("draft", c.draft());
        return o;
    }

    CadenceDefinition definition(UUID orgId, UUID cadenceId, int version) {
        String key = orgId + "/" + cadenceId + "/" + version;
        CadenceDefinition d = versions.get(key);
        if (d == null) {
            CadenceStore.StoredVersion v = store.findVersion(orgId, cadenceId, version).orElse(null);
            if (v == null) {
                return null;
            }
            List<FieldError> errors = new ArrayList<>();
            d = CadenceDefinition.parse(Actor.system(orgId), v.definition(), metadata, actions, errors);
            if (d == null) {
                // A published version no longer validates (its template was deleted …): it still runs what it can.
                throw new ProcessRuleException("Cadence " + cadenceId + " version " + version + " is no longer valid: " + errors);
            }
            versions.put(key, d);
        }
        return d;
    }

    // ------------------------------------------------------------------ enrollment

    /**
     * Enrolls records in the latest published version: by id ({@code {"record_ids": [...]}}, at
     * most 1000) or by a criteria filter ({@code {"criteria": "(Lead_Status:equals:New)"}}: every
     * matching record the actor may see). The answer counts {@code enrolled},
     * {@code already_enrolled} (a live enrollment exists) and {@code skipped_other} (the
     * re-enrollment rule keeps the record out); by id it also lists them under {@code enrolled}
     * and {@code skipped}.
     */
    public ObjectNode enroll(Actor actor, UUID id, JsonNode body) {
        access.require(actor, Capability.MANAGE_CADENCES);
        if (body != null && body.has("criteria")) {
            if (body.has("record_ids")) {
                throw new ValidationException("record_ids or criteria", List.of(new FieldError("criteria", "give record_ids or criteria, not both")));
            }
            if (!body.get("criteria").isTextual() || body.get("criteria").textValue().isBlank()) {
                throw new ValidationException("criteria is invalid", List.of(new FieldError("criteria", "must be criteria in the compact form, e.g. (Lead_Status:equals:New)")));
            }
            return tx.inTransaction(() -> {
                CadenceStore.StoredCadence c = enrollable(actor, id);
                List<FieldError> errors = new ArrayList<>();
                io.waymark.criteria.Criteria criteria = null;
                try {
                    criteria = io.waymark.criteria.CompactCriteria.parse(body.get("criteria").textValue());
                    io.waymark.criteria.CompiledCriteria.compile(criteria, records.module(actor, c.module()), false);
                } catch (ValidationException e) {
                    e.errors().forEach(fe -> errors.add(new FieldError("criteria" + (fe.field().isEmpty() ? "" : "." + fe.field()), fe.message())));
                    if (errors.isEmpty()) {
                        errors.add(new FieldError("criteria", e.getMessage()));
                    }
                } catch (RuntimeException e) {
                    errors.add(new FieldError("criteria", String.valueOf(e.getMessage())));
                }
                if (!errors.isEmpty()) {
                    throw new ValidationException("criteria is invalid", errors);
                }
                return enrollMatching(actor, c, criteria, "criteria");
            });
        }
        JsonNode ids = body == null ? null : body.get("record_ids");
        if (ids == null || !ids.isArray() || ids.isEmpty() || ids.size() > 1000) {
            throw new ValidationException("record_ids is required", List.of(new FieldError("record_ids",
                    "is required: a list of 1 to 1000 record ids (or give criteria instead)")));
        }
        List<UUID> recordIds = new ArrayList<>();
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            UUID r = Ids.parse(ids.get(i).asText(""));
            if (r == null) {
                errors.add(new FieldError("record_ids[" + i + "]", "must be a UUID"));
            }
            recordIds.add(r);
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors.size() + " record ids are invalid", errors);
        }
        return tx.inTransaction(() -> {
            CadenceStore.StoredCadence c = enrollable(actor, id);
            CadenceDefinition d = definition(actor.orgId(), id, c.latest());
            List<Record> found = new ArrayList<>();
            for (int i = 0; i < recordIds.size(); i++) {
                Record r = records.findForSignal(actor.orgId(), c.module(), recordIds.get(i));
                if (r == null) {
                    errors.add(new FieldError("record_ids[" + i + "]", "no " + c.module() + " record has id " + recordIds.get(i)));
                }
                found.add(r);
            }
            if (!errors.isEmpty()) {
                throw new ValidationException(errors.size() + " record ids are invalid", errors);
            }
            ArrayNode enrolled = Json.MAPPER.createArrayNode();
            ArrayNode skipped = Json.MAPPER.createArrayNode();
            Effects fx = new Effects();
            Tally tally = new Tally();
            List<Record> distinct = new ArrayList<>(new LinkedHashSet<>(found));
            List<Admission> admissions = admitAll(c, d, distinct, by(actor), "record_ids", clock.instant(), fx);
            for (int i = 0; i < distinct.size(); i++) {
                Record r = distinct.get(i);
                Admission a = admissions.get(i);
                tally.add(a);
                if (a.enrollment() != null) {
                    enrolled.add(enrollmentView(a.enrollment()));
                } else {
                    skipped.addObject().put("record_id", r.id().toString()).put("reason", a.skipped());
                }
            }
            fx.flush(this);
            ObjectNode o = tally.view();
            o.set("enrolled", enrolled);
            o.set("skipped", skipped);
            return o;
        });
    }

    private static String by(Actor actor) {
        return actor.userId() == null || actor.isSystem() ? "system" : actor.userId().toString();
    }

    /** The cadence if new records may enter it now: published and not paused. */
    private CadenceStore.StoredCadence enrollable(Actor actor, UUID id) {
        CadenceStore.StoredCadence c = find(actor, id);
        if (c.latest() == 0) {
            throw new ProcessRuleException("Cadence " + id + " has no published version; publish it before enrolling records");
        }
        if (c.paused()) {
            throw new ProcessRuleException("Cadence " + id + " is paused; resume it before enrolling records");
        }
        return c;
    }

    /** Enrolls every record matching {@code criteria} that the actor may see, a page at a time. */
    private ObjectNode enrollMatching(Actor actor, CadenceStore.StoredCadence c, io.waymark.criteria.Criteria criteria, String how) {
        CadenceDefinition d = definition(actor.orgId(), c.id(), c.latest());
        Tally tally = new Tally();
        String cursor = null;
        String by = by(actor);
        do {
            RecordStore.RecordPage page = records.list(actor, c.module(), criteria, null, 1000, cursor);
            Effects fx = new Effects();
            admitAll(c, d, page.records(), by, how, clock.instant(), fx).forEach(tally::add);
            fx.flush(this);
            cursor = page.next();
        } while (cursor != null);
        return tally.view();
    }

    /** Counts of one enrollment request. */
    private static final class Tally {
        long enrolled;
        long already;
        long other;

        void add(Admission a) {
            if (a.enrollment() != null) {
                enrolled++;
            } else if (a.already()) {
                already++;
            } else {
                other++;
            }
        }

        ObjectNode view() {
            ObjectNode o = Json.object();
            o.putObject("counts").put("enrolled", enrolled).put("already_enrolled", already).put("skipped_other", other);
            return o;
        }
    }

    /** What became of one record asked into a cadence: its new enrollment, or why it stayed out. */
    record Admission(CadenceStore.Enrollment enrollment, boolean already, String skipped) {
    }

    /**
     * Enrolls one record in the cadence's latest version unless it has a live enrollment there or
     * the re-enrollment rule keeps it out. The enrollment row goes in with its first follow-up
     * already planned (or queued); the rest of the effects go to {@code fx}.
     */
    Admission admit(CadenceStore.StoredCadence c, CadenceDefinition d, Record r, String by, String how, Instant now, Effects fx) {
        return admitAll(c, d, List.of(r), by, how, now, fx).get(0);
    }

    /**
     * {@link #admit} for many records at once (the answer in their order): one look-up of which are
     * held, one of their earlier enrollments in the cadence, and one batched insert of the new
     * enrollments, each with its first follow-up planned (or queued); the rest of the effects go
     * to {@code fx}. A record given twice is "already enrolled" the second time.
     */
    List<Admission> admitAll(CadenceStore.StoredCadence c, CadenceDefinition d, List<Record> rs, String by, String how, Instant now, Effects fx) {
        UUID orgId = c.orgId();
        List<UUID> ids = rs.stream().map(Record::id).toList();
        // A record under review runs no cadence until it is accepted (then enrol it again).
        java.util.Set<UUID> held = records.held(orgId, ids);
        Map<UUID, List<CadenceStore.Enrollment>> earlier = store.enrollmentsOf(orgId, c.id(), ids);
        List<Admission> out = new ArrayList<>(rs.size());
        List<CadenceStore.Enrollment> fresh = new ArrayList<>();
        java.util.Set<UUID> seen = new java.util.HashSet<>();
        ZoneId[] orgZone = new ZoneId[1];
        for (Record r : rs) {
            if (held.contains(r.id())) {
                out.add(new Admission(null, false, "held for review"));
                continue;
            }
            List<CadenceStore.Enrollment> mine = earlier.getOrDefault(r.id(), List.of());
            if (!seen.add(r.id()) || mine.stream().anyMatch(CadenceStore.Enrollment::live)) {
                out.add(new Admission(null, true, "already enrolled in this cadence"));
                continue;
            }
            String refusal = reEnrollRefusal(mine.stream().filter(e -> !e.live()).toList(), d, now);
            if (refusal != null) {
                out.add(new Admission(null, false, refusal));
                continue;
            }
            ObjectNode state = Json.object();
            state.put("next", 0).put("anchor", now.toString()).put("zone", zone(orgId, d, r, orgZone).getId());
            state.putObject("outcomes");
            state.putArray("timeline");
            CadenceStore.Enrollment e = new CadenceStore.Enrollment(Ids.next(clock), orgId, c.id(), c.latest(), c.module(), r.id(),
                    r.subject(), "active", null, state, 0, now, null);
            Work w = new Work(e, d, d.name());
            line(w, now, "enrolled", null).put("by", by).put("how", how);
            advance(w, now, fx);
            CadenceStore.Enrollment first = w.current();
            fresh.add(first);
            out.add(new Admission(first, false, null));
        }
        if (!fresh.isEmpty()) {
            store.insertEnrollments(fresh);
            fx.orgId = orgId;
        }
        return out;
    }

    /** Why the re-enrollment rule keeps a record out of the cadence now, or null when it may enter; {@code ended}: its ended enrollments, the latest end first. */
    private static String reEnrollRefusal(List<CadenceStore.Enrollment> ended, CadenceDefinition d, Instant now) {
        if (ended.isEmpty()) {
            return null;
        }
        CadenceDefinition.EnrollmentPolicy p = d.enrollment();
        if (!p.afterGoal() && ended.stream().anyMatch(e -> "goal_reached".equals(e.reason()))) {
            return "reached the goal of this cadence before (re-enrollment after the goal is off)";
        }
        return switch (p.reEnroll()) {
            case "never" -> "was enrolled in this cadence before (re_enroll never)";
            case "after_days" -> {
                Instant allowed = ended.get(0).endedAt().plus(Duration.ofDays(p.reEnrollDays()));
                yield now.isBefore(allowed) ? "its last enrollment ended less than " + p.reEnrollDays() + " days ago (re_enroll after_days; from "
                        + allowed + ")" : null;
            }
            default -> null;
        };
    }

    /** Ends an enrollment by hand (reason {@code removed}). */
    public ObjectNode unenroll(Actor actor, UUID enrollmentId) {
        access.require(actor, Capability.MANAGE_CADENCES);
        return tx.inTransaction(() -> {
            Work w = work(actor, enrollmentId);
            if (!w.live()) {
                throw new ConflictException("Enrollment " + enrollmentId + " already ended (" + w.reason + ")");
            }
            Effects fx = new Effects();
            end(w, clock.instant(), "removed", fx);
            save(w, fx);
            fx.flush(this);
            return enrollmentView(w.current());
        });
    }

    /** Pauses ({@code paused: true}) or resumes one enrollment by hand; a resumed enrollment runs what fell due meanwhile. */
    public ObjectNode setPaused(Actor actor, UUID enrollmentId, boolean paused) {
        access.require(actor, Capability.MANAGE_CADENCES);
        return tx.inTransaction(() -> {
            Work w = work(actor, enrollmentId);
            if (!w.live()) {
                throw new ConflictException("Enrollment " + enrollmentId + " already ended (" + w.reason + ")");
            }
            Effects fx = new Effects();
            Instant now = clock.instant();
            if (paused && w.status.equals("active")) {
                w.status = "paused";
                w.state.remove("paused_until");
                line(w, now, "paused", null).put("by", "hand");
                fx.cancel.add(timerKey(w.id()));
            } else if (!paused && w.status.equals("paused")) {
                if (w.state.has("cadence_paused")) {
                    throw new ProcessRuleException("Cadence " + w.loaded.cadenceId() + " is paused; resume the cadence first");
                }
                resume(w, now, fx, "hand");
            }
            save(w, fx);
            fx.flush(this);
            return enrollmentView(w.current());
        });
    }

    private Work work(Actor actor, UUID enrollmentId) {
        CadenceStore.Enrollment e = store.findEnrollment(actor.orgId(), enrollmentId)
                .orElseThrow(() -> new NotFoundException("No cadence enrollment has id " + enrollmentId));
        CadenceDefinition d = definition(actor.orgId(), e.cadenceId(), e.version());
        return new Work(e, d, d.name());
    }

    /** One enrollment with its timeline. */
    public ObjectNode enrollment(Actor actor, UUID enrollmentId) {
        access.require(actor, Capability.MANAGE_CADENCES);
        return enrollmentView(tx.inTransaction(() -> store.findEnrollment(actor.orgId(), enrollmentId))
                .orElseThrow(() -> new NotFoundException("No cadence enrollment has id " + enrollmentId)));
    }

    /** A page of a cadence's enrollments ({@code status}: active, paused or ended; optional). */
    public ArrayNode enrollments(Actor actor, UUID id, String status, UUID after, int limit) {
        access.require(actor, Capability.MANAGE_CADENCES);
        if (status != null && !List.of("active", "paused", "ended").contains(status)) {
            throw new ValidationException("Invalid status", List.of(new FieldError("status", "must be active, paused or ended")));
        }
        ArrayNode out = Json.MAPPER.createArrayNode();
        tx.inTransaction(() -> {
            find(actor, id);
            return store.enrollments(actor.orgId(), id, status, after, limit);
        }).forEach(e -> out.add(enrollmentView(e)));
        return out;
    }

    /** Counts: enrolled, active, paused, and ended per reason. */
    public ObjectNode analytics(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_CADENCES);
        Map<String, Long> counts = tx.inTransaction(() -> {
            find(actor, id);
            return store.counts(actor.orgId(), id);
        });
        ObjectNode o = Json.object();
        o.put("cadence_id", id.toString());
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        o.put("enrolled", total).put("active", counts.getOrDefault("active", 0L)).put("paused", counts.getOrDefault("paused", 0L));
        ObjectNode ended = o.putObject("ended");
        for (String reason : List.of("goal_reached", "replied", "exhausted", "bounced", "unsubscribed", "removed")) {
            ended.put(reason, counts.getOrDefault("ended:" + reason, 0L));
        }
        o.set("follow_ups", followUpRates(actor, id));
        return o;
    }

    private static final List<String> RATED = List.of("opened", "clicked", "replied", "bounced");

    /**
     * Per follow-up key (in the order of the latest version, then keys only older versions have):
     * how many enrollments had it sent, skipped or failed, and of the sent ones how many were
     * opened, clicked, replied to and bounced — the tracking signals matched to that follow-up's
     * message — with each as a rate of {@code sent} (0 when nothing was sent).
     */
    private ObjectNode followUpRates(Actor actor, UUID id) {
        Map<String, long[]> tally = new java.util.LinkedHashMap<>();
        tx.inTransaction(() -> {
            CadenceStore.StoredCadence c = find(actor, id);
            if (c.latest() > 0) {
                definition(actor.orgId(), id, c.latest()).followUps().forEach(f -> tally.put(f.key(), new long[7]));
            }
            UUID after = null;
            while (true) {
                List<CadenceStore.Enrollment> page = store.enrollments(actor.orgId(), id, null, after, 1000);
                for (CadenceStore.Enrollment e : page) {
                    for (var it = e.state().path("outcomes").fields(); it.hasNext(); ) {
                        var out = it.next();
                        long[] t = tally.computeIfAbsent(out.getKey(), k -> new long[7]);
                        String status = out.getValue().path("status").asText();
                        if (status.equals("sent")) {
                            t[0]++;
                            for (int i = 0; i < RATED.size(); i++) {
                                if (out.getValue().path("events").has(RATED.get(i))) {
                                    t[1 + i]++;
                                }
                            }
                        } else if (status.equals("skipped")) {
                            t[5]++;
                        } else if (status.equals("failed")) {
                            t[6]++;
                        }
                    }
                }
                if (page.size() < 1000) {
                    return null;
                }
                after = page.get(page.size() - 1).id();
            }
        });
        ObjectNode out = Json.object();
        tally.forEach((key, t) -> {
            ObjectNode f = out.putObject(key);
            f.put("sent", t[0]);
            for (int i = 0; i < RATED.size(); i++) {
                f.put(RATED.get(i), t[1 + i]);
            }
            for (int i = 0; i < RATED.size(); i++) {
                f.put(RATED.get(i) + "_rate", t[0] == 0 ? 0.0 : Math.round(10_000.0 * t[1 + i] / t[0]) / 10_000.0);
            }
            f.put("skipped", t[5]).put("failed", t[6]);
        });
        return out;
    }

    /**
     * The owner logs the outcome of a call follow-up ({@code {"outcome": "Interested", "notes": …}},
     * the outcome a value of the Calls module's {@code Call_Result}): the follow-up's Calls record
     * gets the result, the enrollment's timeline a {@code call_completed} line, and the log a
     * {@code call.completed} signal on the enrolled record's subject (payload {@code cadence},
     * {@code cadence_id}, {@code enrollment_id}, {@code follow_up}, {@code call_id}, {@code outcome}).
     */
    public ObjectNode logCall(Actor actor, UUID enrollmentId, String followUp, JsonNode body) {
        access.require(actor, Capability.MANAGE_CADENCES);
        io.waymark.record.Field result = metadata.catalog(actor.orgId()).find("Calls").flatMap(m -> m.field("Call_Result")).orElse(null);
        String outcome = body == null ? null : body.path("outcome").asText(null);
        List<FieldError> errors = new ArrayList<>();
        if (outcome == null || outcome.isBlank()) {
            errors.add(new FieldError("outcome", "is required: " + (result == null ? "the call's result" : "one of " + result.picklistValues())));
        } else if (result != null && !result.picklistValues().isEmpty() && !result.picklistValues().contains(outcome)) {
            errors.add(new FieldError("outcome", "must be one of " + result.picklistValues()));
        }
        if (body != null && body.has("notes") && !body.get("notes").isTextual()) {
            errors.add(new FieldError("notes", "must be text"));
        }
        if (body != null) {
            body.fieldNames().forEachRemaining(k -> {
                if (!k.equals("outcome") && !k.equals("notes")) {
                    errors.add(new FieldError(k, "unknown property; expected outcome or notes"));
                }
            });
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors.get(0).field() + " " + errors.get(0).message(), errors);
        }
        return tx.inTransaction(() -> {
            Work w = work(actor, enrollmentId);
            CadenceDefinition.FollowUp f = w.def.followUp(followUp);
            if (f == null || !f.type().equals("call")) {
                throw new NotFoundException("Version " + w.loaded.version() + " of the cadence has no call follow-up '" + followUp + "'");
            }
            ObjectNode o = w.outcome(followUp);
            if (!o.path("status").asText().equals("sent") || !o.hasNonNull("record_id")) {
                throw new ProcessRuleException("The call of follow-up '" + followUp + "' has not been scheduled yet");
            }
            if (o.has("call_outcome")) {
                throw new ConflictException("The call of follow-up '" + followUp + "' was already logged (" + o.get("call_outcome").asText() + ")");
            }
            UUID callId = UUID.fromString(o.get("record_id").asText());
            ObjectNode change = Json.object().put("Call_Result", outcome);
            if (body.hasNonNull("notes")) {
                change.put("Description", body.get("notes").asText());
            }
            records.update(actor, "Calls", callId, change, null);
            Instant now = clock.instant();
            o.put("call_outcome", outcome).put("completed_at", now.toString());
            line(w, now, "call_completed", followUp).put("outcome", outcome).put("by", by(actor));
            Effects fx = new Effects();
            ObjectNode p = Json.object().put("cadence", w.cadenceName).put("cadence_id", w.loaded.cadenceId().toString())
                    .put("enrollment_id", w.id().toString()).put("follow_up", followUp).put("call_id", callId.toString()).put("outcome", outcome);
            fx.signals.add(new NewSignal(Ids.next(clock), w.loaded.orgId(), "call.completed", w.loaded.subject(), w.loaded.module(),
                    w.loaded.recordId(), p, now, actor.userId()));
            save(w, fx);
            fx.flush(this);
            return enrollmentView(w.current());
        });
    }

    /**
     * Moves the live enrollments of version {@code from_version} to {@code to_version} with an
     * explicit follow-up mapping ({@code {"from_version": 1, "to_version": 2, "mapping": {"welcome":
     * "welcome", "survey": "survey_v2"}}}): every follow-up of the old version must be mapped to one
     * of the new version (an unmapped one is an error naming it). Each enrollment continues at the
     * new follow-up its next one maps to, its outcomes renamed, with a {@code migrated} line on its
     * timeline; the answer counts the migrated enrollments.
     */
    public ObjectNode migrate(Actor actor, UUID id, JsonNode body) {
        access.require(actor, Capability.MANAGE_CADENCES);
        if (body == null || !body.isObject()) {
            throw new ValidationException("body", List.of(new FieldError("", "must be a JSON object")));
        }
        return tx.inTransaction(() -> {
            CadenceStore.StoredCadence c = find(actor, id);
            List<FieldError> errors = new ArrayList<>();
            body.fieldNames().forEachRemaining(k -> {
                if (!List.of("from_version", "to_version", "mapping").contains(k)) {
                    errors.add(new FieldError(k, "unknown property; expected from_version, to_version or mapping"));
                }
            });
            CadenceDefinition from = migrationVersion(c, body, "from_version", errors);
            CadenceDefinition to = migrationVersion(c, body, "to_version", errors);
            int fromV = body.path("from_version").asInt();
            int toV = body.path("to_version").asInt();
            if (from != null && to != null && fromV == toV) {
                errors.add(new FieldError("to_version", "must differ from from_version"));
            }
            JsonNode mapping = body.get("mapping");
            Map<String, String> map = new java.util.HashMap<>();
            if (mapping == null || !mapping.isObject()) {
                errors.add(new FieldError("mapping", "is required: an object from each follow-up key of from_version to one of to_version"));
            } else if (from != null && to != null) {
                List<String> unmapped = new ArrayList<>();
                for (CadenceDefinition.FollowUp f : from.followUps()) {
                    JsonNode target = mapping.get(f.key());
                    if (target == null || !target.isTextual()) {
                        unmapped.add(f.key());
                    } else if (to.followUp(target.textValue()) == null) {
                        errors.add(new FieldError("mapping." + f.key(), "version " + toV + " has no follow-up '" + target.textValue() + "'"));
                    } else {
                        map.put(f.key(), target.textValue());
                    }
                }
                if (!unmapped.isEmpty()) {
                    errors.add(new FieldError("mapping", "follow-ups of version " + fromV + " are not mapped: " + String.join(", ", unmapped)));
                }
                mapping.fieldNames().forEachRemaining(k -> {
                    if (from.followUp(k) == null) {
                        errors.add(new FieldError("mapping." + k, "version " + fromV + " has no follow-up '" + k + "'"));
                    }
                });
            }
            if (!errors.isEmpty()) {
                throw new ValidationException(errors.get(0).field() + " " + errors.get(0).message(), errors);
            }
            long migrated = 0;
            Instant now = clock.instant();
            for (String status : List.of("active", "paused")) {
                UUID after = null;
                while (true) {
                    List<CadenceStore.Enrollment> page = store.enrollments(actor.orgId(), id, status, after, 500);
                    for (CadenceStore.Enrollment e : page) {
                        if (e.version() == fromV) {
                            moveToVersion(e, from, to, toV, map, by(actor), now);
                            migrated++;
                        }
                    }
                    if (page.size() < 500) {
                        break;
                    }
                    after = page.get(page.size() - 1).id();
                }
            }
            ObjectNode o = Json.object();
            o.put("cadence_id", id.toString()).put("from_version", fromV).put("to_version", toV).put("migrated", migrated);
            return o;
        });
    }

    private CadenceDefinition migrationVersion(CadenceStore.StoredCadence c, JsonNode body, String field, List<FieldError> errors) {
        JsonNode v = body.get(field);
        if (v == null || !v.isIntegralNumber() || v.asInt() < 1 || v.asInt() > c.latest()) {
            errors.add(new FieldError(field, "is required: a published version from 1 to " + c.latest()));
            return null;
        }
        return definition(c.orgId(), c.id(), v.asInt());
    }

    private void moveToVersion(CadenceStore.Enrollment e, CadenceDefinition from, CadenceDefinition to, int toVersion, Map<String, String> map,
                               String by, Instant now) {
        ObjectNode state = e.state().deepCopy();
        int next = state.path("next").asInt();
        int newNext = next >= from.followUps().size() ? to.followUps().size() : to.followUp(map.get(from.followUps().get(next).key())).index();
        ObjectNode outcomes = Json.object();
        for (var it = state.path("outcomes").fields(); it.hasNext(); ) {
            var o = it.next();
            outcomes.set(map.getOrDefault(o.getKey(), o.getKey()), o.getValue());
        }
        state.set("outcomes", outcomes);
        state.put("next", newNext);
        state.remove("due");
        if (newNext < to.followUps().size()) {
            outcomes.remove(to.followUps().get(newNext).key()); // planned anew in the new version
            state.remove("finished_at");
        }
        CadenceStore.Enrollment moved = new CadenceStore.Enrollment(e.id(), e.orgId(), e.cadenceId(), toVersion, e.module(), e.recordId(), e.subject(),
                e.status(), e.reason(), state, e.revision(), e.enrolledAt(), e.endedAt());
        Work w = new Work(moved, to, to.name());
        ObjectNode l = line(w, now, "migrated", null).put("from_version", e.version()).put("to_version", toVersion).put("by", by);
        l.set("mapping", Json.MAPPER.valueToTree(map));
        Effects fx = new Effects();
        if (w.status.equals("active")) {
            fx.cancel.add(timerKey(w.id())); // advance() sets it again for the new version's next follow-up
        }
        advance(w, now, fx);
        save(w, fx);
        fx.flush(this);
    }

    static ObjectNode enrollmentView(CadenceStore.Enrollment e) {
        ObjectNode o = Json.object();
        o.put("id", e.id().toString()).put("cadence_id", e.cadenceId().toString()).put("version", e.version()).put("module", e.module())
                .put("record_id", e.recordId().toString()).put("subject", e.subject()).put("status", e.status()).put("reason", e.reason())
                .put("enrolled_at", e.enrolledAt().toString()).put("ended_at", e.endedAt() == null ? null : e.endedAt().toString());
        o.put("next_follow_up", e.state().path("next").asInt());
        o.set("next_due_at", e.state().get("due"));
        o.put("zone", e.state().path("zone").asText());
        o.set("follow_ups", e.state().get("outcomes"));
        o.set("timeline", e.state().get("timeline"));
        return o;
    }

    /** The recipient's zone by the definition's policy; {@code orgZone} caches the organisation's zone across calls. */
    private ZoneId zone(UUID orgId, CadenceDefinition d, Record r, ZoneId[] orgZone) {
        if (d.zoneField() != null) {
            Object v = r.value(d.zoneField());
            if (v != null) {
                try {
                    return ZoneId.of(v.toString().strip());
                } catch (DateTimeException e) {
                    // not a zone id: the policy falls back
                }
            }
        }
        if (d.defaultZone() != null) {
            return d.defaultZone();
        }
        if (orgZone[0] == null) {
            ZoneId z = users == null ? null : users.timeZone(orgId);
            orgZone[0] = z == null ? ZoneId.of("UTC") : z;
        }
        return orgZone[0];
    }

    // ------------------------------------------------------------------ runtime

    /** An enrollment being worked on. */
    static final class Work {
        final CadenceStore.Enrollment loaded;
        final CadenceDefinition def;
        final String cadenceName;
        final ObjectNode state;
        String status;
        String reason;
        Instant endedAt;

        Work(CadenceStore.Enrollment e, CadenceDefinition def, String cadenceName) {
            this.loaded = e;
            this.def = def;
            this.cadenceName = cadenceName;
            this.state = e.state().deepCopy();
            this.status = e.status();
            this.reason = e.reason();
            this.endedAt = e.endedAt();
        }

        UUID id() {
            return loaded.id();
        }

        boolean live() {
            return !"ended".equals(status);
        }

        CadenceStore.Enrollment current() {
            return new CadenceStore.Enrollment(loaded.id(), loaded.orgId(), loaded.cadenceId(), loaded.version(), loaded.module(), loaded.recordId(),
                    loaded.subject(), status, reason, state, loaded.revision() + 1, loaded.enrolledAt(), endedAt);
        }

        ObjectNode outcome(String key) {
            return state.with("outcomes").with(key);
        }
    }

    /** What a piece of work decided beyond the enrollments themselves. */
    static final class Effects {
        final List<Outbox.NewAction> actions = new ArrayList<>();
        final List<Timer> timers = new ArrayList<>();
        final List<String> cancel = new ArrayList<>();
        final List<NewSignal> signals = new ArrayList<>();
        UUID orgId;

        void flush(Cadences c) {
            if (!actions.isEmpty()) {
                c.outbox.enqueue(actions);
            }
            if (!cancel.isEmpty() && orgId != null) {
                java.util.Set<String> set = new java.util.HashSet<>();
                timers.forEach(t -> set.add(t.key()));
                List<String> keys = cancel.stream().filter(k -> !set.contains(k)).toList();
                if (!keys.isEmpty()) {
                    c.timers.cancel(orgId, keys);
                }
            }
            if (!timers.isEmpty()) {
                c.timers.schedule(timers);
            }
            if (!signals.isEmpty()) {
                c.signals.append(signals);
            }
            actions.clear();
            timers.clear();
            cancel.clear();
            signals.clear();
        }
    }

    /**
     * A dispatcher batch's held writes: the last state of each enrollment it saved (written
     * guarded by the revision it was first read at) and each organisation's effects, written at
     * its end with one batched statement each.
     */
    static final class Batch {
        private final Map<UUID, CadenceStore.Enrollment> saved = new java.util.LinkedHashMap<>();
        private final Map<UUID, Long> readAt = new java.util.HashMap<>();
        private final Map<UUID, Effects> effects = new java.util.LinkedHashMap<>();

        Effects effects(UUID orgId) {
            return effects.computeIfAbsent(orgId, o -> {
                Effects fx = new Effects();
                fx.orgId = o;
                return fx;
            });
        }

        void save(Work w) {
            readAt.putIfAbsent(w.id(), w.loaded.revision());
            saved.put(w.id(), w.current());
        }

        /** The enrollment as this batch last saved it, or null. */
        CadenceStore.Enrollment saved(UUID id) {
            return saved.get(id);
        }

        void flush(Cadences c) {
            if (!saved.isEmpty()) {
                List<CadenceStore.Enrollment> es = new ArrayList<>(saved.values());
                List<Long> expected = es.stream().map(e -> readAt.get(e.id())).toList();
                List<UUID> stale = c.store.updateEnrollments(es, expected);
                if (!stale.isEmpty()) {
                    throw new ConflictException("Cadence enrollment " + stale.get(0) + " changed meanwhile");
                }
            }
            effects.values().forEach(fx -> fx.flush(c));
            saved.clear();
            readAt.clear();
        }
    }

    void save(Work w, Effects fx) {
        fx.orgId = w.loaded.orgId();
        if (!store.updateEnrollment(w.current(), w.loaded.revision())) {
            throw new ConflictException("Cadence enrollment " + w.id() + " changed meanwhile");
        }
    }

    static String timerKey(UUID enrollment) {
        return "cadence:" + enrollment;
    }

    private static ObjectNode line(Work w, Instant at, String kind, String followUp) {
        ObjectNode l = ((ArrayNode) w.state.withArray("timeline")).addObject();
        l.put("at", at.toString()).put("kind", kind);
        if (followUp != null) {
            l.put("follow_up", followUp);
        }
        return l;
    }

    private void timer(Work w, Instant due, Effects fx) {
        ObjectNode data = Json.object().put("enrollment", w.id().toString());
        String key = timerKey(w.id());
        fx.timers.removeIf(t -> t.key().equals(key));
        fx.timers.add(new Timer(w.loaded.orgId(), timerKey(w.id()), TIMER_PURPOSE, due, w.loaded.subject(), w.loaded.module(), w.loaded.recordId(), data));
    }

    /** Runs whatever is due for an active enrollment and sets its timer for what comes next. */
    void advance(Work w, Instant now, Effects fx) {
        if (!"active".equals(w.status)) {
            return;
        }
        List<CadenceDefinition.FollowUp> fus = w.def.followUps();
        while (true) {
            int next = w.state.path("next").asInt();
            if (next >= fus.size()) {
                Instant finished = Instant.parse(w.state.path("finished_at").asText(now.toString()));
                w.state.put("finished_at", finished.toString());
                Instant end = finished.plus(Duration.ofDays(w.def.endsAfterDays()));
                if (!now.isBefore(end)) {
                    end(w, now, "exhausted", fx);
                } else {
                    timer(w, end, fx);
                }
                return;
            }
            CadenceDefinition.FollowUp f = fus.get(next);
            Instant due;
            if (w.state.hasNonNull("due")) {
                due = Instant.parse(w.state.get("due").asText());
            } else {
                Instant anchor = f.fromEnrollment() ? w.loaded.enrolledAt() : Instant.parse(w.state.get("anchor").asText());
                due = w.def.due(f, anchor, ZoneId.of(w.state.path("zone").asText("UTC")));
                w.state.put("due", due.toString());
                w.outcome(f.key()).put("status", "planned").put("due_at", due.toString());
            }
            if (now.isBefore(due)) {
                timer(w, due, fx);
                return;
            }
            Verdict v = evaluate(w, f, now);
            if (v.pending) {
                if (v.until != null) {
                    timer(w, v.until, fx);
                }
                return;
            }
            if (v.skipReason != null) {
                w.outcome(f.key()).put("status", "skipped").put("at", now.toString()).put("reason", v.skipReason);
                line(w, now, "skipped", f.key()).put("reason", v.skipReason);
            } else if (f.type().equals("email") && w.def.dailyLimit() > 0 && deferredByLimit(w, f, now, fx)) {
                return;
            } else {
                ActionDefinition a = action(w, f);
                fx.actions.add(new Outbox.NewAction(w.loaded.orgId(), SOURCE + w.id() + ":" + f.key(), a, w.loaded.module(), w.loaded.recordId(),
                        w.loaded.subject(), null, 1));
                w.outcome(f.key()).put("status", "queued").put("at", now.toString());
                line(w, now, "queued", f.key()).put("type", f.type());
            }
            w.state.put("anchor", now.toString());
            w.state.put("next", next + 1);
            w.state.remove("due");
        }
    }

    /**
     * Counts the email against its sender's daily limit; over the limit, moves the follow-up to the
     * next sending-window opening after the sender's day (in the organisation's zone) ends, says so
     * on the timeline and returns true.
     */
    private boolean deferredByLimit(Work w, CadenceDefinition.FollowUp f, Instant now, Effects fx) {
        UUID sender = w.def.senderUser();
        if (sender == null) {
            Record r = records.findForSignal(w.loaded.orgId(), w.loaded.module(), w.loaded.recordId());
            sender = r == null ? null : r.owner();
        }
        if (sender == null) {
            return false;
        }
        ZoneId senderZone = users == null || users.timeZone(w.loaded.orgId()) == null ? ZoneId.of("UTC") : users.timeZone(w.loaded.orgId());
        java.time.LocalDate day = now.atZone(senderZone).toLocalDate();
        if (store.countSend(w.loaded.orgId(), sender, day, w.def.dailyLimit())) {
            return false;
        }
        Instant nextDay = day.plusDays(1).atStartOfDay(senderZone).toInstant();
        Instant due = w.def.firstInWindow(nextDay, ZoneId.of(w.state.path("zone").asText("UTC")));
        w.state.put("due", due.toString());
        w.outcome(f.key()).put("status", "planned").put("due_at", due.toString());
        line(w, now, "deferred", f.key()).put("until", due.toString()).put("reason", "the sender's daily limit of " + w.def.dailyLimit()
                + " cadence emails is reached").put("sender", sender.toString());
        timer(w, due, fx);
        return true;
    }

    private ActionDefinition action(Work w, CadenceDefinition.FollowUp f) {
        ActionDefinition a = f.action();
        ObjectNode cfg = a.config().deepCopy();
        UUID sender = w.def.senderUser();
        if (f.type().equals("email")) {
            // From the sender: the fixed user's address and name, else the record owner's.
            cfg.put("from", sender == null ? "record_owner" : sender.toString());
            return new ActionDefinition(a.type(), cfg);
        }
        cfg.put("assign_to", sender == null ? "record_owner" : sender.toString());
        return new ActionDefinition(a.type(), cfg);
    }

    /** Whether a follow-up's conditions hold now, are still open, or failed. */
    record Verdict(boolean pending, Instant until, String skipReason) {
    }

    private Verdict evaluate(Work w, CadenceDefinition.FollowUp f, Instant now) {
        Instant waitUntil = null;
        boolean waiting = false;
        for (CadenceDefinition.Condition c : f.conditions()) {
            ObjectNode ref = (ObjectNode) w.state.path("outcomes").path(c.followUp());
            String status = ref.path("status").asText("");
            if (status.equals("skipped") || status.equals("failed")) {
                return new Verdict(false, null, c.followUp() + " was not sent");
            }
            if (!status.equals("sent")) {
                waiting = true; // its email has not gone out yet: wait for the outbox
                continue;
            }
            Instant sentAt = Instant.parse(ref.get("sent_at").asText());
            Instant deadline = sentAt.plus(Duration.ofDays(c.withinDays()));
            JsonNode happened = ref.path("events").get(c.signalEvent());
            boolean inTime = happened != null && !Instant.parse(happened.asText()).isAfter(deadline);
            if (c.negative()) {
                if (inTime) {
                    return new Verdict(false, null, c.followUp() + " was " + c.signalEvent() + " within " + c.withinDays() + " days");
                }
            } else if (inTime) {
                continue;
            }
            if (now.isBefore(deadline)) {
                waiting = true;
                waitUntil = waitUntil == null || deadline.isBefore(waitUntil) ? deadline : waitUntil;
            } else if (!c.negative()) {
                return new Verdict(false, null, c.followUp() + " was not " + c.signalEvent() + " within " + c.withinDays() + " days");
            }
        }
        return waiting ? new Verdict(true, waitUntil, null) : new Verdict(false, null, null);
    }

    void end(Work w, Instant now, String reason, Effects fx) {
        end(w, now, reason, "replied", fx);
    }

    void end(Work w, Instant now, String reason, String goal, Effects fx) {
        w.status = "ended";
        w.reason = reason;
        w.endedAt = now;
        w.state.remove("due");
        line(w, now, "ended", null).put("reason", reason);
        fx.cancel.add(timerKey(w.id()));
        String key = timerKey(w.id());
        fx.timers.removeIf(t -> t.key().equals(key));
        if (reason.equals("goal_reached")) {
            ObjectNode p = Json.object().put("cadence", w.cadenceName).put("cadence_id", w.loaded.cadenceId().toString())
                    .put("enrollment_id", w.id().toString()).put("goal", goal);
            fx.signals.add(new NewSignal(Ids.next(clock), w.loaded.orgId(), "cadence.goal_reached", w.loaded.subject(), w.loaded.module(),
                    w.loaded.recordId(), p, now, Actor.SYSTEM_USER));
        }
        ObjectNode p = Json.object().put("cadence", w.cadenceName).put("cadence_id", w.loaded.cadenceId().toString())
                .put("enrollment_id", w.id().toString()).put("reason", reason);
        fx.signals.add(new NewSignal(Ids.next(clock), w.loaded.orgId(), "cadence.ended", w.loaded.subject(), w.loaded.module(),
                w.loaded.recordId(), p, now, Actor.SYSTEM_USER));
    }

    private void resume(Work w, Instant now, Effects fx, String by) {
        w.status = "active";
        w.state.remove("paused_until");
        line(w, now, "resumed", null).put("by", by);
        advance(w, now, fx);
    }

    /** What one signal means for the subject's live enrollments. */
    void onSignal(Signal s, List<Work> live, Effects fx, Batch batch) {
        Instant now = clock.instant();
        String type = s.type();
        for (Work w : live) {
            if (!w.live()) {
                continue;
            }
            boolean touched = false;
            if (type.equals(Timers.FIRED)) {
                if (!w.id().toString().equals(s.payload().path("data").path("enrollment").asText())) {
                    continue;
                }
                if (w.status.equals("paused") && w.state.hasNonNull("paused_until") && !w.state.has("cadence_paused")
                        && !now.isBefore(Instant.parse(w.state.get("paused_until").asText()))) {
                    resume(w, now, fx, "out_of_office_over");
                } else {
                    advance(w, now, fx);
                }
                touched = true;
            } else if (type.equals("action.succeeded") || type.equals("action.failed")) {
                String[] src = s.payload().path("source").asText().split(":", 3);
                if (src.length < 3 || !src[1].equals(w.id().toString())) {
                    continue;
                }
                ObjectNode o = w.outcome(src[2]);
                if (type.equals("action.succeeded")) {
                    o.put("status", "sent").put("sent_at", s.occurredAt().toString());
                    JsonNode emailId = s.payload().path("result").get("email_id");
                    if (emailId != null) {
                        o.put("email_id", emailId.asText());
                    }
                    JsonNode created = s.payload().path("result").get("record_id");
                    if (created != null) {
                        o.put("record_id", created.asText()); // the Calls or Tasks record of a call or task follow-up
                    }
                    line(w, s.occurredAt(), "sent", src[2]);
                } else {
                    if (!s.payload().path("permanent").asBoolean(false)) {
                        continue; // the outbox retries it
                    }
                    o.put("status", "failed").put("reason", s.payload().path("reason").asText());
                    line(w, s.occurredAt(), "failed", src[2]).put("reason", s.payload().path("reason").asText());
                }
                advance(w, now, fx);
                touched = true;
            } else if (type.equals("record.updated")) {
                if (w.def.goalCriteria() == null || !w.loaded.module().equals(s.module()) || !w.loaded.recordId().equals(s.recordId())) {
                    continue;
                }
                Record r = records.findForSignal(w.loaded.orgId(), w.loaded.module(), w.loaded.recordId());
                if (r == null || !w.def.goalCriteria().matches(r, null, now, ZoneId.of(w.state.path("zone").asText("UTC")))) {
                    continue;
                }
                line(w, s.occurredAt(), "goal_criteria_met", null);
                end(w, now, "goal_reached", "criteria", fx);
                touched = true;
            } else if (type.equals("email.unsubscribed")) {
                line(w, s.occurredAt(), "unsubscribed", null);
                if (w.def.onUnsubscribe()) {
                    end(w, now, "unsubscribed", fx);
                }
                touched = true;
            } else if (type.startsWith("email.")) {
                String emailId = s.payload().path("email_id").asText("");
                String key = null;
                for (var it = w.state.path("outcomes").fields(); it.hasNext(); ) {
                    var e = it.next();
                    if (emailId.equals(e.getValue().path("email_id").asText(null))) {
                        key = e.getKey();
                    }
                }
                if (key == null) {
                    continue;
                }
                String event = type.substring("email.".length());
                boolean auto = event.equals("replied") && s.payload().path("auto_reply").asBoolean(false);
                ObjectNode events = w.outcome(key).with("events");
                if (!auto && !events.has(event)) {
                    events.put(event, s.occurredAt().toString());
                }
                line(w, s.occurredAt(), auto ? "auto_reply" : event, key);
                touched = true;
                if (auto) {
                    if (w.status.equals("active")) {
                        Instant until = now.plus(Duration.ofDays(w.def.outOfOfficePauseDays()));
                        w.status = "paused";
                        w.state.put("paused_until", until.toString());
                        line(w, now, "paused", null).put("until", until.toString()).put("by", "out_of_office");
                        timer(w, until, fx);
                    }
                } else if (event.equals("replied") && !w.def.onReply().equals("ignore")) {
                    end(w, now, w.def.onReply().equals("goal") ? "goal_reached" : "replied", fx);
                } else if (event.equals("bounced") && w.def.onBounce()) {
                    end(w, now, "bounced", fx);
                } else {
                    advance(w, now, fx);
                }
            }
            if (touched) {
                if (batch != null) {
                    batch.save(w);
                } else {
                    save(w, fx);
                    fx.flush(this);
                }
            }
        }
    }

    CadenceStore store() {
        return store;
    }

    /**
     * A record was created or updated: enrolls it in the published cadences of its module whose
     * automatic enrollment criteria it starts to match (it was created matching, or its update
     * made it match), and ends, as goal reached, the live enrollments that a new record of a
     * cadence's {@code unenroll.related_record} module points at.
     */
    /**
     * Automatic enrollment and related-record goals for one record signal, against the org's
     * published cadences (looked up by the caller, once per dispatcher batch).
     *
     * @return whether the record was enrolled somewhere
     */
    boolean recordChanged(Signal s, List<CadenceStore.StoredCadence> published, Runnable beforeEnrollmentWork) {
        boolean admitted = false;
        if (published.isEmpty() || s.module() == null || s.recordId() == null) {
            return false;
        }
        boolean created = s.type().equals("record.created");
        Record current = null;
        Instant now = clock.instant();
        for (CadenceStore.StoredCadence c : published) {
            CadenceDefinition d;
            try {
                d = definition(c.orgId(), c.id(), c.latest());
            } catch (ProcessRuleException e) {
                continue; // a version that no longer validates (its template was deleted …) must not stop every record signal
            }
            if (d == null) {
                continue;
            }
            CadenceDefinition.RelatedRecord rel = d.relatedRecord();
            boolean related = created && rel != null && rel.module().equals(s.module());
            boolean automatic = !c.paused() && c.module().equals(s.module()) && d.enrollment().automatic();
            if (!related && !automatic) {
                continue;
            }
            if (current == null) {
                beforeEnrollmentWork.run(); // what follows reads and writes enrollments in the store
                current = records.findForSignal(s.orgId(), s.module(), s.recordId());
                if (current == null) {
                    return admitted; // deleted since
                }
            }
            if (related) {
                endForRelated(c, rel, current, s, now);
            }
            if (automatic) {
                ZoneId zone = users == null || users.timeZone(s.orgId()) == null ? ZoneId.of("UTC") : users.timeZone(s.orgId());
                io.waymark.criteria.CompiledCriteria criteria = d.enrollment().criteria();
                if (!criteria.matches(current, null, now, zone)) {
                    continue;
                }
                if (!created) {
                    Record before = previous(metadata.catalog(s.orgId()).get(s.module()), current, s.payload().path("changes"));
                    if (criteria.matches(before, null, now, zone)) {
                        continue; // matched already: not a start
                    }
                }
                Effects fx = new Effects();
                admitted |= admit(c, d, current, "system", "automatic", now, fx).enrollment() != null;
                fx.flush(this);
            }
        }
        return admitted;
    }

    private void endForRelated(CadenceStore.StoredCadence c, CadenceDefinition.RelatedRecord rel, Record related, Signal s, Instant now) {
        Object target = related.value(rel.lookup());
        UUID targetId = target == null ? null : Ids.parse(target.toString());
        if (targetId == null) {
            return;
        }
        CadenceStore.Enrollment e = store.liveEnrollment(c.orgId(), c.id(), targetId).orElse(null);
        if (e == null) {
            return;
        }
        CadenceDefinition d = definition(e.orgId(), e.cadenceId(), e.version());
        if (d == null || d.relatedRecord() == null || !d.relatedRecord().equals(rel)) {
            return; // the enrollment's own version has no such goal
        }
        Work w = new Work(e, d, d.name());
        Effects fx = new Effects();
        line(w, s.occurredAt(), "related_record_created", null).put("module", related.module()).put("record_id", related.id().toString());
        end(w, now, "goal_reached", "related_record", fx);
        save(w, fx);
        fx.flush(this);
    }

    /** The record as it was before an update, from the update's {@code changes} (old values). */
    private static Record previous(io.waymark.record.Module module, Record current, JsonNode changes) {
        Map<String, Object> values = new java.util.LinkedHashMap<>(current.values());
        for (JsonNode ch : changes) {
            io.waymark.record.Field f = module.field(ch.path("field").asText()).orElse(null);
            if (f != null) {
                io.waymark.record.FieldValues.Result r = io.waymark.record.FieldValues.fromJson(f, ch.get("old"));
                values.put(f.apiName(), r.ok() ? r.value() : null);
            }
        }
        return new Record(current.id(), current.module(), current.layoutId(), current.subject(), current.version() - 1, current.createdAt(),
                current.createdBy(), current.modifiedAt(), current.modifiedBy(), values);
    }
}

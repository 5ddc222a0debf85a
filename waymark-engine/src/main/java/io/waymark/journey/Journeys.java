package io.waymark.journey;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.action.ActionCatalog;
import io.waymark.action.Outbox;
import io.waymark.action.OutboxEntry;
import io.waymark.clock.SettableClock;
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
import io.waymark.record.Records;
import io.waymark.signal.Signal;
import io.waymark.signal.SignalLog;
import io.waymark.signal.SignalQuery;
import io.waymark.timer.Timers;
import io.waymark.tx.Transactor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Journey Builder: journeys (a draft definition, validated on every save), their immutable
 * published versions, the instances of customers running through them, and what admins do to
 * them (enroll, move, end, migrate to a new version, deactivate). {@link JourneyRunner} moves the
 * instances as signals arrive; {@link JourneyAnalytics} reports on them; {@link #simulate} runs a
 * definition against signals without side effects.
 */
public final class Journeys {
    /** How long a node trusts its cached list of live journeys (another node may publish meanwhile). */
    private static final long CACHE_NANOS = 2_000_000_000L;
    private static final Set<String> BASE_INTEREST = Set.of("lead.converted");

    private final JourneyStore store;
    private final Metadata metadata;
    private final ActionCatalog actions;
    private final Records records;
    private final SignalLog signals;
    private final Outbox outbox;
    private final Transactor tx;
    private final Clock clock;
    private final Access access;
    private final UserDirectory users;
    private final Map<UUID, Compiled> compiled = new ConcurrentHashMap<>();
    private final Map<String, JourneyDefinition> definitions = new ConcurrentHashMap<>();
    private final Map<UUID, JourneyMachine> machines = new ConcurrentHashMap<>();
    private final JourneyRunner runner;

    /** A journey open for new entries, at its latest version. */
    record Live(UUID id, int version, JourneyDefinition definition) {
    }

    /** What the runner knows of one organisation: journeys open for entries, and every signal type any version waits for. */
    record Compiled(long loadedAt, List<Live> live, Set<String> interest) {
    }

    public Journeys(JourneyStore store, Metadata metadata, ActionCatalog actions, Records records, SignalLog signals, Outbox outbox,
                    Timers timers, Transactor tx, Clock clock, Access access, UserDirectory users) {
        this.store = store;
        this.metadata = metadata;
        this.actions = actions;
        this.records = records;
        this.signals = signals;
        this.outbox = outbox;
        this.tx = tx;
        this.clock = clock;
        this.access = access;
        this.users = users;
        this.runner = new JourneyRunner(this, store, outbox, timers);
    }

    /** The signal consumer to register with the dispatcher. */
    public JourneyRunner runner() {
        return runner;
    }

    JourneyStore store() {
        return store;
    }

    Instant now() {
        return clock.instant();
    }

    // ------------------------------------------------------------------ compiled definitions

    Compiled compiled(UUID orgId) {
        Compiled c = compiled.get(orgId);
        if (c == null || System.nanoTime() - c.loadedAt() > CACHE_NANOS) {
            c = load(orgId);
            compiled.put(orgId, c);
        }
        return c;
    }

    private Compiled load(UUID orgId) {
        List<Live> live = new ArrayList<>();
        Set<String> interest = new HashSet<>(BASE_INTEREST);
        for (JourneyStore.StoredJourney j : store.published(orgId)) {
            for (int v = 1; v <= j.latest(); v++) {
                JourneyDefinition d = definition(orgId, j.id(), v);
                if (d != null) {
                    interest.addAll(d.signalTypes());
                    if (v == j.latest() && j.status().equals("active")) {
                        live.add(new Live(j.id(), v, d));
                    }
                }
            }
        }
        return new Compiled(System.nanoTime(), List.copyOf(live), Set.copyOf(interest));
    }

    /** A published version, compiled once (versions never change). */
    JourneyDefinition definition(UUID orgId, UUID journeyId, int version) {
        String k = journeyId + ":" + version;
        JourneyDefinition d = definitions.get(k);
        if (d == null) {
            JourneyStore.StoredVersion v = store.findVersion(orgId, journeyId, version).orElse(null);
            if (v == null) {
                return null;
            }
            d = JourneyDefinition.load(metadata.catalog(orgId), actions, v.definition());
            definitions.put(k, d);
        }
        return d;
    }

    JourneyMachine machine(UUID orgId) {
        return machines.computeIfAbsent(orgId, o -> new JourneyMachine(clock, records::findForSignal, zone(o)));
    }

    private java.time.ZoneId zone(UUID orgId) {
        try {
            return users.timeZone(orgId);
        } catch (RuntimeException e) {
            return ZoneOffset.UTC;
        }
    }

    private void changed(UUID orgId) {
        compiled.remove(orgId);
    }

    // ------------------------------------------------------------------ definitions

    /** Checks a definition without saving it: {@code {"valid": bool, "errors": [...]}}. */
    public ObjectNode validate(Actor actor, JsonNode body) {
        access.require(actor, Capability.MANAGE_JOURNEYS);
        ObjectNode out = Json.object();
        try {
            JourneyDefinition.parse(actor, metadata.catalog(actor.orgId()), actions, body);
            out.put("valid", true);
            out.putArray("errors");
        } catch (ValidationException e) {
            out.put("valid", false);
            ArrayNode errs = out.putArray("errors");
            e.errors().forEach(fe -> errs.addObject().put("field", fe.field()).put("message", fe.message()));
        }
        return out;
    }

    /** Creates a journey as a draft (nothing runs until it is published). */
    public ObjectNode create(Actor actor, JsonNode body) {
        access.require(actor, Capability.MANAGE_JOURNEYS);
        JourneyDefinition d = JourneyDefinition.parse(actor, metadata.catalog(actor.orgId()), actions, body);
        Instant now = clock.instant();
        JourneyStore.StoredJourney j = new JourneyStore.StoredJourney(Ids.next(clock), actor.orgId(), d.name(), "draft", d.toJson(), 0, 1, now, now);
        tx.run(() -> store.insertJourney(j));
        return view(j);
    }

    /** Replaces the draft; {@code expectedRevision} (optional) guards against overwriting someone else's edit. */
    public ObjectNode update(Actor actor, UUID id, JsonNode body, Long expectedRevision) {
        access.require(actor, Capability.MANAGE_JOURNEYS);
        JourneyDefinition d = JourneyDefinition.parse(actor, metadata.catalog(actor.orgId()), actions, body);
        return tx.inTransaction(() -> {
            JourneyStore.StoredJourney j = find(actor, id);
            if (expectedRevision != null && expectedRevision != j.revision()) {
                throw new ConflictException("Journey " + id + " is at revision " + j.revision() + ", not " + expectedRevision);
            }
            JourneyStore.StoredJourney n = new JourneyStore.StoredJourney(j.id(), j.orgId(), d.name(), j.status(), d.toJson(), j.latest(),
                    j.revision() + 1, j.createdAt(), clock.instant());
            if (!store.updateJourney(n, j.revision())) {
                throw new ConflictException("Journey " + id + " was changed meanwhile; read it again");
            }
            return view(n);
        });
    }

    public ObjectNode get(Actor actor, UUID id) {
        // Journeys show where every customer is, whoever owns their records: for journey managers.
        access.require(actor, Capability.MANAGE_JOURNEYS);
        JourneyStore.StoredJourney j = find(actor, id);
        ObjectNode o = view(j);
        ArrayNode vs = o.putArray("versions");
        for (JourneyStore.StoredVersion v : store.versions(actor.orgId(), id)) {
            vs.addObject().put("version", v.version()).put("published_at", v.publishedAt().toString())
                    .put("published_by", v.publishedBy().toString());
        }
        return o;
    }

    public ArrayNode list(Actor actor) {
        access.require(actor, Capability.MANAGE_JOURNEYS);
        ArrayNode a = Json.MAPPER.createArrayNode();
        store.journeys(actor.orgId()).forEach(j -> a.add(view(j)));
        return a;
    }

    /** Deletes a journey that was never published; a published one is deactivated instead (its history stays). */
    public void delete(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_JOURNEYS);
        tx.run(() -> {
            JourneyStore.StoredJourney j = find(actor, id);
            if (j.latest() > 0) {
                throw new ConflictException("Journey " + id + " has published versions and instances; deactivate it instead");
            }
            store.deleteJourney(actor.orgId(), id);
        });
    }

    /**
     * Publishes the draft as a new immutable version (validated again against today's modules
     * and action kinds) and opens the journey for entries. Running instances stay on theirs.
     */
    public ObjectNode publish(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_JOURNEYS);
        ObjectNode out = tx.inTransaction(() -> {
            JourneyStore.StoredJourney j = find(actor, id);
            JourneyDefinition d = JourneyDefinition.parse(actor, metadata.catalog(actor.orgId()), actions, j.draft());
            int version = j.latest() + 1;
            Instant now = clock.instant();
            store.insertVersion(new JourneyStore.StoredVersion(id, version, actor.orgId(), d.toJson(), now, actor.userId()));
            JourneyStore.StoredJourney n = new JourneyStore.StoredJourney(j.id(), j.orgId(), j.name(), "active", j.draft(), version,
                    j.revision() + 1, j.createdAt(), now);
            if (!store.updateJourney(n, j.revision())) {
                throw new ConflictException("Journey " + id + " was changed meanwhile; publish again");
            }
            return view(n);
        });
        changed(actor.orgId());
        return out;
    }

    /** Stops (false) or resumes (true) new entries; running instances go on either way. */
    public ObjectNode setActive(Actor actor, UUID id, boolean active) {
        access.require(actor, Capability.MANAGE_JOURNEYS);
        ObjectNode out = tx.inTransaction(() -> {
            JourneyStore.StoredJourney j = find(actor, id);
            if (j.latest() == 0) {
                throw new ProcessRuleException("Journey " + id + " has no published version; publish it first");
            }
            JourneyStore.StoredJourney n = new JourneyStore.StoredJourney(j.id(), j.orgId(), j.name(), active ? "active" : "inactive",
                    j.draft(), j.latest(), j.revision() + 1, j.createdAt(), clock.instant());
            if (!store.updateJourney(n, j.revision())) {
                throw new ConflictException("Journey " + id + " was changed meanwhile; try again");
            }
            return view(n);
        });
        changed(actor.orgId());
        return out;
    }

    /** One published version's definition. */
    public ObjectNode version(Actor actor, UUID id, int version) {
        access.require(actor, Capability.MANAGE_JOURNEYS);
        find(actor, id);
        JourneyStore.StoredVersion v = store.findVersion(actor.orgId(), id, version)
                .orElseThrow(() -> new NotFoundException("Journey " + id + " has no version " + version));
        ObjectNode o = Json.object();
        o.put("journey_id", id.toString()).put("version", v.version()).put("published_at", v.publishedAt().toString())
                .put("published_by", v.publishedBy().toString());
        o.set("definition", v.definition());
        return o;
    }

    JourneyStore.StoredJourney find(Actor actor, UUID id) {
        return store.findJourney(actor.orgId(), id).orElseThrow(() -> new NotFoundException("No journey has id " + id));
    }

    private static ObjectNode view(JourneyStore.StoredJourney j) {
        ObjectNode o = Json.object();
        o.put("id", j.id().toString()).put("name", j.name()).put("status", j.status()).put("latest_version", j.latest())
                .put("revision", j.revision()).put("created_at", j.createdAt().toString()).put("modified_at", j.modifiedAt().toString());
        o.set("definition", j.draft());
        return o;
    }

    // ------------------------------------------------------------------ instances

    /**
     * Enrolls a customer by API (the journey needs an {@code api} entry trigger): the record it
     * starts on, optionally the state (default: the trigger's). Honours the re-entry policy.
     */
    public ObjectNode enroll(Actor actor, UUID id, JsonNode body) {
        access.require(actor, Capability.MANAGE_JOURNEYS);
        return enroll(actor, id, body, false);
    }

    /**
     * Enrollment by an automation ({@code start_journey}): as {@link #enroll}, but a customer the
     * re-entry policy keeps out gives null instead of an error.
     */
    ObjectNode enrollAsAutomation(Actor actor, UUID id, JsonNode body) {
        return enroll(actor, id, body, true);
    }

    /** The action kind that starts a journey from another automation; registered by the engine. */
    public io.waymark.action.ActionType startJourneyAction() {
        return new StartJourney(this);
    }

    private ObjectNode enroll(Actor actor, UUID id, JsonNode body, boolean quietlySkip) {
        ObjectNode b = object(body);
        String module = b.path("module").asText(null);
        UUID recordId = Ids.parse(b.path("record_id").asText(""));
        List<FieldError> errors = new ArrayList<>();
        if (module == null) {
            errors.add(new FieldError("module", "is required: the module of the customer's record"));
        }
        if (recordId == null) {
            errors.add(new FieldError("record_id", "is required: a UUID"));
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors.size() + " fields are invalid", errors);
        }
        Record r = records.findForSignal(actor.orgId(), module, recordId);
        if (r == null) {
            throw new NotFoundException("No " + module + " record has id " + recordId);
        }
        return tx.inTransaction(() -> {
            JourneyStore.StoredJourney j = find(actor, id);
            if (!j.status().equals("active")) {
                throw new ProcessRuleException("Journey " + id + " is " + j.status() + "; only an active journey takes new customers");
            }
            JourneyDefinition d = definition(actor.orgId(), id, j.latest());
            JourneyDefinition.Entry api = d.entries().stream().filter(e -> e.type().equals("api")).findFirst()
                    .orElseThrow(() -> new ProcessRuleException("Journey " + id + " has no api entry trigger; it cannot be entered by API"));
            String state = b.hasNonNull("state") ? b.get("state").asText() : api.state();
            if (d.state(state) == null || d.state(state).isEnd()) {
                throw new ValidationException("Unknown state", List.of(new FieldError("state", "no non-end state '" + state + "' in version " + j.latest())));
            }
            List<JourneyMachine.Run> runs = new ArrayList<>();
            store.instancesOf(actor.orgId(), List.of(r.subject())).forEach(i -> runs.add(new JourneyMachine.Run(i)));
            if (!JourneyRunner.mayEnter(new Live(id, j.latest(), d), runs)) {
                if (quietlySkip) {
                    return null;
                }
                throw new ConflictException("This customer already " + (d.reEntry() == JourneyDefinition.ReEntry.NEVER ? "went through" : "is in")
                        + " journey " + id + " (re_entry " + d.reEntry().apiName() + ")");
            }
            JourneyMachine.Effects fx = new JourneyMachine.Effects();
            JourneyMachine.Run run = machine(actor.orgId()).start(d, actor.orgId(), id, j.latest(), r.subject(), module, recordId, state, null,
                    actor.userId(), clock.instant(), fx);
            runner.write(fx, null, new ArrayList<>());
            return instanceView(run.snapshot());
        });
    }

    /** An instance with its full path: each line with the signal that moved it and its actions' outcomes. */
    public ObjectNode instance(Actor actor, UUID instanceId) {
        access.require(actor, Capability.MANAGE_JOURNEYS);
        JourneyStore.Instance i = store.findInstance(actor.orgId(), instanceId)
                .orElseThrow(() -> new NotFoundException("No journey instance has id " + instanceId));
        ObjectNode o = instanceView(i);
        ArrayNode path = o.putArray("path");
        for (JourneyStore.Step s : store.steps(actor.orgId(), instanceId)) {
            ObjectNode line = stepView(s);
            for (JsonNode a : line.path("actions")) {
                UUID entry = Ids.parse(a.path("outbox_entry").asText(""));
                if (entry != null) {
                    try {
                        OutboxEntry e = outbox.get(actor, entry);
                        ((ObjectNode) a).put("status", e.status().apiName()).put("attempts", e.attempts());
                        if (e.lastError() != null) {
                            ((ObjectNode) a).put("error", e.lastError());
                        }
                        if (e.result() != null) {
                            ((ObjectNode) a).set("result", e.result());
                        }
                    } catch (NotFoundException gone) {
                        ((ObjectNode) a).put("status", "unknown");
                    }
                }
            }
            path.add(line);
        }
        return o;
    }

    /** A page of a journey's instances; filters may be null. */
    public ObjectNode instances(Actor actor, UUID id, Integer version, String state, String status, String cursor, int limit) {
        access.require(actor, Capability.MANAGE_JOURNEYS);
        find(actor, id);
        if (limit < 1 || limit > 1000) {
            throw new ValidationException("Invalid limit", List.of(new FieldError("limit", "must be between 1 and 1000")));
        }
        UUID after = cursor == null ? null : Ids.parse(cursor);
        if (cursor != null && after == null) {
            throw new ValidationException("Invalid cursor", List.of(new FieldError("cursor", "is not a cursor this API returned")));
        }
        if (status != null && !Set.of("active", "succeeded", "failed", "ended").contains(status)) {
            throw new ValidationException("Invalid status", List.of(new FieldError("status", "must be active, succeeded, failed or ended")));
        }
        List<JourneyStore.Instance> page = store.instances(actor.orgId(), id, version, state, status, after, limit + 1);
        ObjectNode o = Json.object();
        ArrayNode data = o.putArray("data");
        page.stream().limit(limit).forEach(i -> data.add(instanceView(i)));
        o.put("next", page.size() > limit ? page.get(limit - 1).id().toString() : null);
        return o;
    }

    /**
     * How many instances a journey has: {@code {"status": {"active": n, "succeeded": n, …},
     * "active": {"<version>": {"<state>": n}}}}. Cheap (two grouped counts), for dashboards and polling.
     */
    public ObjectNode counts(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_JOURNEYS);
        find(actor, id);
        ObjectNode o = Json.object();
        ObjectNode st = o.putObject("status");
        store.statusCounts(actor.orgId(), id).forEach(st::put);
        ObjectNode act = o.putObject("active");
        store.activeCounts(actor.orgId(), id).forEach((v, m) -> {
            ObjectNode vo = act.putObject(String.valueOf(v));
            m.forEach(vo::put);
        });
        return o;
    }

    /** Where a customer is in every journey. */
    public ArrayNode instancesOfSubject(Actor actor, String subject) {
        access.require(actor, Capability.MANAGE_JOURNEYS);
        ArrayNode a = Json.MAPPER.createArrayNode();
        store.instancesOf(actor.orgId(), List.of(subject)).stream().sorted(Comparator.comparing(JourneyStore.Instance::startedAt))
                .forEach(i -> a.add(instanceView(i)));
        return a;
    }

    /**
     * An admin moves an instance to another state of its version (audited as a {@code manual}
     * path line with who and why). The target's on-enter actions run unless {@code run_actions} is false.
     */
    public ObjectNode move(Actor actor, UUID instanceId, JsonNode body) {
        access.require(actor, Capability.MANAGE_JOURNEYS);
        ObjectNode b = object(body);
        String to = b.path("to").asText(null);
        String reason = b.path("reason").asText(null);
        boolean runActions = b.path("run_actions").asBoolean(true);
        return tx.inTransaction(() -> {
            JourneyMachine.Run run = activeRun(actor, instanceId);
            JourneyDefinition d = definition(actor.orgId(), run.journeyId, run.version);
            if (to == null || d.state(to) == null) {
                throw new ValidationException("Unknown state", List.of(new FieldError("to", "is required: a state of version " + run.version
                        + ", one of " + d.states().keySet())));
            }
            if (to.equals(run.state)) {
                throw new ProcessRuleException("The instance is already in state '" + to + "'");
            }
            ObjectNode detail = Json.object();
            detail.put("reason", reason);
            JourneyMachine.Effects fx = new JourneyMachine.Effects();
            machine(actor.orgId()).move(d, run, null, "manual", null, to, clock.instant(), actor.userId(), detail, runActions, fx);
            runner.write(fx, null, new ArrayList<>());
            return instanceView(run.snapshot());
        });
    }

    /** An admin ends an instance where it is (audited as an {@code ended} path line). */
    public ObjectNode end(Actor actor, UUID instanceId, JsonNode body) {
        access.require(actor, Capability.MANAGE_JOURNEYS);
        ObjectNode b = body == null || body.isNull() || body.isMissingNode() ? Json.object() : object(body);
        return tx.inTransaction(() -> {
            JourneyMachine.Run run = activeRun(actor, instanceId);
            JourneyDefinition d = definition(actor.orgId(), run.journeyId, run.version);
            JourneyMachine.Effects fx = new JourneyMachine.Effects();
            ObjectNode detail = Json.object();
            detail.put("reason", b.path("reason").asText(null));
            machine(actor.orgId()).end(d, run, actor.userId(), detail, clock.instant(), fx);
            runner.write(fx, null, new ArrayList<>());
            return instanceView(run.snapshot());
        });
    }

    private JourneyMachine.Run activeRun(Actor actor, UUID instanceId) {
        JourneyStore.Instance i = store.findInstance(actor.orgId(), instanceId)
                .orElseThrow(() -> new NotFoundException("No journey instance has id " + instanceId));
        if (!i.active()) {
            throw new ProcessRuleException("The instance has already " + (i.status().equals("ended") ? "been ended" : i.status()));
        }
        return new JourneyMachine.Run(i);
    }

    /**
     * Moves the active instances of one version to another version, each through an explicit
     * state mapping: every state that holds instances must be mapped to a non-end state of the
     * target version. Returns how many moved. Their path gets a {@code migrated} line; timers of
     * the old state are replaced by the new state's, counted from the migration.
     */
    public ObjectNode migrate(Actor actor, UUID id, JsonNode body) {
        access.require(actor, Capability.MANAGE_JOURNEYS);
        ObjectNode b = object(body);
        return tx.inTransaction(() -> {
            JourneyStore.StoredJourney j = find(actor, id);
            int from = b.path("from_version").asInt(0);
            int to = b.path("to_version").asInt(j.latest());
            List<FieldError> errors = new ArrayList<>();
            JourneyDefinition src = from < 1 ? null : definition(actor.orgId(), id, from);
            JourneyDefinition dst = to < 1 ? null : definition(actor.orgId(), id, to);
            if (src == null) {
                errors.add(new FieldError("from_version", "is required: a published version of this journey"));
            }
            if (dst == null) {
                errors.add(new FieldError("to_version", "must be a published version of this journey"));
            }
            if (src != null && src == dst) {
                errors.add(new FieldError("to_version", "must differ from from_version"));
            }
            JsonNode mapping = b.path("mapping");
            if (!mapping.isObject()) {
                errors.add(new FieldError("mapping", "is required: an object from each old state to a new state"));
            }
            if (!errors.isEmpty()) {
                throw new ValidationException(errors.size() + " fields are invalid", errors);
            }
            Map<String, Long> holding = store.activeCounts(actor.orgId(), id).getOrDefault(from, Map.of());
            for (Map.Entry<String, Long> h : holding.entrySet()) {
                JsonNode target = mapping.get(h.getKey());
                if (target == null || !target.isTextual()) {
                    errors.add(new FieldError("mapping." + h.getKey(), "state '" + h.getKey() + "' holds " + h.getValue()
                            + " instance(s): map it to a state of version " + to));
                } else if (dst.state(target.textValue()) == null || dst.state(target.textValue()).isEnd()) {
                    errors.add(new FieldError("mapping." + h.getKey(), "'" + target.textValue() + "' is not a non-end state of version " + to));
                }
            }
            if (!errors.isEmpty()) {
                throw new ValidationException(errors.size() == 1 ? errors.get(0).field() + " " + errors.get(0).message()
                        : errors.size() + " fields are invalid", errors);
            }
            int moved = 0;
            UUID after = null;
            JourneyMachine m = machine(actor.orgId());
            while (true) {
                List<JourneyStore.Instance> page = store.instances(actor.orgId(), id, from, null, "active", after, 500);
                if (page.isEmpty()) {
                    break;
                }
                JourneyMachine.Effects fx = new JourneyMachine.Effects();
                for (JourneyStore.Instance i : page) {
                    m.migrate(src, dst, i, to, mapping.get(i.state()).textValue(), actor.userId(), clock.instant(), fx);
                    moved++;
                }
                runner.write(fx, null, new ArrayList<>());
                after = page.get(page.size() - 1).id();
            }
            ObjectNode o = Json.object();
            o.put("migrated", moved).put("from_version", from).put("to_version", to);
            return o;
        });
    }

    private static ObjectNode object(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new ValidationException("Invalid body", List.of(new FieldError("body", "must be a JSON object")));
        }
        return (ObjectNode) body;
    }

    static ObjectNode instanceView(JourneyStore.Instance i) {
        ObjectNode o = Json.object();
        o.put("id", i.id().toString()).put("journey_id", i.journeyId().toString()).put("version", i.version()).put("subject", i.subject())
                .put("state", i.state()).put("status", i.status()).put("module", i.module())
                .put("record_id", i.recordId() == null ? null : i.recordId().toString()).put("steps", i.visit())
                .put("entered_state_at", i.enteredAt().toString()).put("started_at", i.startedAt().toString())
                .put("ended_at", i.endedAt() == null ? null : i.endedAt().toString());
        return o;
    }

    static ObjectNode stepView(JourneyStore.Step s) {
        ObjectNode o = Json.object();
        o.put("n", s.n()).put("kind", s.kind()).put("from", s.fromState()).put("to", s.toState()).put("transition", s.via())
                .put("signal_id", s.signalId() == null ? null : s.signalId().toString()).put("signal_type", s.signalType())
                .put("actor", s.actorId() == null ? null : s.actorId().toString()).put("at", s.at().toString());
        if (s.detail() != null) {
            s.detail().fields().forEachRemaining(e -> o.set(e.getKey(), e.getValue().deepCopy()));
        }
        return o;
    }

    // ------------------------------------------------------------------ analytics

    /** Analytics of a journey (see {@link JourneyAnalytics}). */
    public ObjectNode analytics(Actor actor, UUID id, Integer version, String granularity) {
        access.require(actor, Capability.MANAGE_JOURNEYS);
        find(actor, id);
        return new JourneyAnalytics(store).report(actor.orgId(), id, version, granularity == null ? "day" : granularity, users == null
                ? ZoneOffset.UTC : zone(actor.orgId()));
    }

    // ------------------------------------------------------------------ simulation

    /**
     * Runs a definition against signals without side effects: the given {@code definition} (a
     * draft, validated) or a published {@code version} (default the latest), over the
     * {@code signals} given in the request or the recorded signals of {@code subject}. Timers fire
     * by the signals' times (and up to {@code until}). Returns the path and the actions it would take.
     */
    public ObjectNode simulate(Actor actor, UUID id, JsonNode body) {
        access.require(actor, Capability.MANAGE_JOURNEYS);
        ObjectNode b = object(body);
        JourneyStore.StoredJourney j = find(actor, id);
        JourneyDefinition d;
        int version;
        if (b.hasNonNull("definition")) {
            d = JourneyDefinition.parse(actor, metadata.catalog(actor.orgId()), actions, b.get("definition"));
            version = 0;
        } else {
            version = b.path("version").asInt(j.latest());
            if (version < 1) {
                throw new ValidationException("Nothing to simulate", List.of(new FieldError("definition",
                        "give a definition, or publish the journey first")));
            }
            d = definition(actor.orgId(), id, version);
            if (d == null) {
                throw new ValidationException("Unknown version", List.of(new FieldError("version", "no published version " + version)));
            }
        }
        List<Signal> input = new ArrayList<>();
        String subject = b.path("subject").asText(null);
        if (b.has("signals")) {
            JsonNode list = b.get("signals");
            if (!list.isArray() || list.size() > 1000) {
                throw new ValidationException("Invalid signals", List.of(new FieldError("signals", "must be a list of at most 1000 signals")));
            }
            Instant t = clock.instant();
            for (int i = 0; i < list.size(); i++) {
                JsonNode n = list.get(i);
                String type = n.path("type").asText(null);
                if (type == null) {
                    throw new ValidationException("Invalid signal", List.of(new FieldError("signals[" + i + "].type", "is required")));
                }
                Instant at;
                try {
                    at = n.hasNonNull("occurred_at") ? Instant.parse(n.get("occurred_at").asText()) : t;
                } catch (java.time.format.DateTimeParseException e) {
                    throw new ValidationException("Invalid signal", List.of(new FieldError("signals[" + i + "].occurred_at", "must be an ISO-8601 instant")));
                }
                t = at;
                ObjectNode payload = n.path("payload").isObject() ? (ObjectNode) n.get("payload") : Json.object();
                input.add(new Signal(Ids.next(clock), actor.orgId(), 0, i + 1, type, subject == null ? "simulation" : subject,
                        n.path("module").asText(null), Ids.parse(n.path("record_id").asText("")), payload, at, at, actor.userId()));
            }
        } else if (subject != null) {
            String after = null;
            do {
                var page = signals.query(actor, new SignalQuery(subject, null, null, null, null, 1000, after));
                input.addAll(page.signals());
                after = page.next();
            } while (after != null && input.size() < 10_000);
        } else {
            throw new ValidationException("Nothing to simulate", List.of(new FieldError("signals", "give signals, or a subject whose recorded signals to use")));
        }
        input.sort(Comparator.comparing(Signal::occurredAt));
        Instant until = null;
        if (b.hasNonNull("until")) {
            try {
                until = Instant.parse(b.get("until").asText());
            } catch (java.time.format.DateTimeParseException e) {
                throw new ValidationException("Invalid until", List.of(new FieldError("until", "must be an ISO-8601 instant")));
            }
        }
        SettableClock sim = new SettableClock(input.isEmpty() ? clock.instant() : input.get(0).occurredAt());
        JourneyMachine m = new JourneyMachine(sim, records::findForSignal, zone(actor.orgId()));
        JourneyMachine.Effects fx = new JourneyMachine.Effects();
        JourneyMachine.Run run = null;
        String startState = b.path("state").asText(null);
        for (Signal s : input) {
            if (run != null) {
                fireDue(m, d, run, fx, s.occurredAt(), sim);
            }
            sim.set(s.occurredAt());
            if (run == null) {
                JourneyDefinition.Entry e = m.entryFor(d, s, s.occurredAt());
                if (e != null || startState != null) {
                    run = m.start(d, actor.orgId(), id, version, s.subject(), s.module(), s.recordId(), e != null ? e.state() : startState, s,
                            null, s.occurredAt(), fx);
                }
                continue;
            }
            m.onSignal(d, run, s, fx);
        }
        if (run != null && until != null) {
            fireDue(m, d, run, fx, until, sim);
        }
        ObjectNode o = Json.object();
        o.put("entered", run != null);
        o.put("state", run == null ? null : run.state);
        o.put("status", run == null ? null : run.status);
        o.put("signals", input.size());
        ArrayNode path = o.putArray("path");
        for (JourneyMachine.Move mv : fx.moves) {
            ObjectNode line = stepView(mv.step());
            line.remove("actions");
            ArrayNode acts = line.putArray("actions");
            for (JourneyMachine.Planned p : mv.actions()) {
                acts.addObject().put("key", p.key()).put("type", p.action().type()).put("module", p.module())
                        .put("record_id", p.recordId() == null ? null : p.recordId().toString()).set("config", p.action().config());
            }
            path.add(line);
        }
        ArrayNode pending = o.putArray("pending_timers");
        fx.timersToSet.forEach(t -> pending.addObject().put("kind", t.data().path("kind").asText()).put("key", t.data().path("key").asText())
                .put("due_at", t.dueAt().toString()));
        return o;
    }

    private static void fireDue(JourneyMachine m, JourneyDefinition d, JourneyMachine.Run run, JourneyMachine.Effects fx, Instant until,
                                SettableClock sim) {
        while (run.active()) {
            io.waymark.timer.Timer due = fx.timersToSet.stream().filter(t -> !t.dueAt().isAfter(until))
                    .min(Comparator.comparing(io.waymark.timer.Timer::dueAt)).orElse(null);
            if (due == null) {
                return;
            }
            fx.timersToSet.remove(due);
            sim.set(due.dueAt());
            ObjectNode p = Json.object();
            p.put("key", due.key()).put("purpose", due.purpose()).put("due_at", due.dueAt().toString());
            p.set("data", due.data());
            m.onTimer(d, run, new Signal(new UUID(0, 0), run.orgId, 0, 0, Timers.FIRED, run.subject, run.module, run.recordId, p,
                    due.dueAt(), due.dueAt(), null), fx);
        }
    }

    /** For the benchmark and health: how long the runner's view of an organisation may lag. */
    public Duration cacheTtl() {
        return Duration.ofNanos(CACHE_NANOS);
    }
}

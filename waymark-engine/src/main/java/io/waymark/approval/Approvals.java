package io.waymark.approval;

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
import io.waymark.error.ForbiddenException;
import io.waymark.error.NotFoundException;
import io.waymark.error.ProcessRuleException;
import io.waymark.error.ValidationException;
import io.waymark.identity.Access;
import io.waymark.identity.Capability;
import io.waymark.identity.UserDirectory;
import io.waymark.json.Json;
import io.waymark.json.OrderedDefinitions;
import io.waymark.record.FieldValues;
import io.waymark.record.Metadata;
import io.waymark.record.Module;
import io.waymark.record.ModuleCatalog;
import io.waymark.record.Record;
import io.waymark.record.RecordGuard;
import io.waymark.record.Records;
import io.waymark.signal.Signal;
import io.waymark.signal.SignalConsumer;
import io.waymark.timer.Timer;
import io.waymark.timer.Timers;
import io.waymark.tx.Transactor;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Approval processes ({@link ApprovalProcess}) and their requests.
 *
 * <p>When a record is created or edited (whatever the path) and matches the first active process
 * of its module (by position) whose trigger fits, a request is opened in the same transaction and
 * the record is locked: any change except to the process's {@code editable_fields} answers 409
 * until the request is decided or recalled. On edit, a process applies when the record starts to
 * match its criteria, or when a user edits it after a rejection while it still matches (a
 * resubmission; a recalled record stays out until it starts to match again). Steps run in
 * sequence; each step's approvers are resolved when it starts (users, roles, groups, the record
 * owner's manager, N levels up). Approvers approve or reject with a comment, or delegate to
 * another active user; the submitter recalls. A step not answered in time escalates by a timer.
 *
 * <p><b>Deactivated approvers.</b> An approver whose account is deactivated is stood in for by
 * the active users of the role directly above theirs; if nobody holds it, the next role up, and so
 * on to the top. This is decided whenever the step is read or answered, so a deactivation during a
 * pending step takes effect at once. If a step has no one at all who can answer when it starts,
 * the request is rejected with the reason "no active approver" (the record unlocks and the
 * rejection actions run) rather than staying locked forever.
 */
public final class Approvals {
    /** The purpose of the timers approvals set. */
    public static final String TIMER_PURPOSE = "approval";
    private static final long CACHE_NANOS = 2_000_000_000L;

    private final ApprovalStore store;
    private final Metadata metadata;
    private final Records records;
    private final ActionCatalog actions;
    private final Outbox outbox;
    private final Timers timers;
    private final Access access;
    private final UserDirectory users;
    private final Transactor tx;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(long loadedAt, long catalogVersion, List<Loaded> processes) {
    }

    private record Loaded(ApprovalStore.StoredProcess stored, ApprovalProcess process) {
    }

    public Approvals(ApprovalStore store, Metadata metadata, Records records, ActionCatalog actions, Outbox outbox, Timers timers, Access access,
                     UserDirectory users, Transactor tx, Clock clock) {
        this.store = store;
        this.metadata = metadata;
        this.records = records;
        this.actions = actions;
        this.outbox = outbox;
        this.timers = timers;
        this.access = access;
        this.users = users;
        this.tx = tx;
        this.clock = clock;
    }

    // ------------------------------------------------------------------ definitions

    public ObjectNode create(Actor actor, JsonNode body) {
        access.require(actor, Capability.MANAGE_APPROVALS);
        OrderedDefinitions.requireObject(body);
        ObjectNode def = OrderedDefinitions.flowPart(body);
        ApprovalProcess p = ApprovalProcess.parse(actor, metadata.catalog(actor.orgId()), actions, def, true);
        int position = OrderedDefinitions.position(body, store.processes(actor.orgId(), p.module()).stream().mapToInt(ApprovalStore.StoredProcess::position).max().orElse(0) + 1);
        Instant now = clock.instant();
        ApprovalStore.StoredProcess s = new ApprovalStore.StoredProcess(Ids.next(clock), actor.orgId(), p.module(), position, OrderedDefinitions.bool(body, "active", true),
                p.json(), 1, now, now);
        tx.run(() -> store.insertProcess(s));
        cache.remove(actor.orgId() + "/" + p.module());
        return json(s);
    }

    /** Changes a process; requests already open keep the steps they started with. */
    public ObjectNode update(Actor actor, UUID id, JsonNode body) {
        access.require(actor, Capability.MANAGE_APPROVALS);
        OrderedDefinitions.requireObject(body);
        ApprovalStore.StoredProcess current = store.process(actor.orgId(), id).orElseThrow(() -> notFound(id));
        ObjectNode merged = OrderedDefinitions.changed(current.definition(), current.module(), current.revision(), body,
                "Approval process " + id, "process");
        ApprovalProcess p = ApprovalProcess.parse(actor, metadata.catalog(actor.orgId()), actions, merged, true);
        ApprovalStore.StoredProcess next = new ApprovalStore.StoredProcess(id, actor.orgId(), current.module(), OrderedDefinitions.position(body, current.position()),
                OrderedDefinitions.bool(body, "active", current.active()), p.json(), current.revision() + 1, current.createdAt(), clock.instant());
        tx.run(() -> {
            if (!store.updateProcess(next, current.revision())) {
                throw new ConflictException("Approval process " + id + " was changed by someone else; read it again and retry");
            }
        });
        cache.remove(actor.orgId() + "/" + current.module());
        return json(next);
    }

    public ObjectNode get(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_APPROVALS);
        return json(store.process(actor.orgId(), id).orElseThrow(() -> notFound(id)));
    }

    public List<ObjectNode> list(Actor actor, String module) {
        access.require(actor, Capability.MANAGE_APPROVALS);
        if (module != null) {
            metadata.catalog(actor.orgId()).get(module);
        }
        return store.processes(actor.orgId(), module).stream().map(Approvals::json).toList();
    }

    /** Deletes a process; refused (409) while a request of it is pending — recall or decide those first. */
    public void delete(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_APPROVALS);
        ApprovalStore.StoredProcess p = store.process(actor.orgId(), id).orElseThrow(() -> notFound(id));
        tx.run(() -> {
            if (store.pendingRequests(actor.orgId(), 10_000).stream().anyMatch(r -> r.processId().equals(id))) {
                throw new ConflictException("Approval process " + id + " has pending requests; switch it off, and decide or recall them first");
            }
            store.deleteProcess(actor.orgId(), id);
        });
        cache.remove(actor.orgId() + "/" + p.module());
    }

    // ------------------------------------------------------------------ requests

    /** A request, for those involved: its approvers (also stand-ins), its submitter, whoever can see the record, or an approvals manager. */
    public ObjectNode request(Actor actor, UUID id) {
        ApprovalStore.Request r = store.request(actor.orgId(), id).orElseThrow(() -> requestNotFound(id));
        if (!involved(actor, r) && records.visible(actor, r.module(), r.recordId()) == null && !access.has(actor, Capability.MANAGE_APPROVALS)) {
            throw requestNotFound(id);
        }
        return requestJson(r);
    }

    /** The approval requests of a record, newest first (needs permission to see the record). */
    public List<ObjectNode> ofRecord(Actor actor, String module, UUID recordId) {
        records.get(actor, module, recordId);
        return store.requestsOf(actor.orgId(), recordId).stream().map(this::requestJson).toList();
    }

    /** Approves for the calling user (an approver of the current step, or a stand-in for a deactivated one). */
    public ObjectNode approve(Actor actor, UUID id, JsonNode body) {
        return answer(actor, id, body, "approved");
    }

    /** Rejects (a comment is required); the record unlocks and the rejection actions run. */
    public ObjectNode reject(Actor actor, UUID id, JsonNode body) {
        return answer(actor, id, body, "rejected");
    }

    /** Hands the calling approver's part of the current step to another active user. */
    public ObjectNode delegate(Actor actor, UUID id, JsonNode body) {
        ApprovalStore.Request r = pendingRequest(actor, id);
        UUID to = body != null && body.path("to").isTextual() ? Ids.parse(body.get("to").textValue()) : null;
        if (to == null || users.activeUsers(actor.orgId(), List.of(to)).isEmpty()) {
            throw new ValidationException("Invalid delegate", List.of(new FieldError("to", "must be the id of an active user")));
        }
        String comment = comment(body, false);
        ObjectNode detail = r.detail().deepCopy();
        ArrayNode approvers = (ArrayNode) detail.path("steps").path(r.step()).path("approvers");
        ObjectNode mine = openEntryOf(actor, approvers);
        for (JsonNode a : approvers) {
            if (!"delegated".equals(a.path("answer").asText(null)) && a.path("user").asText().equals(to.toString())) {
                throw new ValidationException("Already an approver", List.of(new FieldError("to", "is already an approver of this step: one person counts once")));
            }
        }
        mine.put("answer", "delegated");
        mine.put("delegated_to", to.toString());
        mine.put("at", clock.instant().toString());
        approvers.addObject().put("user", to.toString()).putNull("answer");
        log(detail, "delegated", actor.userId(), comment).put("to", to.toString());
        save(r, r.status(), r.step(), detail);
        return requestJson(store.request(actor.orgId(), id).orElseThrow());
    }

    /** The submitter (or an approvals manager) withdraws the request; the record unlocks; no actions run. */
    public ObjectNode recall(Actor actor, UUID id, JsonNode body) {
        ApprovalStore.Request r = store.request(actor.orgId(), id).orElseThrow(() -> requestNotFound(id));
        boolean submitter = actor.userId().equals(r.submitter());
        if (!submitter && !access.has(actor, Capability.MANAGE_APPROVALS)) {
            if (!involved(actor, r) && records.visible(actor, r.module(), r.recordId()) == null) {
                throw requestNotFound(id);
            }
            throw new ForbiddenException("Only the submitter may recall this approval request");
        }
        if (!r.status().equals("pending")) {
            throw new ProcessRuleException("The request is already " + r.status());
        }
        ObjectNode detail = r.detail().deepCopy();
        log(detail, "recalled", actor.userId(), comment(body, false));
        tx.run(() -> {
            save(r, "recalled", r.step(), detail);
            cancelTimer(r);
        });
        return requestJson(store.request(actor.orgId(), id).orElseThrow());
    }

    private ObjectNode answer(Actor actor, UUID id, JsonNode body, String answer) {
        ApprovalStore.Request r = pendingRequest(actor, id);
        String comment = comment(body, answer.equals("rejected"));
        ObjectNode detail = r.detail().deepCopy();
        ArrayNode approvers = (ArrayNode) detail.path("steps").path(r.step()).path("approvers");
        ObjectNode mine = openEntryOf(actor, approvers);
        mine.put("answer", answer);
        mine.put("at", clock.instant().toString());
        if (!mine.path("user").asText().equals(actor.userId().toString())) {
            mine.put("answered_by", actor.userId().toString());
        }
        if (comment != null) {
            mine.put("comment", comment);
        }
        log(detail, answer, actor.userId(), comment);
        tx.run(() -> advance(r, detail, answer.equals("rejected")));
        return requestJson(store.request(actor.orgId(), id).orElseThrow());
    }

    /** After an answer: the request is rejected, moves to its next step, is approved, or waits for more answers. */
    private void advance(ApprovalStore.Request r, ObjectNode detail, boolean rejected) {
        ApprovalProcess p = processOf(r);
        if (rejected) {
            save(r, "rejected", r.step(), detail);
            cancelTimer(r);
            enqueue(r, p.onRejection(), "approval_rejected:" + r.processId());
            return;
        }
        JsonNode step = detail.path("steps").path(r.step());
        long approved = 0;
        long open = 0;
        for (JsonNode a : step.path("approvers")) {
            approved += "approved".equals(a.path("answer").asText(null)) ? 1 : 0;
            open += a.path("answer").isNull() ? 1 : 0;
        }
        String mode = step.path("mode").asText();
        boolean complete = switch (mode) {
            case "all" -> open == 0 && approved > 0;
            case "k_of_n" -> approved >= step.path("k").asInt();
            default -> approved >= 1;
        };
        if (!complete) {
            save(r, "pending", r.step(), detail);
            return;
        }
        cancelTimer(r);
        if (r.step() + 1 < p.steps().size()) {
            startStep(r, p, r.step() + 1, detail);
        } else {
            log(detail, "approved_finally", null, null);
            save(r, "approved", r.step(), detail);
            enqueue(r, p.onApproval(), "approval_approved:" + r.processId());
        }
    }

    /** Resolves a step's approvers now and waits for them (or rejects when there is nobody to ask). */
    private void startStep(ApprovalStore.Request r, ApprovalProcess p, int index, ObjectNode detail) {
        ApprovalProcess.Step step = p.steps().get(index);
        Record record = records.findForSignal(r.orgId(), r.module(), r.recordId());
        UUID owner = record == null || record.owner() == null ? r.submitter() : record.owner();
        Set<UUID> resolved = new LinkedHashSet<>();
        for (ApprovalProcess.Approver a : step.approvers()) {
            switch (a.type()) {
                case "user" -> resolved.add(a.id());
                case "role" -> resolved.addAll(access.usersInRole(r.orgId(), a.id()));
                case "group" -> resolved.addAll(access.members(r.orgId(), a.id()));
                default -> resolved.addAll(access.usersAbove(r.orgId(), owner, a.levels()));
            }
        }
        ObjectNode s = (ObjectNode) detail.withArray("steps").get(index);
        ArrayNode list = s.putArray("approvers");
        resolved.forEach(u -> list.addObject().put("user", u.toString()).putNull("answer"));
        int k = step.mode().equals("k_of_n") ? Math.min(step.k(), Math.max(1, resolved.size())) : 1;
        s.put("k", k);
        s.put("started_at", clock.instant().toString());
        boolean anyone = resolved.stream().anyMatch(u -> !effective(r.orgId(), u).isEmpty());
        if (!anyone) {
            log(detail, "rejected", null, "no active approver for step " + (index + 1));
            save(r, "rejected", index, detail);
            enqueue(r, p.onRejection(), "approval_rejected:" + r.processId());
            return;
        }
        log(detail, "step_started", null, null).put("step", index + 1);
        save(r, "pending", index, detail);
        if (step.escalation() != null) {
            timers.schedule(new Timer(r.orgId(), timerKey(r.id()), TIMER_PURPOSE, clock.instant().plus(step.escalation().after()),
                    record == null ? r.recordId().toString() : record.subject(), r.module(), r.recordId(),
                    Json.object().put("request", r.id().toString()).put("step", index)));
        }
    }

    /** Who can answer for an approver: the user when active, else the active users of the nearest role above theirs. */
    private Set<UUID> effective(UUID orgId, UUID user) {
        if (access.isActive(orgId, user)) {
            return Set.of(user);
        }
        for (int level = 1; level <= 10; level++) {
            Set<UUID> above = access.usersAbove(orgId, user, level);
            if (!above.isEmpty()) {
                return above;
            }
            if (access.roleOf(orgId, user) == null) {
                break;
            }
        }
        return Set.of();
    }

    private ObjectNode openEntryOf(Actor actor, ArrayNode approvers) {
        for (JsonNode a : approvers) {
            if (a.path("answer").isNull() && a.path("user").asText().equals(actor.userId().toString())) {
                return (ObjectNode) a;
            }
        }
        for (JsonNode a : approvers) {
            if (a.path("answer").isNull() && effective(actor.orgId(), UUID.fromString(a.path("user").asText())).contains(actor.userId())) {
                return (ObjectNode) a;
            }
        }
        throw new ForbiddenException("You are not an approver of the current step of this request");
    }

    private ApprovalStore.Request pendingRequest(Actor actor, UUID id) {
        ApprovalStore.Request r = store.request(actor.orgId(), id).orElseThrow(() -> requestNotFound(id));
        if (!involved(actor, r) && records.visible(actor, r.module(), r.recordId()) == null && !access.has(actor, Capability.MANAGE_APPROVALS)) {
            throw requestNotFound(id);
        }
        if (!r.status().equals("pending")) {
            throw new ProcessRuleException("The request is already " + r.status());
        }
        return r;
    }

    private boolean involved(Actor actor, ApprovalStore.Request r) {
        if (actor.userId().equals(r.submitter())) {
            return true;
        }
        for (JsonNode step : r.detail().path("steps")) {
            for (JsonNode a : step.path("approvers")) {
                UUID u = Ids.parse(a.path("user").asText());
                if (u != null && (u.equals(actor.userId()) || effective(r.orgId(), u).contains(actor.userId()))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String comment(JsonNode body, boolean required) {
        JsonNode c = body == null ? null : body.get("comment");
        if (c != null && !c.isNull() && (!c.isTextual() || c.textValue().length() > 2000)) {
            throw new ValidationException("Invalid comment", List.of(new FieldError("comment", "must be text of at most 2000 characters")));
        }
        String text = c == null || c.isNull() ? null : c.textValue();
        if (required && (text == null || text.isBlank())) {
            throw new ValidationException("A comment is required", List.of(new FieldError("comment", "is required when rejecting: say why")));
        }
        return text;
    }

    private void save(ApprovalStore.Request r, String status, int step, ObjectNode detail) {
        ApprovalStore.Request next = new ApprovalStore.Request(r.id(), r.orgId(), r.processId(), r.module(), r.recordId(), status, step, r.submitter(),
                detail, r.revision() + 1, r.createdAt(), clock.instant());
        tx.run(() -> {
            if (!store.updateRequest(next, r.revision())) {
                throw new ConflictException("The approval request was answered by someone else meanwhile; read it again and retry");
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

    private void enqueue(ApprovalStore.Request r, List<ActionDefinition> list, String source) {
        if (list.isEmpty()) {
            return;
        }
        Record record = records.findForSignal(r.orgId(), r.module(), r.recordId());
        String subject = record == null ? r.recordId().toString() : record.subject();
        outbox.enqueue(list.stream().map(a -> new Outbox.NewAction(r.orgId(), source, a, r.module(), r.recordId(), subject, null, 0)).toList());
    }

    private static String timerKey(UUID requestId) {
        return "ap:" + requestId;
    }

    private void cancelTimer(ApprovalStore.Request r) {
        timers.cancel(r.orgId(), List.of(timerKey(r.id())));
    }

    // ------------------------------------------------------------------ escalation

    /** Handles the approval timers' signals: a step not answered in time escalates. */
    public SignalConsumer timerConsumer() {
        return new SignalConsumer() {
            @Override
            public String name() {
                return "approvals";
            }

            @Override
            public void accept(Signal signal) {
                if (Timers.FIRED.equals(signal.type()) && TIMER_PURPOSE.equals(signal.payload().path("purpose").asText())) {
                    escalate(signal);
                }
            }
        };
    }

    private void escalate(Signal signal) {
        JsonNode data = signal.payload().path("data");
        UUID id = Ids.parse(data.path("request").asText());
        ApprovalStore.Request r = id == null ? null : store.request(signal.orgId(), id).orElse(null);
        if (r == null || !r.status().equals("pending") || r.step() != data.path("step").asInt()) {
            return; // answered or recalled since
        }
        ApprovalProcess p = processOf(r);
        ApprovalProcess.Escalation e = p.steps().get(r.step()).escalation();
        if (e == null) {
            return;
        }
        ObjectNode detail = r.detail().deepCopy();
        log(detail, "escalated", null, null).put("then", e.then());
        enqueue(r, e.actions(), "approval_escalation:" + r.processId());
        ArrayNode approvers = (ArrayNode) detail.path("steps").path(r.step()).path("approvers");
        switch (e.then()) {
            case "approve", "reject" -> {
                for (JsonNode a : approvers) {
                    if (a.path("answer").isNull()) {
                        ((ObjectNode) a).put("answer", e.then().equals("approve") ? "approved" : "rejected").put("at", clock.instant().toString())
                                .put("comment", "decided by escalation");
                    }
                }
                advance(r, detail, e.then().equals("reject"));
            }
            case "manager" -> {
                Set<String> present = new TreeSet<>();
                approvers.forEach(a -> present.add(a.path("user").asText()));
                List<UUID> add = new ArrayList<>();
                for (JsonNode a : approvers) {
                    if (a.path("answer").isNull()) {
                        access.usersAbove(r.orgId(), UUID.fromString(a.path("user").asText()), 1).forEach(add::add);
                    }
                }
                add.stream().map(UUID::toString).filter(present::add).forEach(u -> approvers.addObject().put("user", u).putNull("answer")
                        .put("added_by", "escalation"));
                save(r, "pending", r.step(), detail);
            }
            default -> save(r, "pending", r.step(), detail);
        }
    }

    // ------------------------------------------------------------------ the record guard

    /** The guard that locks records with a pending request and opens requests on create and edit. */
    public RecordGuard guard() {
        return new RecordGuard() {
            @Override
            public void checkUpdate(Actor actor, Module module, Record before, Record after) {
                // Requests outlive a process switched off, so the lock is looked up whatever the processes are.
                ApprovalStore.Request r = store.pending(actor.orgId(), after.id()).orElse(null);
                if (r != null) {
                    checkLocked(module, r, before, after);
                }
            }

            @Override
            public Map<Integer, RuntimeException> refusals(Actor actor, Module module, List<Record> before, List<Record> after) {
                // One read of the pending requests of all the records, not one per record.
                Map<UUID, ApprovalStore.Request> pending = store.pending(actor.orgId(), after.stream().map(Record::id).toList());
                Map<Integer, RuntimeException> out = new java.util.HashMap<>();
                for (int i = 0; i < after.size() && !pending.isEmpty(); i++) {
                    ApprovalStore.Request r = pending.get(after.get(i).id());
                    if (r != null) {
                        try {
                            checkLocked(module, r, before.get(i), after.get(i));
                        } catch (ConflictException e) {
                            out.put(i, e);
                        }
                    }
                }
                return out;
            }

            private void checkLocked(Module module, ApprovalStore.Request r, Record before, Record after) {
                ApprovalProcess p = processOf(r);
                List<String> changed = new ArrayList<>();
                for (var f : module.visibleFields()) {
                    if (!FieldValues.same(before.values().get(f.apiName()), after.values().get(f.apiName())) && !p.editableFields().contains(f.apiName())) {
                        changed.add(f.apiName());
                    }
                }
                if (!changed.isEmpty()) {
                    throw new ConflictException("The record is locked while approval '" + p.name() + "' is pending (request " + r.id()
                            + "); only " + new TreeSet<>(p.editableFields()) + " may change",
                            changed.stream().map(f -> new FieldError(f, "is locked while the approval is pending")).toList());
                }
            }

            @Override
            public void checkDelete(Actor actor, Module module, Record current) {
                if (store.pending(actor.orgId(), current.id()).isPresent()) {
                    throw new ConflictException("The record is locked while an approval is pending; recall it first");
                }
            }

            @Override
            public void created(Actor actor, Module module, List<Record> list) {
                for (Record r : list) {
                    submit(actor, module, null, r);
                }
            }

            @Override
            public void updated(Actor actor, Module module, List<Record> before, List<Record> after) {
                for (int i = 0; i < after.size(); i++) {
                    submit(actor, module, before.get(i), after.get(i));
                }
            }
        };
    }

    private void submit(Actor actor, Module module, Record before, Record after) {
        List<Loaded> processes = loaded(actor.orgId(), module.apiName());
        if (processes.isEmpty() || store.pending(actor.orgId(), after.id()).isPresent()) {
            return;
        }
        Instant now = clock.instant();
        var zone = users.timeZone(actor.orgId());
        for (Loaded l : processes) {
            ApprovalProcess p = l.process();
            if (before == null ? !p.onCreate() : !p.onEdit()) {
                continue;
            }
            boolean matches = p.criteria() == null || p.criteria().matches(after, null, now, zone);
            if (!matches) {
                continue;
            }
            if (before != null) {
                // On edit: when the record starts to match, or a user edits it (corrects it) after a rejection. A recalled
                // record stays out until it starts to match again: the submitter withdrew it on purpose.
                boolean matchedBefore = p.criteria() == null || p.criteria().matches(before, null, now, zone);
                String last = store.latest(actor.orgId(), after.id(), l.stored().id()).map(ApprovalStore.Request::status).orElse(null);
                boolean resubmission = !actor.isSystem() && "rejected".equals(last);
                if (matchedBefore && !resubmission) {
                    continue;
                }
            }
            UUID submitter = actor.isSystem() ? (after.owner() == null ? actor.userId() : after.owner()) : actor.userId();
            ObjectNode detail = Json.object();
            detail.put("process", p.name());
            ArrayNode steps = detail.putArray("steps");
            for (ApprovalProcess.Step s : p.steps()) {
                ObjectNode o = steps.addObject();
                o.put("mode", s.mode());
                o.put("k", s.k());
                o.putArray("approvers");
            }
            log(detail, "submitted", submitter, null);
            ApprovalStore.Request r = new ApprovalStore.Request(Ids.next(clock), actor.orgId(), l.stored().id(), module.apiName(), after.id(), "pending",
                    0, submitter, detail, 1, now, now);
            store.insertRequest(r);
            startStep(r, p, 0, detail.deepCopy());
            return;
        }
    }

    // ------------------------------------------------------------------ for My Jobs

    /** A request waiting on a user. */
    public record Waiting(UUID requestId, String process, String module, UUID recordId, int step, Instant since) {
    }

    /** The pending requests whose current step the user can answer (oldest first; at most {@code limit} pending requests looked at). */
    public List<Waiting> waitingOn(Actor actor, String module, int limit) {
        List<Waiting> out = new ArrayList<>();
        for (ApprovalStore.Request r : store.pendingRequests(actor.orgId(), limit)) {
            if (module != null && !module.equals(r.module())) {
                continue;
            }
            for (JsonNode a : r.detail().path("steps").path(r.step()).path("approvers")) {
                UUID u = Ids.parse(a.path("user").asText());
                if (a.path("answer").isNull() && u != null && effective(r.orgId(), u).contains(actor.userId())) {
                    out.add(new Waiting(r.id(), r.detail().path("process").asText(), r.module(), r.recordId(), r.step() + 1, r.modifiedAt()));
                    break;
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ loading and JSON

    private List<Loaded> loaded(UUID orgId, String module) {
        ModuleCatalog catalog = metadata.catalog(orgId);
        String key = orgId + "/" + module;
        Cached c = cache.get(key);
        long now = System.nanoTime();
        if (c != null && c.catalogVersion == catalog.version() && now - c.loadedAt < CACHE_NANOS) {
            return c.processes;
        }
        List<Loaded> list = new ArrayList<>();
        for (ApprovalStore.StoredProcess s : store.processes(orgId, module)) {
            if (s.active()) {
                list.add(new Loaded(s, ApprovalProcess.parse(null, catalog, actions, s.definition(), false)));
            }
        }
        cache.put(key, new Cached(now, catalog.version(), List.copyOf(list)));
        return list;
    }

    private ApprovalProcess processOf(ApprovalStore.Request r) {
        ApprovalStore.StoredProcess s = store.process(r.orgId(), r.processId())
                .orElseThrow(() -> new IllegalStateException("approval process " + r.processId() + " of request " + r.id() + " is gone"));
        return ApprovalProcess.parse(null, metadata.catalog(r.orgId()), actions, s.definition(), false);
    }

    private ObjectNode requestJson(ApprovalStore.Request r) {
        ObjectNode o = Json.object();
        o.put("id", r.id().toString());
        o.put("process_id", r.processId().toString());
        o.put("process", r.detail().path("process").asText());
        o.put("module", r.module());
        o.put("record_id", r.recordId().toString());
        o.put("status", r.status());
        o.put("step", r.step() + 1);
        o.put("submitter", r.submitter() == null ? null : r.submitter().toString());
        o.set("steps", r.detail().path("steps").deepCopy());
        o.set("log", r.detail().path("log").deepCopy());
        o.put("created_at", r.createdAt().toString());
        o.put("modified_at", r.modifiedAt().toString());
        return o;
    }

    private static ObjectNode json(ApprovalStore.StoredProcess s) {
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
        return new NotFoundException("No approval process has id " + id);
    }

    private static NotFoundException requestNotFound(UUID id) {
        return new NotFoundException("No approval request has id " + id);
    }
}

package io.waymark.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.criteria.CompiledCriteria;
import io.waymark.criteria.Criteria;
import io.waymark.error.ConflictException;
import io.waymark.error.ForbiddenException;
import io.waymark.error.FieldError;
import io.waymark.error.NotFoundException;
import io.waymark.error.PayloadTooLargeException;
import io.waymark.error.ValidationException;
import io.waymark.identity.Access;
import io.waymark.identity.AuditLog;
import io.waymark.identity.ModuleAction;
import io.waymark.identity.UserDirectory;
import io.waymark.json.Json;
import io.waymark.signal.NewSignal;
import io.waymark.signal.SignalPage;
import io.waymark.signal.SignalQuery;
import io.waymark.signal.SignalStore;
import io.waymark.tx.Transactor;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Creating, changing, deleting, reading and converting records. Every change is validated
 * against the module's metadata, then written together with its signal in one transaction: a
 * change without its signal, or half a bulk batch, is never stored. The timeline of a record is
 * read from those signals.
 *
 * <p>Every call checks the actor's profile (view, create, edit, delete, export on the module) and
 * sees only the records the actor may see ({@link Access#visibility}): the store applies that in
 * its queries, so lists, counts, related lists and lookups never reveal another user's hidden
 * records, and a hidden record answers 404 exactly like a missing one.
 */
public final class Records {
    /** The most records one bulk call may carry. */
    public static final int MAX_BATCH = 1_000;
    private static final Set<String> SYSTEM_KEYS = Set.of("id", "module", "subject", "version", "layout", "owner", "created_at",
            "created_by", "modified_at", "modified_by");

    private final Metadata metadata;
    private final RecordStore store;
    private final SignalStore signals;
    private final UserDirectory users;
    private final Access access;
    private final AuditLog audit;
    private final Transactor tx;
    private final Clock clock;
    private final List<Runnable> afterCommit = new ArrayList<>();
    private final List<RecordGuard> guards = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile RecordHold hold;

    public Records(Metadata metadata, RecordStore store, SignalStore signals, UserDirectory users, Access access, AuditLog audit,
                   Transactor tx, Clock clock) {
        this.metadata = metadata;
        this.store = store;
        this.signals = signals;
        this.users = users;
        this.access = access;
        this.audit = audit;
        this.tx = tx;
        this.clock = clock;
    }

    /** Runs {@code listener} after every committed change (e.g. to wake the signal dispatcher). */
    public void onCommit(Runnable listener) {
        afterCommit.add(listener);
    }

    /**
     * Adds a guard that every write consults inside its transaction (blueprints, approvals,
     * reviews lock records through it).
     */
    public void guard(RecordGuard guard) {
        guards.add(guard);
    }

    public Module module(Actor actor, String moduleName) {
        return metadata.catalog(actor.orgId()).get(moduleName);
    }

    // ---------------------------------------------------------------- reads

    public Record get(Actor actor, String moduleName, UUID id) {
        Module module = module(actor, moduleName);
        return store.find(actor.orgId(), module, id, readable(actor, module)).orElseThrow(() -> notFound(module, id));
    }

    /**
     * The record, for a change the actor makes beside its fields (an attachment, say): 404 when
     * they cannot see it, 403 without the module's edit permission or when they may only read it.
     */
    public Record changeable(Actor actor, String moduleName, UUID id) {
        Record r = get(actor, moduleName, id);
        Module module = module(actor, moduleName);
        access.requireModule(actor, module.apiName(), ModuleAction.EDIT);
        requireChange(actor, module, r);
        return r;
    }

    /** The record if the actor may see it, else null (also for an unknown module). */
    public Record visible(Actor actor, String moduleName, UUID id) {
        Module module = metadata.catalog(actor.orgId()).find(moduleName).orElse(null);
        return module == null ? null : store.find(actor.orgId(), module, id, access.visibility(actor, module)).orElse(null);
    }

    /** Requires the view permission; returns which records the actor sees. */
    private Visibility readable(Actor actor, Module module) {
        access.requireModule(actor, module.apiName(), ModuleAction.VIEW);
        return access.visibility(actor, module);
    }

    private void requireChange(Actor actor, Module module, Record r) {
        if (!access.canChange(actor, module, r)) {
            throw new ForbiddenException("You may read but not change " + module.apiName() + " record " + r.id());
        }
    }

    /**
     * One page of a module's records.
     *
     * @param criteria may be null
     * @param sort     "Field" or "-Field" keys, comma-separated, or null (newest first)
     */
    public RecordStore.RecordPage list(Actor actor, String moduleName, Criteria criteria, String sort, int limit, String cursor) {
        Module module = module(actor, moduleName);
        Visibility v = readable(actor, module);
        CompiledCriteria compiled = criteria == null ? null : CompiledCriteria.compile(criteria, module, false);
        List<RecordStore.Sort> keys = parseSort(module, sort);
        return store.list(actor.orgId(), module, compiled, keys, checkLimit(limit), cursor, clock.instant(), users.timeZone(actor.orgId()), v);
    }

    /** How many records match. */
    public long count(Actor actor, String moduleName, Criteria criteria) {
        Module module = module(actor, moduleName);
        Visibility v = readable(actor, module);
        CompiledCriteria compiled = criteria == null ? null : CompiledCriteria.compile(criteria, module, false);
        return store.count(actor.orgId(), module, compiled, clock.instant(), users.timeZone(actor.orgId()), v);
    }

    /**
     * Records of {@code relatedModule} that point at the record through a lookup; {@code via}
     * names the lookup field when there are several (else the only one is used).
     */
    public RecordStore.RecordPage related(Actor actor, String moduleName, UUID id, String relatedModule, String via, int limit, String cursor) {
        Module module = module(actor, moduleName);
        store.find(actor.orgId(), module, id, readable(actor, module)).orElseThrow(() -> notFound(module, id));
        Module related = module(actor, relatedModule);
        Visibility relatedVisibility = readable(actor, related);
        List<Field> links = related.visibleFields().stream()
                .filter(f -> f.type() == FieldType.LOOKUP && module.apiName().equals(f.lookupModule()))
                .filter(f -> via == null || f.apiName().equals(via)).toList();
        if (links.isEmpty()) {
            throw new ValidationException("No lookup links them", List.of(new FieldError(via == null ? "module" : "field",
                    related.apiName() + " has no lookup field to " + module.apiName() + (via == null ? "" : " named " + via))));
        }
        if (links.size() > 1) {
            throw new ValidationException("Ambiguous relation", List.of(new FieldError("field", related.apiName()
                    + " has several lookups to " + module.apiName() + ": name one of " + links.stream().map(Field::apiName).toList())));
        }
        return store.related(actor.orgId(), related, links.get(0), id, checkLimit(limit), cursor, relatedVisibility);
    }

    private static int checkLimit(int limit) {
        if (limit < 1 || limit > 1000) {
            throw new ValidationException("Invalid limit", List.of(new FieldError("limit", "must be between 1 and 1000")));
        }
        return limit;
    }

    private List<RecordStore.Sort> parseSort(Module module, String sort) {
        List<RecordStore.Sort> keys = new ArrayList<>();
        if (sort == null || sort.isBlank()) {
            keys.add(new RecordStore.Sort(SystemFields.find(SystemFields.CREATED_AT).orElseThrow(), true));
            return keys;
        }
        for (String part : sort.split(",")) {
            String p = part.strip();
            boolean desc = p.startsWith("-");
            String name = desc || p.startsWith("+") ? p.substring(1) : p;
            Field f = SystemFields.resolve(module, name).orElseThrow(() -> new ValidationException("Invalid sort",
                    List.of(new FieldError("sort", "unknown field '" + name + "' in module " + module.apiName()))));
            if (f.type() == FieldType.MULTI_SELECT || f.type() == FieldType.LONG_TEXT) {
                throw new ValidationException("Invalid sort", List.of(new FieldError("sort", "cannot sort by " + name + " (a " + f.type().apiName() + " field)")));
            }
            keys.add(new RecordStore.Sort(f, desc));
        }
        if (keys.size() > 3) {
            throw new ValidationException("Invalid sort", List.of(new FieldError("sort", "at most 3 sort keys")));
        }
        return keys;
    }

    // ---------------------------------------------------------------- writes

    /** Creates one record through the API ({@link CreationSource#API}). */
    public Record create(Actor actor, String moduleName, JsonNode input) {
        return create(actor, moduleName, input, CreationSource.API);
    }

    /** Creates one record that came in through {@code source} (a form, a wizard, a kiosk, an automation). */
    public Record create(Actor actor, String moduleName, JsonNode input, CreationSource source) {
        return createAll(actor, moduleName, List.of(input), false, source).get(0);
    }

    /** Creates every record or none, as an import ({@link CreationSource#IMPORT}). Errors name the index: {@code [3].Email}. */
    public List<Record> createAll(Actor actor, String moduleName, List<JsonNode> inputs) {
        return createAll(actor, moduleName, inputs, true, CreationSource.IMPORT);
    }

    /** Adds the hold (a review) that may keep new records away from automations; at most one. */
    public void hold(RecordHold hold) {
        if (this.hold != null) {
            throw new IllegalStateException("Records already have a hold");
        }
        this.hold = hold;
    }

    /** Which of these records are held (under review) now, in the caller's transaction. */
    public Set<UUID> held(UUID orgId, Collection<UUID> ids) {
        return hold == null || ids.isEmpty() ? Set.of() : hold.held(orgId, ids);
    }

    /**
     * Lets a held record go: in the caller's transaction, appends {@code record.review_accepted}
     * (payload {@code fields}, the record's values, and {@code extra}) and calls every guard's
     * {@code created} as {@code actor}, so that automations run as if the record had just been created.
     */
    public void release(Actor actor, Record record, ObjectNode extra) {
        Module module = metadata.catalog(actor.orgId()).get(record.module());
        ObjectNode payload = Json.object();
        payload.set("fields", valuesJson(module, record.values()));
        payload.setAll(extra);
        signals.append(List.of(signal(actor, HeldSignals.RELEASED, module, record, payload, clock.instant())));
        guards.forEach(g -> g.created(actor, module, List.of(record)));
    }

    private List<Record> createAll(Actor actor, String moduleName, List<JsonNode> inputs, boolean bulk, CreationSource source) {
        checkBatch(inputs);
        Module module = module(actor, moduleName);
        access.requireModule(actor, module.apiName(), ModuleAction.CREATE);
        Instant now = clock.instant();
        List<FieldError> errors = new ArrayList<>();
        List<Record> drafts = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            String prefix = bulk ? "[" + i + "]" : "";
            drafts.add(draftCreate(actor, module, inputs.get(i), now, prefix, errors));
        }
        List<Record> records = checkReferences(actor, module, drafts, null, bulk, errors);
        if (!errors.isEmpty()) {
            throw new ValidationException(errorSummary(errors), errors);
        }
        List<NewSignal> news = new ArrayList<>(records.size());
        for (Record r : records) {
            ObjectNode payload = Json.object();
            payload.set("fields", valuesJson(module, r.values()));
            payload.put("source", source.apiName());
            news.add(signal(actor, "record.created", module, r, payload, now));
        }
        write(() -> {
            store.insert(actor.orgId(), module, records);
            RecordHold.Intake intake = hold == null ? RecordHold.Intake.NONE : hold.intake(actor, module, records, source);
            List<NewSignal> all = new ArrayList<>(news);
            all.addAll(intake.signals());
            markHeld(news, intake.held());
            signals.append(all);
            List<Record> free = intake.held().isEmpty() ? records : records.stream().filter(r -> !intake.held().contains(r.id())).toList();
            if (!free.isEmpty()) {
                guards.forEach(g -> g.created(actor, module, free));
            }
        });
        return records;
    }

    private Record draftCreate(Actor actor, Module module, JsonNode node, Instant now, String prefix, List<FieldError> errors) {
        if (node == null || !node.isObject()) {
            errors.add(new FieldError(prefix.isEmpty() ? "body" : prefix, "must be a JSON object"));
            return null;
        }
        ObjectNode in = (ObjectNode) node;
        Layout layout = module.defaultLayout();
        JsonNode layoutNode = in.get("layout");
        if (layoutNode != null && !layoutNode.isNull()) {
            Layout l = layoutNode.isTextual() ? module.layout(layoutNode.textValue()).orElse(null) : null;
            if (l == null) {
                errors.add(new FieldError(key(prefix, "layout"), "unknown layout; expected one of " + module.layouts().stream().map(Layout::name).toList()));
            } else {
                layout = l;
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Field f : module.visibleFields()) {
            values.put(f.apiName(), null);
        }
        int before = errors.size();
        Set<String> given = applyInput(module, layout, in, values, prefix, errors, true);
        for (Field f : module.visibleFields()) {
            if (!given.contains(f.apiName()) && f.defaultValue() != null && onLayout(layout, f)) {
                values.put(f.apiName(), f.defaultValue());
            }
        }
        if (values.get("Owner") == null && module.field("Owner").isPresent()) {
            values.put("Owner", actor.userId());
        }
        requireFields(module, layout, values, null, prefix, errors);
        if (errors.size() > before) {
            return null;
        }
        UUID id = Ids.next(clock);
        return new Record(id, module.apiName(), layout.id(), id.toString(), 1, now, actor.userId(), now, actor.userId(), values);
    }

    /** Applies the input's field values onto {@code values}; returns the names it set. */
    private Set<String> applyInput(Module module, Layout layout, ObjectNode in, Map<String, Object> values, String prefix,
                                   List<FieldError> errors, boolean create) {
        Set<String> given = new HashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = in.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (name.equals("layout") || !create && (name.equals("version") || name.equals("id"))) {
                continue;
            }
            if (SYSTEM_KEYS.contains(name)) {
                errors.add(new FieldError(key(prefix, name), "is read-only"));
                continue;
            }
            Field f = module.field(name).orElse(null);
            if (f == null) {
                errors.add(new FieldError(key(prefix, name), "unknown field in module " + module.apiName()));
                continue;
            }
            if (f.readOnly()) {
                errors.add(new FieldError(key(prefix, name), "is read-only"));
                continue;
            }
            if (!onLayout(layout, f)) {
                errors.add(new FieldError(key(prefix, name), "is not on the layout '" + layout.name() + "'"));
                continue;
            }
            FieldValues.Result r = FieldValues.fromJson(f, e.getValue());
            if (!r.ok()) {
                errors.add(new FieldError(key(prefix, name), r.error()));
                continue;
            }
            values.put(name, r.value());
            given.add(name);
        }
        return given;
    }

    private static boolean onLayout(Layout layout, Field f) {
        return f.system() || layout.contains(f.apiName());
    }

    private static void requireFields(Module module, Layout layout, Map<String, Object> values, Set<String> only, String prefix,
                                      List<FieldError> errors) {
        for (Field f : module.visibleFields()) {
            if (f.required() && onLayout(layout, f) && values.get(f.apiName()) == null && (only == null || only.contains(f.apiName()))) {
                if (errors.stream().noneMatch(e -> e.field().equals(key(prefix, f.apiName())))) {
                    errors.add(new FieldError(key(prefix, f.apiName()), "is required"));
                }
            }
        }
    }

    /**
     * Checks what needs the store: lookups point at existing records, owners are active users,
     * unique values are free. Returns the records with their subjects resolved.
     *
     * @param previous by id, the stored versions of records being updated (null for creates)
     */
    private List<Record> checkReferences(Actor actor, Module module, List<Record> drafts, Map<UUID, Record> previous, boolean bulk,
                                         List<FieldError> errors) {
        ModuleCatalog catalog = metadata.catalog(actor.orgId());
        Map<String, Map<UUID, String>> found = new HashMap<>();
        Set<UUID> owners = new HashSet<>();
        Map<String, Set<UUID>> wanted = new HashMap<>();
        for (Record r : drafts) {
            if (r == null) {
                continue;
            }
            for (Field f : module.visibleFields()) {
                Object v = r.values().get(f.apiName());
                if (v == null || previous != null && FieldValues.same(v, previous.get(r.id()).values().get(f.apiName()))
                        && !f.apiName().equals(module.subjectField())) {
                    continue;
                }
                if (f.type() == FieldType.LOOKUP) {
                    wanted.computeIfAbsent(f.lookupModule(), k -> new LinkedHashSet<>()).add((UUID) v);
                } else if (f.type() == FieldType.OWNER) {
                    owners.add((UUID) v);
                }
            }
        }
        for (Map.Entry<String, Set<UUID>> w : wanted.entrySet()) {
            Module target = catalog.find(w.getKey()).orElse(null);
            found.put(w.getKey(), target == null ? Map.of() : store.subjects(actor.orgId(), target, w.getValue(), access.visibility(actor, target)));
        }
        Set<UUID> activeOwners = owners.isEmpty() ? Set.of() : users.activeUsers(actor.orgId(), owners);
        Map<String, Map<Object, UUID>> holders = new HashMap<>();
        for (Field f : module.visibleFields()) {
            if (!f.unique()) {
                continue;
            }
            Map<Object, UUID> seen = new HashMap<>();
            List<Object> values = new ArrayList<>();
            for (int i = 0; i < drafts.size(); i++) {
                Record r = drafts.get(i);
                Object v = r == null ? null : r.values().get(f.apiName());
                if (v == null) {
                    continue;
                }
                UUID other = seen.putIfAbsent(v, r.id());
                if (other != null && !other.equals(r.id())) {
                    errors.add(new FieldError(key(bulk ? "[" + i + "]" : "", f.apiName()), "repeats the value of an earlier record in this batch; the field is unique"));
                }
                values.add(v);
            }
            holders.put(f.apiName(), values.isEmpty() ? Map.of() : store.holders(actor.orgId(), module, f, values));
        }
        List<Record> out = new ArrayList<>(drafts.size());
        for (int i = 0; i < drafts.size(); i++) {
            Record r = drafts.get(i);
            if (r == null) {
                out.add(null);
                continue;
            }
            String prefix = bulk ? "[" + i + "]" : "";
            String subject = r.subject();
            for (Field f : module.visibleFields()) {
                Object v = r.values().get(f.apiName());
                if (v == null) {
                    continue;
                }
                boolean unchanged = previous != null && FieldValues.same(v, previous.get(r.id()).values().get(f.apiName()));
                if (f.type() == FieldType.LOOKUP && (!unchanged || f.apiName().equals(module.subjectField()))) {
                    String targetSubject = found.getOrDefault(f.lookupModule(), Map.of()).get((UUID) v);
                    if (targetSubject == null && !unchanged) {
                        errors.add(new FieldError(key(prefix, f.apiName()), "no " + f.lookupModule() + " record has id " + v));
                    } else if (targetSubject != null && f.apiName().equals(module.subjectField())) {
                        subject = targetSubject;
                    }
                } else if (f.type() == FieldType.OWNER && !unchanged && !activeOwners.contains((UUID) v)) {
                    errors.add(new FieldError(key(prefix, f.apiName()), "no active user has id " + v));
                } else if (f.unique() && !unchanged) {
                    UUID holder = holders.getOrDefault(f.apiName(), Map.of()).get(v);
                    if (holder != null && !holder.equals(r.id())) {
                        errors.add(new FieldError(key(prefix, f.apiName()), "the value is already held by record " + holder + "; the field is unique"));
                    }
                }
            }
            if (module.subjectField() != null && r.values().get(module.subjectField()) == null) {
                // Unlinked from its subject's record, a record is a subject of its own again.
                subject = r.id().toString();
            }
            out.add(new Record(r.id(), r.module(), r.layoutId(), subject, r.version(), r.createdAt(), r.createdBy(), r.modifiedAt(),
                    r.modifiedBy(), r.values()));
        }
        return out;
    }

    public Record update(Actor actor, String moduleName, UUID id, JsonNode input, Long expectedVersion) {
        if (input != null && input.isObject()) {
            ObjectNode copy = ((ObjectNode) input).deepCopy();
            copy.put("id", id.toString());
            if (expectedVersion != null) {
                copy.put("version", expectedVersion);
            }
            return updateAll(actor, moduleName, List.of(copy), false).get(0);
        }
        return updateAll(actor, moduleName, java.util.Collections.singletonList(input), false).get(0);
    }

    /** Updates every record or none; each input names its {@code id} and may name its {@code version}. */
    public List<Record> updateAll(Actor actor, String moduleName, List<JsonNode> inputs) {
        return updateAll(actor, moduleName, inputs, true);
    }

    private List<Record> updateAll(Actor actor, String moduleName, List<JsonNode> inputs, boolean bulk) {
        checkBatch(inputs);
        Module module = module(actor, moduleName);
        access.requireModule(actor, module.apiName(), ModuleAction.EDIT);
        Visibility visibility = access.visibility(actor, module);
        Instant now = clock.instant();
        List<FieldError> errors = new ArrayList<>();
        List<UUID> ids = new ArrayList<>();
        Set<UUID> distinct = new HashSet<>();
        for (int i = 0; i < inputs.size(); i++) {
            JsonNode in = inputs.get(i);
            String prefix = bulk ? "[" + i + "]" : "";
            UUID id = in != null && in.isObject() && in.path("id").isTextual() ? Ids.parse(in.get("id").textValue()) : null;
            if (in == null || !in.isObject()) {
                errors.add(new FieldError(prefix.isEmpty() ? "body" : prefix, "must be a JSON object"));
            } else if (id == null) {
                errors.add(new FieldError(key(prefix, "id"), "is required: the id of the record to update"));
            } else if (!distinct.add(id)) {
                errors.add(new FieldError(key(prefix, "id"), "names a record already updated earlier in this batch"));
            }
            ids.add(id);
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errorSummary(errors), errors);
        }
        Map<UUID, Record> stored = new HashMap<>();
        for (Record r : store.findAll(actor.orgId(), module, distinct, visibility)) {
            stored.put(r.id(), r);
        }
        for (Record r : stored.values()) {
            requireChange(actor, module, r);
        }
        List<Record> drafts = new ArrayList<>();
        List<Set<String>> givenSets = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            String prefix = bulk ? "[" + i + "]" : "";
            ObjectNode in = (ObjectNode) inputs.get(i);
            Record current = stored.get(ids.get(i));
            if (current == null) {
                if (!bulk) {
                    throw notFound(module, ids.get(i));
                }
                errors.add(new FieldError(key(prefix, "id"), "no " + module.apiName() + " record has this id"));
                drafts.add(null);
                givenSets.add(Set.of());
                continue;
            }
            JsonNode v = in.get("version");
            if (v != null && !v.isNull() && (!v.canConvertToLong() || !v.isIntegralNumber())) {
                errors.add(new FieldError(key(prefix, "version"), "must be a whole number"));
            } else if (v != null && !v.isNull() && v.longValue() != current.version()) {
                throw new ConflictException("Record " + current.id() + " is at version " + current.version() + ", not " + v.longValue()
                        + "; read it again and retry", List.of(new FieldError(key(prefix, "version"), "is stale: the record is at version " + current.version())));
            }
            if (Boolean.TRUE.equals(current.values().get("Is_Converted"))) {
                throw new ConflictException("Lead " + current.id() + " was converted and can no longer be changed");
            }
            Layout layout = module.layout(current.layoutId()).orElse(module.defaultLayout());
            JsonNode layoutNode = in.get("layout");
            if (layoutNode != null && !layoutNode.isNull()) {
                Layout l = layoutNode.isTextual() ? module.layout(layoutNode.textValue()).orElse(null) : null;
                if (l == null) {
                    errors.add(new FieldError(key(prefix, "layout"), "unknown layout"));
                } else {
                    layout = l;
                }
            }
            Map<String, Object> values = new LinkedHashMap<>(current.values());
            Set<String> given = applyInput(module, layout, in, values, prefix, errors, false);
            boolean layoutChanged = !layout.id().equals(current.layoutId());
            requireFields(module, layout, values, layoutChanged ? null : given, prefix, errors);
            givenSets.add(given);
            drafts.add(new Record(current.id(), current.module(), layout.id(), current.subject(), current.version() + 1, current.createdAt(),
                    current.createdBy(), now, actor.userId(), values));
        }
        List<Record> checked = checkReferences(actor, module, drafts, stored, bulk, errors);
        if (!errors.isEmpty()) {
            throw new ValidationException(errorSummary(errors), errors);
        }
        List<Record> changed = new ArrayList<>();
        List<Record> previous = new ArrayList<>();
        List<NewSignal> news = new ArrayList<>();
        List<Record> result = new ArrayList<>();
        for (Record r : checked) {
            Record before = stored.get(r.id());
            ArrayNode changes = diff(module, before, r);
            if (changes.isEmpty() && r.layoutId().equals(before.layoutId())) {
                result.add(before);
                continue;
            }
            changed.add(r);
            previous.add(before);
            result.add(r);
            ObjectNode payload = Json.object();
            payload.set("changes", changes);
            payload.put("version", r.version());
            if (!r.subject().equals(before.subject())) {
                payload.put("previous_subject", before.subject());
            }
            news.add(signal(actor, "record.updated", module, r, payload, now));
        }
        if (!changed.isEmpty()) {
            write(() -> {
                // All or nothing: the first refused change (in input order, then guard order) refuses the call.
                RuntimeException first = null;
                int firstAt = Integer.MAX_VALUE;
                for (RecordGuard g : guards) {
                    for (Map.Entry<Integer, RuntimeException> r : g.refusals(actor, module, previous, changed).entrySet()) {
                        if (r.getKey() < firstAt) {
                            firstAt = r.getKey();
                            first = r.getValue();
                        }
                    }
                }
                if (first != null) {
                    throw first;
                }
                Set<UUID> held = hold == null ? Set.of() : hold.held(actor.orgId(), changed.stream().map(Record::id).toList());
                store.update(actor.orgId(), module, changed);
                markHeld(news, held);
                signals.append(news);
                updated(actor, module, previous, changed, held);
            });
        }
        return result;
    }

    /** The field values one change of {@link #updateEach} sets, computed from the record as stored. */
    @FunctionalInterface
    public interface FieldChanges {
        /** The fields to set on {@code current}, as in an update's input; throwing refuses this change alone. */
        ObjectNode of(Record current) throws Exception;
    }

    /**
     * One change of {@link #updateEach}.
     *
     * @param cause the action that makes the change, stamped on its {@code record.updated} signal; or null
     */
    public record Change(UUID id, FieldChanges fields, io.waymark.signal.Causation cause) {
    }

    /** What became of one change: the record after it (as it was, when nothing changed), or why it was refused. */
    public record Outcome(Record record, Exception refusal) {
    }

    /**
     * Updates records of one module, each change on its own terms, in one go: one read of all the
     * records, one batched write and one signal append for those that change. A change is refused
     * alone, writing nothing of it, when its record is missing, hidden or not changeable by the
     * actor, when its values are invalid or its {@link FieldChanges} throws, or when a
     * {@linkplain RecordGuard guard} refuses it; the others go ahead. Joins the caller's
     * transaction. Failures of the store itself (a record changed by someone else since it was read,
     * a unique value taken meanwhile) are thrown for the whole call: the caller rolls back and may
     * make the changes one by one. The ids must be distinct.
     */
    public List<Outcome> updateEach(Actor actor, String moduleName, List<Change> changes) {
        checkBatch(changes);
        Module module = module(actor, moduleName);
        access.requireModule(actor, module.apiName(), ModuleAction.EDIT);
        Visibility visibility = access.visibility(actor, module);
        Instant now = clock.instant();
        Set<UUID> ids = new LinkedHashSet<>();
        for (Change c : changes) {
            if (!ids.add(c.id())) {
                throw new IllegalArgumentException("Record " + c.id() + " is named twice in one updateEach");
            }
        }
        Map<UUID, Record> stored = new HashMap<>();
        for (Record r : store.findAll(actor.orgId(), module, ids, visibility)) {
            stored.put(r.id(), r);
        }
        int n = changes.size();
        Exception[] refused = new Exception[n];
        List<Record> drafts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Change c = changes.get(i);
            Record current = stored.get(c.id());
            drafts.add(null);
            if (current == null) {
                refused[i] = notFound(module, c.id());
                continue;
            }
            if (!access.canChange(actor, module, current)) {
                refused[i] = new ForbiddenException("You may read but not change " + module.apiName() + " record " + current.id());
                continue;
            }
            if (Boolean.TRUE.equals(current.values().get("Is_Converted"))) {
                refused[i] = new ConflictException("Lead " + current.id() + " was converted and can no longer be changed");
                continue;
            }
            ObjectNode in;
            try {
                in = c.fields().of(current);
            } catch (Exception e) {
                refused[i] = e;
                continue;
            }
            Layout layout = module.layout(current.layoutId()).orElse(module.defaultLayout());
            List<FieldError> errors = new ArrayList<>();
            Map<String, Object> values = new LinkedHashMap<>(current.values());
            Set<String> given = applyInput(module, layout, in, values, "", errors, false);
            requireFields(module, layout, values, given, "", errors);
            if (!errors.isEmpty()) {
                refused[i] = new ValidationException(errorSummary(errors), errors);
                continue;
            }
            drafts.set(i, new Record(current.id(), current.module(), current.layoutId(), current.subject(), current.version() + 1,
                    current.createdAt(), current.createdBy(), now, actor.userId(), values));
        }
        // Lookups, owners and unique values for all the changes at once; errors come back named "[i].Field".
        List<FieldError> referenceErrors = new ArrayList<>();
        List<Record> checked = checkReferences(actor, module, drafts, stored, true, referenceErrors);
        Map<Integer, List<FieldError>> byChange = new HashMap<>();
        for (FieldError e : referenceErrors) {
            int close = e.field().indexOf(']');
            int i = Integer.parseInt(e.field().substring(1, close));
            String field = e.field().length() > close + 1 ? e.field().substring(close + 2) : "";
            byChange.computeIfAbsent(i, k -> new ArrayList<>()).add(new FieldError(field, e.message()));
        }
        byChange.forEach((i, errors) -> refused[i] = new ValidationException(errorSummary(errors), errors));
        Outcome[] out = new Outcome[n];
        List<Integer> positions = new ArrayList<>();
        List<Record> changed = new ArrayList<>();
        List<Record> previous = new ArrayList<>();
        List<NewSignal> news = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (refused[i] != null) {
                out[i] = new Outcome(null, refused[i]);
                continue;
            }
            Record r = checked.get(i);
            Record before = stored.get(r.id());
            ArrayNode diffs = diff(module, before, r);
            if (diffs.isEmpty()) {
                out[i] = new Outcome(before, null);
                continue;
            }
            ObjectNode payload = Json.object();
            payload.set("changes", diffs);
            payload.put("version", r.version());
            if (!r.subject().equals(before.subject())) {
                payload.put("previous_subject", before.subject());
            }
            io.waymark.signal.Causation cause = changes.get(i).cause();
            news.add(cause == null ? signal(actor, "record.updated", module, r, payload, now)
                    : cause.during(() -> signal(actor, "record.updated", module, r, payload, now)));
            positions.add(i);
            changed.add(r);
            previous.add(before);
            out[i] = new Outcome(r, null);
        }
        if (!changed.isEmpty()) {
            write(() -> {
                Map<Integer, RuntimeException> refusals = new HashMap<>();
                for (RecordGuard g : guards) {
                    g.refusals(actor, module, previous, changed).forEach(refusals::putIfAbsent);
                }
                List<Record> keptBefore = new ArrayList<>(changed.size());
                List<Record> kept = new ArrayList<>(changed.size());
                List<NewSignal> keptNews = new ArrayList<>(changed.size());
                for (int k = 0; k < changed.size(); k++) {
                    RuntimeException refusal = refusals.get(k);
                    if (refusal != null) {
                        out[positions.get(k)] = new Outcome(null, refusal);
                    } else {
                        keptBefore.add(previous.get(k));
                        kept.add(changed.get(k));
                        keptNews.add(news.get(k));
                    }
                }
                if (!kept.isEmpty()) {
                    Set<UUID> held = hold == null ? Set.of() : hold.held(actor.orgId(), kept.stream().map(Record::id).toList());
                    store.update(actor.orgId(), module, kept);
                    markHeld(keptNews, held);
                    signals.append(keptNews);
                    updated(actor, module, keptBefore, kept, held);
                }
            });
        }
        return java.util.Arrays.asList(out);
    }

    private static ArrayNode diff(Module module, Record before, Record after) {
        ArrayNode changes = Json.MAPPER.createArrayNode();
        for (Field f : module.visibleFields()) {
            Object o = before.values().get(f.apiName());
            Object n = after.values().get(f.apiName());
            if (!FieldValues.same(o, n)) {
                ObjectNode c = changes.addObject();
                c.put("field", f.apiName());
                c.set("old", FieldValues.toJson(o));
                c.set("new", FieldValues.toJson(n));
            }
        }
        return changes;
    }

    public void delete(Actor actor, String moduleName, UUID id, Long expectedVersion) {
        Module module = module(actor, moduleName);
        access.requireModule(actor, module.apiName(), ModuleAction.DELETE);
        Record current = store.find(actor.orgId(), module, id, access.visibility(actor, module)).orElseThrow(() -> notFound(module, id));
        requireChange(actor, module, current);
        if (expectedVersion != null && expectedVersion != current.version()) {
            throw new ConflictException("Record " + id + " is at version " + current.version() + ", not " + expectedVersion,
                    List.of(new FieldError("version", "is stale: the record is at version " + current.version())));
        }
        Instant now = clock.instant();
        ObjectNode payload = Json.object();
        payload.set("fields", valuesJson(module, current.values()));
        payload.put("version", current.version());
        NewSignal s = signal(actor, "record.deleted", module, current, payload, now);
        write(() -> {
            guards.forEach(g -> g.checkDelete(actor, module, current));
            store.delete(actor.orgId(), module, List.of(current), actor.userId(), now);
            signals.append(List.of(s));
            guards.forEach(g -> g.deleted(actor, module, current));
        });
    }

    /**
     * Transfers records to another owner, all or none: each must be visible to and changeable by
     * the actor, the new owner an active user. Each change is an ordinary {@code record.updated}.
     */
    public List<Record> transferOwnership(Actor actor, String moduleName, List<UUID> ids, UUID owner) {
        Module module = module(actor, moduleName);
        if (module.field("Owner").isEmpty()) {
            throw new ValidationException("No owner", List.of(new FieldError("module", module.apiName() + " has no Owner field")));
        }
        if (owner == null) {
            throw new ValidationException("Owner required", List.of(new FieldError("owner", "is required: the id of an active user")));
        }
        List<JsonNode> inputs = new ArrayList<>();
        for (UUID id : ids) {
            ObjectNode o = Json.object();
            o.put("id", id == null ? null : id.toString());
            o.put("Owner", owner.toString());
            inputs.add(o);
        }
        return updateAll(actor, moduleName, inputs, true);
    }

    /**
     * Moves every record that {@code from} owns, and the actor can change, to {@code to} — in the
     * named modules, or every module with an owner. Batches of {@link #MAX_BATCH} are each one
     * transaction; a run that stops half-way is finished by running it again (records already
     * moved no longer match). Typically used before or after deactivating a user; needs
     * {@code manage_users}.
     *
     * @return how many records moved, by module
     */
    public Map<String, Integer> transferAll(Actor actor, UUID from, UUID to, List<String> moduleNames) {
        access.require(actor, io.waymark.identity.Capability.MANAGE_USERS);
        List<FieldError> errors = new ArrayList<>();
        if (from == null) {
            errors.add(new FieldError("from", "is required: the id of the current owner"));
        }
        if (to == null || users.activeUsers(actor.orgId(), List.of(to)).isEmpty()) {
            errors.add(new FieldError("to", "must be the id of an active user"));
        }
        ModuleCatalog catalog = metadata.catalog(actor.orgId());
        List<Module> modules = new ArrayList<>();
        if (moduleNames == null || moduleNames.isEmpty()) {
            catalog.modules().stream().filter(m -> m.field("Owner").isPresent()).forEach(modules::add);
        } else {
            for (String n : moduleNames) {
                Module m = catalog.find(n).orElse(null);
                if (m == null || m.field("Owner").isEmpty()) {
                    errors.add(new FieldError("modules", n + " is not a module with an owner"));
                } else {
                    modules.add(m);
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errorSummary(errors), errors);
        }
        Map<String, Integer> moved = new LinkedHashMap<>();
        for (Module m : modules) {
            if (!access.allows(actor, m.apiName(), ModuleAction.EDIT)) {
                continue;
            }
            Visibility v = access.visibility(actor, m);
            Criteria owned = io.waymark.criteria.CompactCriteria.parse("(Owner:equals:" + from + ")");
            CompiledCriteria compiled = CompiledCriteria.compile(owned, m, false);
            List<UUID> ids = new ArrayList<>();
            String cursor = null;
            do {
                RecordStore.RecordPage page = store.list(actor.orgId(), m, compiled, parseSort(m, null), MAX_BATCH, cursor, clock.instant(),
                        users.timeZone(actor.orgId()), v);
                page.records().stream().filter(r -> access.canChange(actor, m, r)).map(Record::id).forEach(ids::add);
                cursor = page.next();
            } while (cursor != null);
            int count = 0;
            for (int i = 0; i < ids.size() && !from.equals(to); i += MAX_BATCH) {
                count += transferOwnership(actor, m.apiName(), ids.subList(i, Math.min(ids.size(), i + MAX_BATCH)), to).size();
            }
            moved.put(m.apiName(), count);
        }
        audit.record(actor.orgId(), actor.userId(), "ownership.transferred", from, AuditLog.detail("to", to, "records",
                moved.values().stream().mapToInt(Integer::intValue).sum()));
        return moved;
    }

    /** The most records one export returns. */
    public static final int MAX_EXPORT = 10_000;

    /** An export: the records (at most {@link #MAX_EXPORT}) and whether more matched. */
    public record Export(Module module, List<Record> records, boolean truncated) {
    }

    /**
     * Every visible record matching the criteria, for a download; needs the view and export
     * permissions on the module and is written to the audit log.
     */
    public Export export(Actor actor, String moduleName, Criteria criteria, String sort) {
        Module module = module(actor, moduleName);
        access.requireModule(actor, module.apiName(), ModuleAction.EXPORT);
        List<Record> out = new ArrayList<>();
        String cursor = null;
        boolean truncated = false;
        do {
            RecordStore.RecordPage page = list(actor, moduleName, criteria, sort, 1000, cursor);
            for (Record r : page.records()) {
                if (out.size() == MAX_EXPORT) {
                    truncated = true;
                    break;
                }
                out.add(r);
            }
            cursor = truncated ? null : page.next();
        } while (cursor != null);
        audit.record(actor.orgId(), actor.userId(), "data.exported", null,
                AuditLog.detail("module", module.apiName(), "records", out.size(), "truncated", truncated));
        return new Export(module, out, truncated);
    }

    // ---------------------------------------------------------------- conversion

    /** What a lead conversion made. */
    public record Conversion(Record lead, Record contact, Record account, Record deal) {
    }

    /**
     * Converts a lead into a contact and, optionally, an account and a deal. Options (JSON):
     * {@code account}: {@code {"id": ...}} to link an existing account, {@code false} for none;
     * by default an account is created from the lead's Company when it has one. {@code deal}: an
     * object of Deal fields to create a deal (Deal_Name required), or absent for none.
     * {@code owner}: the owner of what is created (default: the lead's owner). Fields with the same
     * API name and type are carried over. The contact keeps the lead's subject, so the customer's
     * history stays one stream; the lead keeps links to the new records and becomes read-only.
     */
    public Conversion convertLead(Actor actor, UUID leadId, JsonNode options) {
        ModuleCatalog catalog = metadata.catalog(actor.orgId());
        Module leads = catalog.get("Leads");
        Module contacts = catalog.get("Contacts");
        Module accounts = catalog.get("Accounts");
        Module deals = catalog.get("Deals");
        access.requireModule(actor, leads.apiName(), ModuleAction.EDIT);
        access.requireModule(actor, contacts.apiName(), ModuleAction.CREATE);
        ObjectNode opts = options == null || options.isNull() || options.isMissingNode() ? Json.object()
                : Metadata.requireObject(options, "");
        List<FieldError> errors = new ArrayList<>();
        for (Iterator<String> it = opts.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!Set.of("account", "deal", "owner").contains(k)) {
                errors.add(new FieldError(k, "unknown option; expected account, deal or owner"));
            }
        }
        Record lead = store.find(actor.orgId(), leads, leadId, access.visibility(actor, leads)).orElseThrow(() -> notFound(leads, leadId));
        requireChange(actor, leads, lead);
        if (Boolean.TRUE.equals(lead.values().get("Is_Converted"))) {
            throw new ConflictException("Lead " + leadId + " was already converted");
        }
        UUID owner = lead.owner() == null ? actor.userId() : lead.owner();
        if (opts.hasNonNull("owner")) {
            UUID o = Ids.parse(opts.get("owner").asText());
            if (o == null || users.activeUsers(actor.orgId(), List.of(o)).isEmpty()) {
                errors.add(new FieldError("owner", "no active user has this id"));
            } else {
                owner = o;
            }
        }
        Instant now = clock.instant();
        Record account = null;
        boolean newAccount = false;
        JsonNode acc = opts.get("account");
        if (acc != null && acc.isObject() && acc.has("id")) {
            UUID aid = Ids.parse(acc.get("id").asText());
            account = aid == null ? null : store.find(actor.orgId(), accounts, aid, access.visibility(actor, accounts)).orElse(null);
            if (account == null) {
                errors.add(new FieldError("account.id", "no Accounts record has this id"));
            }
        } else if (acc != null && !acc.isNull() && !(acc.isBoolean())) {
            errors.add(new FieldError("account", "must be {\"id\": ...} or false"));
        } else if ((acc == null || acc.asBoolean(true)) && lead.values().get("Company") != null) {
            Map<String, Object> values = carry(leads, lead, accounts);
            values.put("Account_Name", lead.values().get("Company"));
            values.put("Owner", owner);
            access.requireModule(actor, accounts.apiName(), ModuleAction.CREATE);
            account = newRecord(actor, accounts, values, now, null);
            newAccount = true;
        }
        Map<String, Object> cv = carry(leads, lead, contacts);
        cv.put("Owner", owner);
        cv.put("Converted_From", lead.id());
        if (account != null && contacts.field("Account_Name").isPresent()) {
            cv.put("Account_Name", account.id());
        }
        Record contact = newRecord(actor, contacts, cv, now, lead.subject());
        Record deal = null;
        JsonNode dealNode = opts.get("deal");
        if (dealNode != null && !dealNode.isNull()) {
            if (!dealNode.isObject()) {
                errors.add(new FieldError("deal", "must be an object of Deal fields"));
            } else {
                access.requireModule(actor, deals.apiName(), ModuleAction.CREATE);
                Map<String, Object> dv = new LinkedHashMap<>();
                for (Field f : deals.visibleFields()) {
                    dv.put(f.apiName(), null);
                }
                List<FieldError> dealErrors = new ArrayList<>();
                applyInput(deals, deals.defaultLayout(), (ObjectNode) dealNode, dv, "", dealErrors, true);
                dv.put("Owner", owner);
                dv.put("Contact_Name", contact.id());
                if (account != null) {
                    dv.put("Account_Name", account.id());
                }
                requireFields(deals, deals.defaultLayout(), dv, null, "", dealErrors);
                dealErrors.forEach(e -> errors.add(e.prefixed("deal")));
                deal = newRecord(actor, deals, dv, now, lead.subject());
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errorSummary(errors), errors);
        }
        Map<String, Object> lv = new LinkedHashMap<>(lead.values());
        lv.put("Is_Converted", true);
        lv.put("Converted_At", now);
        lv.put("Converted_Contact", contact.id());
        lv.put("Converted_Account", account == null ? null : account.id());
        lv.put("Converted_Deal", deal == null ? null : deal.id());
        Record convertedLead = new Record(lead.id(), lead.module(), lead.layoutId(), lead.subject(), lead.version() + 1, lead.createdAt(),
                lead.createdBy(), now, actor.userId(), lv);
        List<NewSignal> news = new ArrayList<>();
        if (newAccount) {
            news.add(createdSignal(actor, accounts, account, now, null));
        }
        news.add(createdSignal(actor, contacts, contact, now, lead));
        if (deal != null) {
            news.add(createdSignal(actor, deals, deal, now, lead));
        }
        ObjectNode payload = Json.object();
        payload.put("contact_id", contact.id().toString());
        payload.put("account_id", account == null ? null : account.id().toString());
        payload.put("deal_id", deal == null ? null : deal.id().toString());
        payload.set("changes", diff(leads, lead, convertedLead));
        payload.put("version", convertedLead.version());
        news.add(signal(actor, "lead.converted", leads, convertedLead, payload, now));
        Record finalAccount = account;
        Record finalDeal = deal;
        boolean insertAccount = newAccount;
        write(() -> {
            guards.forEach(g -> g.checkUpdate(actor, leads, lead, convertedLead));
            if (insertAccount) {
                store.insert(actor.orgId(), accounts, List.of(finalAccount));
            }
            store.insert(actor.orgId(), contacts, List.of(contact));
            if (finalDeal != null) {
                store.insert(actor.orgId(), deals, List.of(finalDeal));
            }
            store.update(actor.orgId(), leads, List.of(convertedLead));
            signals.append(news);
            for (RecordGuard g : guards) {
                if (insertAccount) {
                    g.created(actor, accounts, List.of(finalAccount));
                }
                g.created(actor, contacts, List.of(contact));
                if (finalDeal != null) {
                    g.created(actor, deals, List.of(finalDeal));
                }
                g.updated(actor, leads, List.of(lead), List.of(convertedLead));
            }
        });
        return new Conversion(convertedLead, contact, account, deal);
    }

    private NewSignal createdSignal(Actor actor, Module module, Record r, Instant now, Record from) {
        ObjectNode payload = Json.object();
        payload.set("fields", valuesJson(module, r.values()));
        if (from != null) {
            ObjectNode f = payload.putObject("converted_from");
            f.put("module", from.module());
            f.put("id", from.id().toString());
        }
        return signal(actor, "record.created", module, r, payload, now);
    }

    /** Values of the lead carried to a target module: same API name, same type, not system. */
    private static Map<String, Object> carry(Module from, Record source, Module to) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Field f : to.visibleFields()) {
            values.put(f.apiName(), null);
            Field src = from.field(f.apiName()).orElse(null);
            if (src != null && !f.system() && !src.system() && src.type() == f.type()
                    && (f.type() != FieldType.PICKLIST || f.picklistValues().contains(String.valueOf(source.values().get(src.apiName()))))) {
                values.put(f.apiName(), source.values().get(src.apiName()));
            }
        }
        return values;
    }

    private Record newRecord(Actor actor, Module module, Map<String, Object> values, Instant now, String subject) {
        UUID id = Ids.next(clock);
        return new Record(id, module.apiName(), module.defaultLayout().id(), subject == null ? id.toString() : subject, 1, now,
                actor.userId(), now, actor.userId(), values);
    }

    // ---------------------------------------------------------------- timeline

    /**
     * A record's history, oldest first: every change with who, when, old and new values, read from
     * the signal log (so it survives the record's deletion).
     */
    public SignalPage timeline(Actor actor, String moduleName, UUID id, int limit, String after) {
        Module module = module(actor, moduleName);
        Visibility v = readable(actor, module);
        // A deleted record's owner is no longer known to the store's queries: only readers of every record see its history.
        if (store.find(actor.orgId(), module, id, v).isEmpty() && !(v.all() && store.wasDeleted(actor.orgId(), module, id))) {
            throw notFound(module, id);
        }
        return signals.query(actor.orgId(), new SignalQuery(null, id, null, null, null, checkLimit(limit), after));
    }

    // ---------------------------------------------------------------- rendering

    /**
     * The JSON form of records: system attributes at the top level, then every visible field by
     * API name; lookups and owners as {@code {"id", "name"}}.
     */
    public List<ObjectNode> render(Actor actor, Module module, List<Record> records) {
        ModuleCatalog catalog = metadata.catalog(actor.orgId());
        Map<String, Set<UUID>> lookupIds = new HashMap<>();
        Set<UUID> userIds = new HashSet<>();
        for (Record r : records) {
            userIds.add(r.createdBy());
            userIds.add(r.modifiedBy());
            for (Field f : module.visibleFields()) {
                Object v = r.values().get(f.apiName());
                if (v instanceof UUID u) {
                    if (f.type() == FieldType.OWNER) {
                        userIds.add(u);
                    } else {
                        lookupIds.computeIfAbsent(f.lookupModule(), k -> new HashSet<>()).add(u);
                    }
                }
            }
        }
        Map<String, Map<UUID, String>> names = new HashMap<>();
        lookupIds.forEach((m, ids) -> catalog.find(m).ifPresent(target -> names.put(m, store.names(actor.orgId(), target, ids,
                access.visibility(actor, target)))));
        userIds.remove(null);
        Map<UUID, String> userNames = users.names(actor.orgId(), userIds);
        List<ObjectNode> out = new ArrayList<>(records.size());
        for (Record r : records) {
            ObjectNode o = Json.object();
            o.put("id", r.id().toString());
            o.put("module", module.apiName());
            o.put("layout", module.layout(r.layoutId()).map(Layout::name).orElse(null));
            o.put("version", r.version());
            o.put("subject", r.subject());
            o.put("owner", r.owner() == null ? null : r.owner().toString());
            o.put("created_at", r.createdAt().toString());
            o.set("created_by", ref(r.createdBy(), userNames.get(r.createdBy())));
            o.put("modified_at", r.modifiedAt().toString());
            o.set("modified_by", ref(r.modifiedBy(), userNames.get(r.modifiedBy())));
            for (Field f : module.visibleFields()) {
                Object v = r.values().get(f.apiName());
                if (v instanceof UUID u) {
                    o.set(f.apiName(), ref(u, f.type() == FieldType.OWNER ? userNames.get(u)
                            : names.getOrDefault(f.lookupModule(), Map.of()).get(u)));
                } else {
                    o.set(f.apiName(), FieldValues.toJson(v));
                }
            }
            out.add(o);
        }
        return out;
    }

    private static JsonNode ref(UUID id, String name) {
        if (id == null) {
            return Json.MAPPER.nullNode();
        }
        ObjectNode o = Json.object();
        o.put("id", id.toString());
        o.put("name", name);
        return o;
    }

    static ObjectNode valuesJson(Module module, Map<String, Object> values) {
        ObjectNode o = Json.object();
        for (Field f : module.visibleFields()) {
            Object v = values.get(f.apiName());
            if (v != null) {
                o.set(f.apiName(), FieldValues.toJson(v));
            }
        }
        return o;
    }

    // ---------------------------------------------------------------- helpers

    private void write(Runnable work) {
        try {
            tx.run(work);
        } catch (RecordStore.StaleVersionException e) {
            throw new ConflictException("Record " + e.id() + " was changed by someone else; read it again and retry",
                    List.of(new FieldError("version", "is stale")));
        } catch (RecordStore.DuplicateValueException e) {
            throw new ConflictException("Another record already holds this value of unique field " + e.field(),
                    List.of(new FieldError(e.field(), "the value is already held by another record; the field is unique")));
        }
        afterCommit.forEach(Runnable::run);
    }

    /** Tells the guards of committed updates, except those of held records: a held record's changes reach no automation. */
    private void updated(Actor actor, Module module, List<Record> before, List<Record> after, Set<UUID> held) {
        if (held.isEmpty()) {
            guards.forEach(g -> g.updated(actor, module, before, after));
            return;
        }
        List<Record> freeBefore = new ArrayList<>(after.size());
        List<Record> freeAfter = new ArrayList<>(after.size());
        for (int i = 0; i < after.size(); i++) {
            if (!held.contains(after.get(i).id())) {
                freeBefore.add(before.get(i));
                freeAfter.add(after.get(i));
            }
        }
        if (!freeAfter.isEmpty()) {
            guards.forEach(g -> g.updated(actor, module, freeBefore, freeAfter));
        }
    }

    private static void markHeld(List<NewSignal> news, Set<UUID> held) {
        if (held.isEmpty()) {
            return;
        }
        for (NewSignal n : news) {
            if (held.contains(n.recordId())) {
                n.payload().put("held", true);
            }
        }
    }

    private NewSignal signal(Actor actor, String type, Module module, Record r, ObjectNode payload, Instant now) {
        return new NewSignal(Ids.next(clock), actor.orgId(), type, r.subject(), module.apiName(), r.id(),
                io.waymark.signal.Causation.stamp(payload), now, actor.userId());
    }

    private static void checkBatch(Collection<?> inputs) {
        if (inputs.isEmpty()) {
            throw new ValidationException("Empty batch", List.of(new FieldError("body", "must hold at least one record")));
        }
        if (inputs.size() > MAX_BATCH) {
            throw new PayloadTooLargeException("At most " + MAX_BATCH + " records per call, got " + inputs.size());
        }
    }

    private static NotFoundException notFound(Module module, UUID id) {
        return new NotFoundException("No " + module.apiName() + " record has id " + id);
    }

    private static String key(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    private static String errorSummary(List<FieldError> errors) {
        return errors.size() == 1 ? errors.get(0).field() + " " + errors.get(0).message()
                : errors.size() + " fields are invalid";
    }

    /** Used by the signal log to check a record named by an incoming signal. */
    public Record findForSignal(UUID orgId, String moduleName, UUID id) {
        Module module = metadata.catalog(orgId).find(moduleName).orElse(null);
        return module == null ? null : store.find(orgId, module, id).orElse(null);
    }

}

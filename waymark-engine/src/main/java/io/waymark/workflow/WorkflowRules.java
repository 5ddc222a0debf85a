package io.waymark.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.action.ActionCatalog;
import io.waymark.error.ConflictException;
import io.waymark.error.FieldError;
import io.waymark.error.NotFoundException;
import io.waymark.error.ValidationException;
import io.waymark.identity.Access;
import io.waymark.identity.Capability;
import io.waymark.json.Json;
import io.waymark.record.Metadata;
import io.waymark.record.ModuleCatalog;
import io.waymark.tx.Transactor;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Workflow rules: field-based automation per module (see {@link RuleDefinition} for the shape).
 * This class keeps the definitions (create, change, activate, delete, with validation naming each
 * bad field) and their execution history; {@link RuleRunner} evaluates them as record signals
 * arrive.
 */
public final class WorkflowRules {
    private static final Logger LOG = LoggerFactory.getLogger(WorkflowRules.class);
    /** How long a node trusts its cached rules before reading them again (another node may have changed them). */
    private static final long CACHE_NANOS = 2_000_000_000L;

    private final WorkflowStore store;
    private final Metadata metadata;
    private final ActionCatalog actions;
    private final Transactor tx;
    private final Clock clock;
    private final Access access;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private RuleRunner runner;

    /** A rule ready to run: its stored form and its parsed definition. */
    public record LoadedRule(WorkflowStore.StoredRule stored, RuleDefinition definition) {
        public UUID id() {
            return stored.id();
        }
    }

    private record Cached(long catalogVersion, long loadedAt, List<LoadedRule> rules) {
    }

    public WorkflowRules(WorkflowStore store, Metadata metadata, ActionCatalog actions, Transactor tx, Clock clock, Access access) {
        this.store = store;
        this.metadata = metadata;
        this.actions = actions;
        this.tx = tx;
        this.clock = clock;
        this.access = access;
    }

    void attach(RuleRunner runner) {
        this.runner = runner;
    }

    // ------------------------------------------------------------------ definitions

    /** Creates a rule (active unless {@code "active": false}). */
    public ObjectNode create(Actor actor, JsonNode body) {
        access.require(actor, Capability.MANAGE_WORKFLOW_RULES);
        RuleDefinition def = RuleDefinition.parse(actor, metadata.catalog(actor.orgId()), actions, body);
        boolean active = !body.has("active") || body.get("active").asBoolean();
        Instant now = clock.instant();
        WorkflowStore.StoredRule rule = new WorkflowStore.StoredRule(Ids.next(clock), actor.orgId(), def.module(), active, def.toJson(), 1, now, now);
        tx.run(() -> {
            store.insert(rule);
            if (active) {
                runner.ruleActivated(new LoadedRule(rule, def));
            }
        });
        invalidate(actor.orgId(), def.module());
        return json(rule);
    }

    /**
     * Changes a rule: the properties given replace the stored ones ({@code active} alone switches it
     * on or off). With {@code version}, a rule changed meanwhile is refused (409).
     */
    public ObjectNode update(Actor actor, UUID id, JsonNode body) {
        access.require(actor, Capability.MANAGE_WORKFLOW_RULES);
        if (body == null || !body.isObject()) {
            throw new ValidationException("A JSON object is required", List.of(new FieldError("body", "must be a JSON object")));
        }
        WorkflowStore.StoredRule current = store.find(actor.orgId(), id).orElseThrow(() -> notFound(id));
        JsonNode v = body.get("version");
        if (v != null && !v.isNull() && (!v.isIntegralNumber() || v.longValue() != current.version())) {
            throw new ConflictException("Rule " + id + " is at version " + current.version() + "; read it again and retry",
                    List.of(new FieldError("version", "is stale: the rule is at version " + current.version())));
        }
        ObjectNode merged = current.definition().deepCopy();
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().equals("version")) {
                merged.set(e.getKey(), e.getValue());
            }
        }
        if (merged.has("module") && !merged.get("module").equals(Json.MAPPER.valueToTree(current.module()))) {
            throw new ValidationException("The module of a rule cannot change", List.of(new FieldError("module", "cannot change; create a new rule")));
        }
        RuleDefinition def = RuleDefinition.parse(actor, metadata.catalog(actor.orgId()), actions, merged);
        boolean active = body.has("active") ? body.get("active").asBoolean() : current.active();
        if (body.has("active") && !body.get("active").isBoolean()) {
            throw new ValidationException("Invalid active", List.of(new FieldError("active", "must be true or false")));
        }
        WorkflowStore.StoredRule next = new WorkflowStore.StoredRule(id, actor.orgId(), current.module(), active, def.toJson(),
                current.version() + 1, current.createdAt(), clock.instant());
        tx.run(() -> {
            if (!store.update(next, current.version())) {
                throw new ConflictException("Rule " + id + " was changed by someone else; read it again and retry");
            }
            runner.ruleDeactivated(new LoadedRule(current, RuleDefinition.load(metadata.catalog(actor.orgId()), current.definition())));
            if (active) {
                runner.ruleActivated(new LoadedRule(next, def));
            }
        });
        invalidate(actor.orgId(), current.module());
        return json(next);
    }

    public ObjectNode get(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_WORKFLOW_RULES);
        return json(store.find(actor.orgId(), id).orElseThrow(() -> notFound(id)));
    }

    /** The organisation's rules (of one module when given), in evaluation order. */
    public List<ObjectNode> list(Actor actor, String module) {
        access.require(actor, Capability.MANAGE_WORKFLOW_RULES);
        if (module != null) {
            metadata.catalog(actor.orgId()).get(module);
        }
        return store.list(actor.orgId(), module).stream().map(WorkflowRules::json).toList();
    }

    /** Deletes a rule and drops its pending timers; its history stays readable until then. */
    public void delete(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_WORKFLOW_RULES);
        WorkflowStore.StoredRule current = store.find(actor.orgId(), id).orElseThrow(() -> notFound(id));
        tx.run(() -> {
            store.delete(actor.orgId(), id);
            runner.ruleDeleted(current);
        });
        invalidate(actor.orgId(), current.module());
    }

    /** A rule's execution history, newest first. */
    public WorkflowStore.HistoryPage history(Actor actor, UUID id, UUID recordId, int limit, String cursor) {
        access.require(actor, Capability.MANAGE_WORKFLOW_RULES);
        store.find(actor.orgId(), id).orElseThrow(() -> notFound(id));
        if (limit < 1 || limit > 1000) {
            throw new ValidationException("Invalid limit", List.of(new FieldError("limit", "must be between 1 and 1000")));
        }
        return store.history(actor.orgId(), id, recordId, limit, cursor);
    }

    /** The JSON form of a history line. */
    public static ObjectNode historyJson(WorkflowStore.HistoryEntry h) {
        ObjectNode o = Json.object();
        o.put("id", h.id().toString());
        o.put("rule_id", h.ruleId().toString());
        o.put("module", h.module());
        o.put("record_id", h.recordId() == null ? null : h.recordId().toString());
        o.put("signal_id", h.signalId() == null ? null : h.signalId().toString());
        o.put("event", h.event());
        o.put("branch", h.branch());
        o.set("detail", h.detail());
        o.put("occurred_at", h.occurredAt().toString());
        return o;
    }

    static ObjectNode json(WorkflowStore.StoredRule r) {
        ObjectNode o = Json.object();
        o.put("id", r.id().toString());
        o.setAll(r.definition());
        o.put("active", r.active());
        o.put("version", r.version());
        o.put("created_at", r.createdAt().toString());
        o.put("modified_at", r.modifiedAt().toString());
        return o;
    }

    private static NotFoundException notFound(UUID id) {
        return new NotFoundException("No workflow rule has id " + id);
    }

    // ------------------------------------------------------------------ for the runner

    /** The active rules of a module, parsed; cached briefly. A rule that no longer fits its module is skipped and logged. */
    List<LoadedRule> active(UUID orgId, String module) {
        ModuleCatalog catalog = metadata.catalog(orgId);
        String key = orgId + "/" + module;
        Cached c = cache.get(key);
        long now = System.nanoTime();
        if (c != null && c.catalogVersion == catalog.version() && now - c.loadedAt < CACHE_NANOS) {
            return c.rules;
        }
        List<LoadedRule> rules = new ArrayList<>();
        for (WorkflowStore.StoredRule r : store.active(orgId, module)) {
            LoadedRule l = load(catalog, r);
            if (l != null) {
                rules.add(l);
            }
        }
        cache.put(key, new Cached(catalog.version(), now, List.copyOf(rules)));
        return rules;
    }

    LoadedRule find(UUID orgId, UUID id) {
        return store.find(orgId, id).map(r -> load(metadata.catalog(orgId), r)).orElse(null);
    }

    private static LoadedRule load(ModuleCatalog catalog, WorkflowStore.StoredRule r) {
        try {
            return new LoadedRule(r, RuleDefinition.load(catalog, r.definition()));
        } catch (ValidationException e) {
            LOG.error("workflow rule {} ({}) no longer fits module {} and is skipped: {} {}", r.id(), r.definition().path("name").asText(),
                    r.module(), e.getMessage(), e.errors());
            return null;
        }
    }

    private void invalidate(UUID orgId, String module) {
        cache.remove(orgId + "/" + module);
    }

    WorkflowStore store() {
        return store;
    }
}

package io.waymark.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.waymark.Actor;
import io.waymark.action.ActionCatalog;
import io.waymark.action.Outbox;
import io.waymark.action.OutboxEntry;
import io.waymark.action.OutboxStore;
import io.waymark.json.Json;
import io.waymark.workflow.WorkflowRules;
import io.waymark.workflow.WorkflowStore;
import java.util.List;
import java.util.UUID;

/**
 * {@code /api/v1/workflow-rules}, {@code /api/v1/outbox} and {@code /api/v1/action-types}: the
 * definitions of workflow rules and their history, the actions automations decided on and what
 * became of them, and the catalogue of action kinds.
 */
final class AutomationApi {
    private final WorkflowRules rules;
    private final Outbox outbox;
    private final ActionCatalog actions;
    private final long maxBody;

    AutomationApi(WorkflowRules rules, Outbox outbox, ActionCatalog actions, long maxBody) {
        this.rules = rules;
        this.outbox = outbox;
        this.actions = actions;
        this.maxBody = maxBody;
    }

    private static UUID id(Context ctx) {
        return Params.pathId(ctx, "id");
    }

    // ------------------------------------------------------------------ workflow rules

    void listRules(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        Responses.json(ctx, 200, Responses.list(rules.list(actor, Params.text(ctx, "module"))));
    }

    void createRule(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        ObjectNode rule = rules.create(actor, JsonBody.required(ctx, maxBody));
        ctx.header("Location", WaymarkServer.API + "/workflow-rules/" + rule.get("id").asText());
        Responses.json(ctx, 201, rule);
    }

    void getRule(Context ctx) {
        Responses.json(ctx, 200, rules.get(Authentication.actor(ctx), id(ctx)));
    }

    void updateRule(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        Responses.json(ctx, 200, rules.update(actor, id(ctx), JsonBody.required(ctx, maxBody)));
    }

    void deleteRule(Context ctx) {
        rules.delete(Authentication.actor(ctx), id(ctx));
        Responses.noContent(ctx);
    }

    void ruleHistory(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        WorkflowStore.HistoryPage page = rules.history(actor, id(ctx), Params.uuidQuery(ctx, "record_id"), Params.limit(ctx), Params.cursor(ctx));
        Responses.json(ctx, 200, Responses.page(page.entries().stream().map(WorkflowRules::historyJson).toList(), page.next()));
    }

    // ------------------------------------------------------------------ outbox

    void listOutbox(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        String s = Params.text(ctx, "status");
        OutboxEntry.Status status = null;
        if (s != null) {
            status = OutboxEntry.Status.fromApiName(s).orElseThrow(() -> Params.invalid("status", "must be pending, running, done or failed"));
        }
        OutboxStore.OutboxPage page = outbox.list(actor, new OutboxStore.OutboxQuery(status, Params.text(ctx, "source"),
                Params.uuidQuery(ctx, "record_id"), Params.limit(ctx), Params.cursor(ctx)));
        Responses.json(ctx, 200, Responses.page(page.entries().stream().map(AutomationApi::entryJson).toList(), page.next()));
    }

    void getOutboxEntry(Context ctx) {
        Responses.json(ctx, 200, entryJson(outbox.get(Authentication.actor(ctx), id(ctx))));
    }

    void retryOutboxEntry(Context ctx) {
        Responses.json(ctx, 200, entryJson(outbox.retry(Authentication.actor(ctx), id(ctx))));
    }

    void listActionTypes(Context ctx) {
        Authentication.actor(ctx);
        List<ObjectNode> types = actions.names().stream().map(n -> {
            ObjectNode o = Json.object();
            o.put("type", n);
            o.put("transactional", actions.transactional(n));
            return o;
        }).toList();
        Responses.json(ctx, 200, Responses.list(types));
    }

    static ObjectNode entryJson(OutboxEntry e) {
        ObjectNode o = Json.object();
        o.put("id", e.id().toString());
        o.put("source", e.source());
        o.put("type", e.type());
        o.set("config", e.config());
        o.put("module", e.module());
        o.put("record_id", e.recordId() == null ? null : e.recordId().toString());
        o.put("subject", e.subject());
        o.put("status", e.status().apiName());
        o.put("transactional", e.transactional());
        o.put("attempts", e.attempts());
        o.put("max_attempts", e.maxAttempts());
        o.put("next_attempt_at", e.status() == OutboxEntry.Status.PENDING ? e.nextAttemptAt().toString() : null);
        o.put("last_error", e.lastError());
        o.set("result", e.result());
        o.put("idempotency_key", e.idempotencyKey());
        o.put("cause_signal", e.causeSignal() == null ? null : e.causeSignal().toString());
        o.put("depth", e.depth());
        o.put("created_at", e.createdAt().toString());
        o.put("updated_at", e.updatedAt().toString());
        return o;
    }
}

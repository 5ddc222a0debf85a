package io.waymark.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.waymark.Actor;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.record.Field;
import io.waymark.record.Layout;
import io.waymark.record.Metadata;
import io.waymark.record.Module;
import java.util.Comparator;
import java.util.List;

/** {@code /api/v1/modules}: modules, their fields and layouts. */
final class MetadataApi {
    private final Metadata metadata;
    private final long maxBody;

    MetadataApi(Metadata metadata, long maxBody) {
        this.metadata = metadata;
        this.maxBody = maxBody;
    }

    void list(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        List<ObjectNode> modules = metadata.catalog(actor.orgId()).modules().stream()
                .sorted(Comparator.comparing(Module::apiName))
                .map(Metadata::moduleJson).toList();
        Responses.json(ctx, 200, Responses.list(modules));
    }

    void create(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        Module m = metadata.createModule(actor, JsonBody.required(ctx, maxBody));
        ctx.header("Location", "/api/v1/modules/" + m.apiName());
        Responses.json(ctx, 201, Metadata.moduleJson(m));
    }

    void get(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        Responses.json(ctx, 200, Metadata.moduleJson(metadata.catalog(actor.orgId()).get(ctx.pathParam("module"))));
    }

    void addField(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        String module = ctx.pathParam("module");
        Field f = metadata.addField(actor, module, JsonBody.required(ctx, maxBody));
        ctx.header("Location", "/api/v1/modules/" + module + "/fields/" + f.apiName());
        Responses.json(ctx, 201, Metadata.fieldJson(f));
    }

    void updateField(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        Field f = metadata.updateField(actor, ctx.pathParam("module"), ctx.pathParam("field"), JsonBody.required(ctx, maxBody));
        Responses.json(ctx, 200, Metadata.fieldJson(f));
    }

    void deleteField(Context ctx) {
        metadata.deleteField(Authentication.actor(ctx), ctx.pathParam("module"), ctx.pathParam("field"));
        Responses.noContent(ctx);
    }

    void restoreField(Context ctx) {
        Field f = metadata.restoreField(Authentication.actor(ctx), ctx.pathParam("module"), ctx.pathParam("field"));
        Responses.json(ctx, 200, Metadata.fieldJson(f));
    }

    /**
     * Saves the layout named in the path. The engine identifies a layout by the body's
     * {@code name}, so the path's name is filled in when the body has none, and a body naming a
     * different layout is refused rather than silently saving another one.
     */
    void saveLayout(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        String layout = ctx.pathParam("layout");
        JsonNode body = JsonBody.required(ctx, maxBody);
        if (body.isObject()) {
            ObjectNode in = (ObjectNode) body;
            JsonNode name = in.get("name");
            if (name == null || name.isNull()) {
                in.put("name", layout);
            } else if (!name.isTextual() || !name.textValue().strip().equals(layout)) {
                throw new ValidationException("The layout name differs from the path",
                        List.of(new FieldError("name", "must be '" + layout + "', the layout named in the path")));
            }
        }
        Layout saved = metadata.saveLayout(actor, ctx.pathParam("module"), body);
        Responses.json(ctx, 200, Metadata.layoutJson(saved));
    }

    void deleteLayout(Context ctx) {
        metadata.deleteLayout(Authentication.actor(ctx), ctx.pathParam("module"), ctx.pathParam("layout"));
        Responses.noContent(ctx);
    }
}

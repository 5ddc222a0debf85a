package io.waymark.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one catalogue of action kinds every automation uses. The built-in kinds (field update,
 * create record, convert lead, create task, schedule call, assign owner, emit signal) are
 * registered by the engine; others (email, webhooks, enrolling in a cadence …) are registered
 * from outside, through {@code Waymark.Builder.actionType(...)} or {@link #register}.
 */
public final class ActionCatalog {
    /** The most actions one list in a definition may hold. */
    public static final int MAX_ACTIONS = 25;
    private final Map<String, ActionType> types = new ConcurrentHashMap<>();

    /** Adds a kind; a second kind with the same name is refused. */
    public void register(ActionType type) {
        if (!type.name().matches("[a-z][a-z0-9_]{0,49}")) {
            throw new IllegalArgumentException("Action type names are lower_snake_case: " + type.name());
        }
        if (types.putIfAbsent(type.name(), type) != null) {
            throw new IllegalArgumentException("Action type " + type.name() + " is already registered");
        }
    }

    public Optional<ActionType> find(String name) {
        return Optional.ofNullable(name == null ? null : types.get(name));
    }

    /** The names of every registered kind, sorted. */
    public Set<String> names() {
        return new TreeMap<>(types).keySet();
    }

    /** Whether the kind's effect stays in Waymark's database (see {@link TransactionalActionType}). */
    public boolean transactional(String name) {
        return types.get(name) instanceof TransactionalActionType;
    }

    /**
     * Parses and validates a list of actions for a subject of {@code module}, all or nothing.
     * Errors name the path, e.g. {@code actions[2].config.field}.
     *
     * @param path where the list is in the request, e.g. {@code actions} or {@code rules[0].actions}
     */
    public List<ActionDefinition> parse(Actor actor, String module, JsonNode list, String path) {
        List<FieldError> errors = new ArrayList<>();
        List<ActionDefinition> out = parse(actor, module, list, path, errors);
        if (!errors.isEmpty()) {
            throw new ValidationException(errors.size() == 1 ? errors.get(0).field() + " " + errors.get(0).message()
                    : errors.size() + " fields are invalid", errors);
        }
        return out;
    }

    /** As {@link #parse(Actor, String, JsonNode, String)}, collecting errors instead of throwing. */
    public List<ActionDefinition> parse(Actor actor, String module, JsonNode list, String path, List<FieldError> errors) {
        List<ActionDefinition> out = new ArrayList<>();
        if (list == null || list.isNull() || list.isMissingNode()) {
            return out;
        }
        if (!list.isArray()) {
            errors.add(new FieldError(path, "must be a list of actions"));
            return out;
        }
        if (list.size() > MAX_ACTIONS) {
            errors.add(new FieldError(path, "holds at most " + MAX_ACTIONS + " actions"));
            return out;
        }
        for (int i = 0; i < list.size(); i++) {
            String at = path + "[" + i + "]";
            JsonNode a = list.get(i);
            if (!a.isObject()) {
                errors.add(new FieldError(at, "must be an object with type and config"));
                continue;
            }
            for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!k.equals("type") && !k.equals("config")) {
                    errors.add(new FieldError(at + "." + k, "unknown property; an action has type and config"));
                }
            }
            String name = a.path("type").isTextual() ? a.get("type").textValue() : null;
            ActionType type = find(name).orElse(null);
            if (type == null) {
                errors.add(new FieldError(at + ".type", (name == null ? "is required" : "unknown action type '" + name + "'")
                        + "; expected one of " + names()));
                continue;
            }
            JsonNode config = a.get("config");
            if (config != null && !config.isNull() && !config.isObject()) {
                errors.add(new FieldError(at + ".config", "must be an object"));
                continue;
            }
            ObjectNode cfg = config == null || config.isNull() ? Json.object() : ((ObjectNode) config).deepCopy();
            try {
                type.validate(actor, module, cfg);
                out.add(new ActionDefinition(name, cfg));
            } catch (ValidationException e) {
                if (e.errors().isEmpty()) {
                    errors.add(new FieldError(at + ".config", e.getMessage()));
                }
                for (FieldError fe : e.errors()) {
                    String f = fe.field().startsWith("config") ? fe.field() : "config" + (fe.field().isEmpty() ? "" : "." + fe.field());
                    errors.add(new FieldError(at + "." + f, fe.message()));
                }
            }
        }
        return out;
    }

    /** The JSON form of a list of definitions. */
    public static ArrayNode toJson(List<ActionDefinition> actions) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        actions.forEach(d -> a.add(d.toJson()));
        return a;
    }

    /** Reads back a stored list (already validated when it was saved). */
    public static List<ActionDefinition> fromJson(JsonNode stored) {
        List<ActionDefinition> out = new ArrayList<>();
        if (stored != null && stored.isArray()) {
            stored.forEach(a -> out.add(new ActionDefinition(a.get("type").asText(), (ObjectNode) a.get("config"))));
        }
        return out;
    }
}

package io.waymark.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.error.ConflictException;
import io.waymark.error.FieldError;
import io.waymark.error.NotFoundException;
import io.waymark.identity.Access;
import io.waymark.identity.Capability;
import io.waymark.json.Json;
import io.waymark.tx.Transactor;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * The versioned definitions of one kind of screen flow (kiosks, wizards): save a new one, save a
 * new version (older ones never change), read, list and switch on or off. Names are unique per
 * organisation and kind. The kind's own parser validates each body and names it.
 */
public final class FlowDefinitions {
    private final String kind;
    private final String label;
    private final Capability capability;
    private final BiFunction<Actor, JsonNode, String> validate;
    private final FlowStore store;
    private final Access access;
    private final Transactor tx;
    private final Clock clock;

    /**
     * @param label    how errors name a definition ("kiosk")
     * @param validate checks a body as the actor saves it and returns its name, or throws a ValidationException
     */
    public FlowDefinitions(String kind, String label, Capability capability, BiFunction<Actor, JsonNode, String> validate, FlowStore store,
                           Access access, Transactor tx, Clock clock) {
        this.kind = kind;
        this.label = label;
        this.capability = capability;
        this.validate = validate;
        this.store = store;
        this.access = access;
        this.tx = tx;
        this.clock = clock;
    }

    /** Saves a new definition as version 1, active. */
    public ObjectNode create(Actor actor, JsonNode body) {
        access.require(actor, capability);
        String name = validate.apply(actor, body);
        UUID id = Ids.next(clock);
        return tx.inTransaction(() -> {
            checkName(actor, name, null);
            FlowStore.Definition d = new FlowStore.Definition(id, kind, name, 1, true, (ObjectNode) body.deepCopy(), clock.instant(), actor.userId());
            store.insertDefinition(actor.orgId(), d);
            return view(d);
        });
    }

    /** Saves a new version; runs keep the version they started on. */
    public ObjectNode update(Actor actor, UUID id, JsonNode body) {
        access.require(actor, capability);
        String name = validate.apply(actor, body);
        return tx.inTransaction(() -> {
            FlowStore.Definition current = latest(actor, id);
            checkName(actor, name, id);
            FlowStore.Definition d = new FlowStore.Definition(id, kind, name, current.version() + 1, current.active(),
                    (ObjectNode) body.deepCopy(), clock.instant(), actor.userId());
            store.insertDefinition(actor.orgId(), d);
            return view(d);
        });
    }

    /** The newest version, or the given one. */
    public ObjectNode get(Actor actor, UUID id, Integer version) {
        return view(version == null ? latest(actor, id) : version(actor, id, version));
    }

    public List<ObjectNode> list(Actor actor) {
        return store.list(actor.orgId(), kind).stream().map(FlowDefinitions::view).toList();
    }

    /** Every version, oldest first. */
    public List<ObjectNode> versions(Actor actor, UUID id) {
        latest(actor, id);
        return store.versions(actor.orgId(), kind, id).stream().map(FlowDefinitions::view).toList();
    }

    /** An inactive definition cannot be started; runs in progress may finish. */
    public ObjectNode setActive(Actor actor, UUID id, boolean active) {
        access.require(actor, capability);
        return tx.inTransaction(() -> {
            latest(actor, id);
            store.setActive(actor.orgId(), kind, id, active);
            return view(latest(actor, id));
        });
    }

    public FlowStore.Definition latest(Actor actor, UUID id) {
        return store.latest(actor.orgId(), kind, id).orElseThrow(() -> new NotFoundException("No " + label + " has id " + id));
    }

    public FlowStore.Definition version(Actor actor, UUID id, int version) {
        return store.version(actor.orgId(), kind, id, version)
                .orElseThrow(() -> new NotFoundException("No " + label + " " + id + " has version " + version));
    }

    private void checkName(Actor actor, String name, UUID except) {
        if (store.nameTaken(actor.orgId(), kind, name, except)) {
            throw new ConflictException("A " + label + " named '" + name + "' exists", List.of(new FieldError("name", "is taken")));
        }
    }

    /** The API's view of a saved version. */
    public static ObjectNode view(FlowStore.Definition d) {
        ObjectNode o = Json.object();
        o.put("id", d.id().toString());
        o.put("name", d.name());
        o.put("version", d.version());
        o.put("active", d.active());
        o.put("saved_at", d.createdAt().toString());
        o.put("saved_by", d.createdBy().toString());
        o.set("definition", d.body());
        return o;
    }
}

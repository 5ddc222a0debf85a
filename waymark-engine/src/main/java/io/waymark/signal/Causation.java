package io.waymark.signal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.UUID;

/**
 * What an automation's action was doing when it wrote something: the outbox entry, the
 * automation that decided it, and how deep in a chain of automations it is. While an action runs,
 * every signal it causes carries this as {@code payload.cause}, so each effect can be traced back
 * to its decision and a rule that keeps re-triggering itself can be stopped at a bounded depth.
 *
 * @param entryId the outbox entry being executed
 * @param source  the deciding automation, e.g. {@code workflow_rule:<id>}
 * @param depth   1 for an action caused by a person's change, one more for each automation in between
 */
public record Causation(UUID entryId, String source, int depth) {
    private static final ThreadLocal<Causation> CURRENT = new ThreadLocal<>();

    /** Runs {@code work} with this causation in effect on the current thread. */
    public <T> T during(java.util.function.Supplier<T> work) {
        Causation outer = CURRENT.get();
        CURRENT.set(this);
        try {
            return work.get();
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
    }

    /** Adds {@code cause} to a signal payload when an action is running on this thread. */
    public static ObjectNode stamp(ObjectNode payload) {
        Causation c = CURRENT.get();
        if (c != null && payload != null && !payload.has("cause")) {
            ObjectNode o = payload.putObject("cause");
            o.put("outbox_entry", c.entryId.toString());
            o.put("source", c.source);
            o.put("depth", c.depth);
        }
        return payload;
    }

    /** The automation depth a signal was caused at: 0 for a change made by a person or an outside source. */
    public static int depthOf(Signal signal) {
        return signal.payload() == null ? 0 : signal.payload().path("cause").path("depth").asInt(0);
    }
}

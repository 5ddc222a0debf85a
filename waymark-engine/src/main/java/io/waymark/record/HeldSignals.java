package io.waymark.record;

import io.waymark.signal.Signal;
import io.waymark.signal.SignalConsumer;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts an automation's signal consumer behind the record hold ({@link RecordHold}): it never sees
 * the {@code record.created} and {@code record.updated} signals of a held record, and it sees a
 * {@code record.review_accepted} as the record's {@code record.created} (same id, subject, payload
 * with the record's fields), so it acts on an accepted record as on a new one. Every other signal
 * passes unchanged.
 */
public final class HeldSignals implements SignalConsumer {
    /** The signal that lets a held record go. */
    public static final String RELEASED = "record.review_accepted";

    private final SignalConsumer inner;

    private HeldSignals(SignalConsumer inner) {
        this.inner = inner;
    }

    /** {@code consumer} behind the hold; its name (and so its checkpoints) is unchanged. */
    public static SignalConsumer shield(SignalConsumer consumer) {
        return new HeldSignals(consumer);
    }

    /** Whether a signal is about a held record (marked by {@link Records} when it was written). */
    public static boolean held(Signal s) {
        return s.payload() != null && s.payload().path("held").asBoolean(false)
                && (s.type().equals("record.created") || s.type().equals("record.updated"));
    }

    /** What an automation sees of a signal: null for a held one, a {@code record.created} for a release. */
    public static Signal seen(Signal s) {
        if (held(s)) {
            return null;
        }
        if (RELEASED.equals(s.type())) {
            return new Signal(s.id(), s.orgId(), s.partition(), s.seq(), "record.created", s.subject(), s.module(), s.recordId(), s.payload(),
                    s.occurredAt(), s.recordedAt(), s.actor());
        }
        return s;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void accept(Signal signal) {
        Signal s = seen(signal);
        if (s != null) {
            inner.accept(s);
        }
    }

    @Override
    public void beginBatch(List<Signal> batch) {
        List<Signal> seen = new ArrayList<>(batch.size());
        for (Signal s : batch) {
            Signal v = seen(s);
            if (v != null) {
                seen.add(v);
            }
        }
        inner.beginBatch(seen);
    }

    @Override
    public void endBatch() {
        inner.endBatch();
    }
}

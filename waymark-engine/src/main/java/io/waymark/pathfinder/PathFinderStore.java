package io.waymark.pathfinder;

import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Port: where Path Finder keeps its configuration and imported datasets, and how it reads the
 * signal log in bulk. Implementations join the caller's transaction
 * ({@link io.waymark.tx.Transactor}).
 */
public interface PathFinderStore {
    /** The organisation's touchpoint configuration, if it has saved one. */
    Optional<TouchpointConfig> config(UUID orgId);

    void saveConfig(UUID orgId, TouchpointConfig config, UUID by, Instant at);

    /** Stores a dataset with its compact log ({@link EventLog#writeTo}, compressed). */
    void insertDataset(Dataset dataset, byte[] log);

    List<Dataset> datasets(UUID orgId);

    Optional<Dataset> dataset(UUID orgId, UUID id);

    /** The stored bytes of a dataset's log, or empty. The caller closes the stream. */
    Optional<InputStream> datasetLog(UUID orgId, UUID id);

    /** Deletes a dataset; false when there was none. */
    boolean deleteDataset(UUID orgId, UUID id);

    /**
     * Streams the signals live discovery needs, in no particular order, to {@code sink}: the
     * signals of {@code touchpointTypes} (with each of {@code attributes} read from the payload)
     * and, when {@code recordSignals}, every {@code record.created} and {@code record.updated}
     * signal (with its payload, for identifier fields and record-state goals).
     */
    void scanSignals(UUID orgId, SignalScan scan, SignalSink sink);

    /**
     * What to read.
     *
     * @param types       exact signal types
     * @param prefixes    type families, as the prefix before {@code *} ({@code web.})
     * @param anyExternal every type outside Waymark's own families
     * @param attributes  payload attributes to read from touchpoint signals
     * @param recordSignals whether to read record created/updated signals too
     */
    record SignalScan(List<String> types, List<String> prefixes, boolean anyExternal, List<String> attributes, boolean recordSignals) {
    }

    /** Receives scanned signals. */
    interface SignalSink {
        /**
         * A touchpoint candidate: {@code attributes[i]} is the text of the i-th scanned payload
         * attribute, or null; {@code order} is its place in the log ({@code partition << 48 | seq}),
         * which orders signals of the same millisecond.
         */
        void signal(String subject, String type, long occurredAtMillis, long order, String[] attributes);

        /** A record created/updated signal with its payload (JSON text). */
        void recordSignal(String subject, String type, String module, UUID recordId, long occurredAtMillis, String payload);
    }
}

package io.waymark;

import io.waymark.identity.Access;
import io.waymark.identity.IdentityStore;
import io.waymark.identity.Orgs;
import io.waymark.pathfinder.PathFinder;
import io.waymark.pathfinder.PathFinderStore;
import io.waymark.record.Metadata;
import io.waymark.record.MetadataStore;
import io.waymark.record.RecordStore;
import io.waymark.record.Records;
import io.waymark.signal.SignalDispatcher;
import io.waymark.signal.SignalLog;
import io.waymark.signal.SignalStore;
import io.waymark.tx.Transactor;
import java.time.Clock;
import java.util.Objects;

/**
 * The embeddable engine: hand it the ports (stores, a transactor) and a clock, and use its
 * services. The server is one user of this class; an application can be another.
 *
 * <pre>{@code
 * JdbcStore store = JdbcStore.open("jdbc:h2:./waymark-data/waymark");
 * Waymark waymark = store.engine(Clock.systemUTC());
 * Orgs.Created org = waymark.orgs().create("Zylker Travels", "admin@zylker.com", "Admin", null);
 * waymark.records().create(org.admin(), "Leads", Json.read("{\"Last_Name\": \"Patel\"}"));
 * }</pre>
 */
public final class Waymark implements AutoCloseable {
    private final Clock clock;
    private final Transactor tx;
    private final Metadata metadata;
    private final Records records;
    private final SignalLog signals;
    private final SignalDispatcher dispatcher;
    private final Orgs orgs;
    private final Access access;
    private final PathFinder pathFinder;

    private Waymark(Builder b) {
        this.clock = Objects.requireNonNull(b.clock, "clock");
        this.tx = Objects.requireNonNull(b.transactor, "transactor");
        this.metadata = new Metadata(Objects.requireNonNull(b.metadataStore, "metadataStore"), tx);
        this.records = new Records(metadata, Objects.requireNonNull(b.recordStore, "recordStore"),
                Objects.requireNonNull(b.signalStore, "signalStore"), Objects.requireNonNull(b.identityStore, "identityStore"), tx, clock);
        this.signals = new SignalLog(b.signalStore, records, tx, clock);
        this.dispatcher = new SignalDispatcher(b.signalStore, tx, clock, b.dispatchBatch, b.maxAttempts);
        this.orgs = new Orgs(b.identityStore, metadata, tx, clock);
        this.access = new Access();
        // Optional, so that an engine built for one purpose (a test, an embedding) need not bring it.
        this.pathFinder = b.pathFinderStore == null ? null : new PathFinder(b.pathFinderStore, records, access, tx, clock);
        records.onCommit(dispatcher::wake);
        signals.onCommit(dispatcher::wake);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Clock clock() {
        return clock;
    }

    public Transactor transactor() {
        return tx;
    }

    public Metadata metadata() {
        return metadata;
    }

    public Records records() {
        return records;
    }

    public SignalLog signals() {
        return signals;
    }

    public SignalDispatcher dispatcher() {
        return dispatcher;
    }

    public Orgs orgs() {
        return orgs;
    }

    /** Decides whether an actor may manage a kind of definition. */
    public Access access() {
        return access;
    }

    /** Path Finder: touchpoint configuration, imported logs and path discovery. */
    public PathFinder pathFinder() {
        if (pathFinder == null) {
            throw new IllegalStateException("This engine was built without a PathFinderStore");
        }
        return pathFinder;
    }

    @Override
    public void close() {
        dispatcher.close();
    }

    /** Collects the ports. Every one is required except the tuning knobs. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private Transactor transactor;
        private MetadataStore metadataStore;
        private RecordStore recordStore;
        private SignalStore signalStore;
        private IdentityStore identityStore;
        private PathFinderStore pathFinderStore;
        private int dispatchBatch = 500;
        private int maxAttempts = 5;

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder transactor(Transactor transactor) {
            this.transactor = transactor;
            return this;
        }

        public Builder metadataStore(MetadataStore store) {
            this.metadataStore = store;
            return this;
        }

        public Builder recordStore(RecordStore store) {
            this.recordStore = store;
            return this;
        }

        public Builder signalStore(SignalStore store) {
            this.signalStore = store;
            return this;
        }

        public Builder identityStore(IdentityStore store) {
            this.identityStore = store;
            return this;
        }

        /** Where Path Finder keeps its configuration and datasets (optional: without it {@link #pathFinder()} is unavailable). */
        public Builder pathFinderStore(PathFinderStore store) {
            this.pathFinderStore = store;
            return this;
        }

        /** Signals per consumer transaction (default 500). */
        public Builder dispatchBatch(int n) {
            this.dispatchBatch = n;
            return this;
        }

        /** Deliveries of one signal before it is dead-lettered (default 5). */
        public Builder maxAttempts(int n) {
            this.maxAttempts = n;
            return this;
        }

        public Waymark build() {
            return new Waymark(this);
        }
    }
}

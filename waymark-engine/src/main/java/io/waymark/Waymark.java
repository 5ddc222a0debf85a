package io.waymark;

import io.waymark.action.ActionCatalog;
import io.waymark.action.ActionType;
import io.waymark.action.Outbox;
import io.waymark.action.OutboxStore;
import io.waymark.action.builtin.BuiltinActions;
import io.waymark.identity.Access;
import io.waymark.identity.IdentityStore;
import io.waymark.identity.Orgs;
import io.waymark.journey.JourneyStore;
import io.waymark.journey.Journeys;
import io.waymark.record.Metadata;
import io.waymark.record.MetadataStore;
import io.waymark.record.RecordStore;
import io.waymark.record.Records;
import io.waymark.signal.SignalDispatcher;
import io.waymark.signal.SignalLog;
import io.waymark.signal.SignalStore;
import io.waymark.timer.TimerScheduler;
import io.waymark.timer.Timers;
import io.waymark.tx.Transactor;
import io.waymark.workflow.RuleRunner;
import io.waymark.workflow.WorkflowRules;
import io.waymark.workflow.WorkflowStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    private final ActionCatalog actions;
    private final Outbox outbox;
    private final Timers timers;
    private final WorkflowRules workflowRules;
    private final Journeys journeys;

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
        records.onCommit(dispatcher::wake);
        signals.onCommit(dispatcher::wake);
        this.actions = new ActionCatalog();
        new BuiltinActions(metadata, records, b.signalStore, b.identityStore, clock).all().forEach(actions::register);
        b.actionTypes.forEach(actions::register);
        this.outbox = new Outbox(Objects.requireNonNull(b.outboxStore, "outboxStore"), b.signalStore, actions, tx, clock, access,
                b.outboxSettings);
        this.timers = new Timers(Objects.requireNonNull(b.timerScheduler, "timerScheduler"), b.signalStore, tx, clock, dispatcher::wake);
        this.workflowRules = new WorkflowRules(Objects.requireNonNull(b.workflowStore, "workflowStore"), metadata, actions, tx, clock, access);
        dispatcher.register(new RuleRunner(workflowRules, outbox, timers, records, metadata, b.identityStore, clock, b.workflowMaxDepth));
        // Journeys are optional, so that an engine for records alone (or a test) needs no store for them.
        this.journeys = b.journeyStore == null ? null
                : new Journeys(b.journeyStore, metadata, actions, records, signals, outbox, timers, tx, clock, access, b.identityStore);
        if (journeys != null) {
            dispatcher.register(journeys.runner());
            actions.register(journeys.startJourneyAction());
        }
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

    /** The catalogue of action kinds that automations use. */
    public ActionCatalog actions() {
        return actions;
    }

    /** Where automations' actions wait to run; its workers run them. */
    public Outbox outbox() {
        return outbox;
    }

    /** Persistent timers that fire as {@code timer.fired} signals. */
    public Timers timers() {
        return timers;
    }

    public WorkflowRules workflowRules() {
        return workflowRules;
    }

    /** The Journey Builder: journeys, their versions, instances and analytics. */
    public Journeys journeys() {
        if (journeys == null) {
            throw new IllegalStateException("This engine was built without a journey store (Builder.journeyStore)");
        }
        return journeys;
    }

    /**
     * Starts the background work: the signal dispatcher, the timer scheduler and the outbox
     * workers. Stop it all with {@link #close()}.
     */
    public void start(Duration poll, int outboxWorkers) {
        dispatcher.start(poll);
        timers.start();
        outbox.start(outboxWorkers, poll);
    }

    /**
     * Runs everything that is due by the clock now, in this thread, until nothing is left:
     * signals to their consumers, due timers, outbox entries (whose results are signals again).
     * Returns how many steps it made. Tests and simulations call this instead of {@link #start}.
     */
    public int runPending() {
        int total = 0;
        for (int round = 0; round < 1_000; round++) {
            int n = dispatcher.runOnce() + timers.runDue() + outbox.runDue();
            total += n;
            if (n == 0) {
                return total;
            }
        }
        throw new IllegalStateException("runPending did not settle after 1000 rounds (an automation loop?)");
    }

    /** Stops the background work: outbox workers first, then timers, then the dispatcher. */
    @Override
    public void close() {
        try {
            outbox.close();
        } finally {
            try {
                timers.close();
            } finally {
                dispatcher.close();
            }
        }
    }

    /** Collects the ports. Every one is required except the tuning knobs. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private Transactor transactor;
        private MetadataStore metadataStore;
        private RecordStore recordStore;
        private SignalStore signalStore;
        private IdentityStore identityStore;
        private int dispatchBatch = 500;
        private int maxAttempts = 5;
        private OutboxStore outboxStore;
        private TimerScheduler timerScheduler;
        private WorkflowStore workflowStore;
        private JourneyStore journeyStore;
        private final List<ActionType> actionTypes = new ArrayList<>();
        private Outbox.Settings outboxSettings = Outbox.Settings.defaults();
        private int workflowMaxDepth = 5;

        public Builder outboxStore(OutboxStore store) {
            this.outboxStore = store;
            return this;
        }

        public Builder timerScheduler(TimerScheduler scheduler) {
            this.timerScheduler = scheduler;
            return this;
        }

        public Builder journeyStore(JourneyStore store) {
            this.journeyStore = store;
            return this;
        }

        public Builder workflowStore(WorkflowStore store) {
            this.workflowStore = store;
            return this;
        }

        /**
         * Adds a kind of action to the catalogue (email, webhooks, enrolling in a cadence …);
         * the built-in kinds are always there.
         */
        public Builder actionType(ActionType type) {
            this.actionTypes.add(Objects.requireNonNull(type, "type"));
            return this;
        }

        /** Retries, back-off and batch size of the outbox. */
        public Builder outboxSettings(Outbox.Settings settings) {
            this.outboxSettings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** How many automations in a row may trigger each other before a workflow rule stops (default 5). */
        public Builder workflowMaxDepth(int depth) {
            if (depth < 1) {
                throw new IllegalArgumentException("workflowMaxDepth must be at least 1");
            }
            this.workflowMaxDepth = depth;
            return this;
        }

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

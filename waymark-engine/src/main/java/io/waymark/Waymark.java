package io.waymark;

import io.waymark.approval.ApprovalStore;
import io.waymark.approval.Approvals;
import io.waymark.blueprint.BlueprintStore;
import io.waymark.blueprint.Blueprints;
import io.waymark.record.HeldSignals;
import io.waymark.review.ReviewStore;
import io.waymark.review.Reviews;
import io.waymark.flow.FlowStore;
import io.waymark.action.ActionCatalog;
import io.waymark.action.ActionType;
import io.waymark.action.Outbox;
import io.waymark.action.OutboxStore;
import io.waymark.action.builtin.BuiltinActions;
import io.waymark.identity.Access;
import io.waymark.identity.AuditLog;
import io.waymark.identity.Groups;
import io.waymark.action.ActionType;
import io.waymark.email.Email;
import io.waymark.email.EmailTemplates;
import io.waymark.email.MailTransport;
import io.waymark.email.SendEmailAction;
import io.waymark.identity.Access;
import io.waymark.inbound.RateLimiter;
import io.waymark.inbound.SignalEndpoints;
import io.waymark.inbound.WebForms;
import io.waymark.integration.Definitions;
import io.waymark.integration.IntegrationSettings;
import io.waymark.integration.IntegrationStore;
import io.waymark.integration.MergeFields;
import io.waymark.webhook.WebhookAction;
import io.waymark.webhook.Webhooks;
import io.waymark.identity.IdentityStore;
import io.waymark.identity.Orgs;
import io.waymark.kiosk.Kiosks;
import io.waymark.identity.Profiles;
import io.waymark.identity.Roles;
import io.waymark.identity.SharingRules;
import io.waymark.identity.Users;
import io.waymark.pathfinder.PathFinder;
import io.waymark.pathfinder.PathFinderStore;
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
import io.waymark.wizard.Wizards;
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
    private final Kiosks kiosks;
    private final Wizards wizards;
    private final AuditLog audit;
    private final Users users;
    private final Roles roles;
    private final Groups groups;
    private final Profiles profiles;
    private final SharingRules sharingRules;
    private final ActionCatalog actions;
    private final Outbox outbox;
    private final Timers timers;
    private final WorkflowRules workflowRules;
    private final Email email;
    private final Webhooks webhooks;
    private final SignalEndpoints signalEndpoints;
    private final WebForms webForms;
    private final List<ActionType> integrationActions;
    private final PathFinder pathFinder;
    private final Journeys journeys;
    private final Blueprints blueprints;
    private final Approvals approvals;
    private final Reviews reviews;
    private final io.waymark.record.Attachments attachments;
    private final io.waymark.cadence.Cadences cadences;

    private Waymark(Builder b) {
        this.clock = Objects.requireNonNull(b.clock, "clock");
        this.tx = Objects.requireNonNull(b.transactor, "transactor");
        IdentityStore identity = Objects.requireNonNull(b.identityStore, "identityStore");
        this.access = new Access(identity);
        this.audit = new AuditLog(identity, access, tx, clock);
        this.metadata = new Metadata(Objects.requireNonNull(b.metadataStore, "metadataStore"), tx, access);
        this.records = new Records(metadata, Objects.requireNonNull(b.recordStore, "recordStore"),
                Objects.requireNonNull(b.signalStore, "signalStore"), identity, access, audit, tx, clock);
        this.signals = new SignalLog(b.signalStore, records, access, tx, clock);
        this.attachments = b.attachmentStore == null ? null
                : new io.waymark.record.Attachments(b.attachmentStore, records, b.signalStore, tx, clock);
        this.dispatcher = new SignalDispatcher(b.signalStore, tx, clock, b.dispatchBatch, b.maxAttempts);
        FlowStore flows = Objects.requireNonNull(b.flowStore, "flowStore");
        this.wizards = new Wizards(metadata, records, flows, access, b.identityStore, tx, clock);
        this.orgs = new Orgs(identity, metadata, access, tx, clock);
        this.users = new Users(identity, access, audit, orgs, tx, clock);
        this.roles = new Roles(identity, access, audit, tx, clock);
        this.groups = new Groups(identity, access, audit, tx, clock);
        this.profiles = new Profiles(identity, access, audit, metadata, tx, clock);
        this.sharingRules = new SharingRules(identity, access, audit, metadata, tx, clock);
        // Optional, so that an engine built for one purpose (a test, an embedding) need not bring it.
        this.pathFinder = b.pathFinderStore == null ? null : new PathFinder(b.pathFinderStore, records, access, tx, clock);
        records.onCommit(dispatcher::wake);
        signals.onCommit(dispatcher::wake);
        // An engine without an integration store (some tests, embedders that need no email) has no email, webhooks or forms.
        IntegrationStore integrations = b.integrationStore;
        if (integrations != null) {
            IntegrationSettings settings = Objects.requireNonNull(b.integrationSettings, "integrationSettings");
            Definitions definitions = new Definitions(integrations, tx, clock);
            MergeFields merge = new MergeFields(records, integrations);
            RateLimiter limiter = new RateLimiter(clock);
            Runnable wake = dispatcher::wake;
            this.email = new Email(new EmailTemplates(definitions, metadata, records, merge, access), records, integrations, b.signalStore,
                    Objects.requireNonNull(b.mailTransport, "mailTransport"), settings, tx, clock, access, wake,
                    (org, user) -> b.identityStore == null ? java.util.Optional.empty() : b.identityStore.user(org, user));
            this.webhooks = new Webhooks(definitions, metadata, records, merge, access, settings, clock);
            this.signalEndpoints = new SignalEndpoints(definitions, integrations, metadata, records, b.signalStore, tx, clock, access, limiter, wake);
            this.webForms = new WebForms(definitions, integrations, metadata, records, b.signalStore, tx, clock, access, limiter, settings, wake);
            this.integrationActions = List.of(new SendEmailAction(email, records), new WebhookAction(webhooks));
        } else {
            this.email = null;
            this.webhooks = null;
            this.signalEndpoints = null;
            this.webForms = null;
            this.integrationActions = List.of();
        }
        this.actions = new ActionCatalog();
        new BuiltinActions(metadata, records, b.signalStore, b.identityStore, clock).all().forEach(actions::register);
        integrationActions.forEach(actions::register);
        b.actionTypes.forEach(actions::register);
        if (b.outboxStore == null || b.timerScheduler == null || b.workflowStore == null) {
            // An engine without the automation ports (records and signals only), e.g. in a test of the record store.
            this.outbox = null;
            this.timers = null;
            this.workflowRules = null;
            this.journeys = null;
            this.blueprints = null;
            this.approvals = null;
            this.reviews = null;
            this.cadences = null;
        } else {
            this.outbox = new Outbox(b.outboxStore, b.signalStore, actions, tx, clock, access, b.outboxSettings);
            this.timers = new Timers(b.timerScheduler, b.signalStore, tx, clock, dispatcher::wake);
            this.workflowRules = new WorkflowRules(b.workflowStore, metadata, actions, tx, clock, access);
            // Automations that react to record signals stand behind the record hold (a review): they see nothing of a held record.
            dispatcher.register(HeldSignals.shield(new RuleRunner(workflowRules, outbox, timers, records, metadata, b.identityStore, clock,
                    b.workflowMaxDepth)));
            // Journeys are optional, so that an engine for records alone (or a test) needs no store for them.
            this.journeys = b.journeyStore == null ? null
                    : new Journeys(b.journeyStore, metadata, actions, records, signals, outbox, timers, tx, clock, access, b.identityStore);
            if (journeys != null) {
                dispatcher.register(HeldSignals.shield(journeys.runner()));
                actions.register(journeys.startJourneyAction());
            }
            if (b.blueprintStore == null || b.approvalStore == null) {
                this.blueprints = null;
                this.approvals = null;
                this.reviews = null;
            } else {
                this.blueprints = new Blueprints(b.blueprintStore, metadata, records, actions, outbox, timers, access, b.identityStore, tx, clock,
                        attachments);
                this.approvals = new Approvals(b.approvalStore, metadata, records, actions, outbox, timers, access, b.identityStore, tx, clock);
                // Reviews first: a record under review is not live yet; then approvals: a locked record refuses a transition
                // before a blueprint moves it.
                this.reviews = b.reviewStore == null ? null
                        : new Reviews(b.reviewStore, metadata, records, b.signalStore, access, b.identityStore, tx, clock, dispatcher::wake);
                if (reviews != null) {
                    records.hold(reviews.hold());
                    records.guard(reviews.guard());
                }
                records.guard(approvals.guard());
                records.guard(blueprints.guard());
                dispatcher.register(blueprints.timerConsumer());
                dispatcher.register(approvals.timerConsumer());
            }
            // Cadences are optional too.
            this.cadences = b.cadenceStore == null ? null
                    : new io.waymark.cadence.Cadences(b.cadenceStore, metadata, actions, records, b.signalStore, outbox, timers, tx, clock, access,
                    b.identityStore, b.maxActiveCadencesPerModule);
            if (cadences != null) {
                dispatcher.register(HeldSignals.shield(cadences.runner()));
                actions.register(cadences.enrollAction());
            }
        }
        this.kiosks = new Kiosks(metadata, records, signals, flows, access, actions, outbox, tx, clock);
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

    /** Kiosk Studio: guided consoles over several modules. */
    public Kiosks kiosks() {
        return kiosks;
    }

    /** Wizards: create and edit forms split into screens, with drafts. */
    public Wizards wizards() {
        return wizards;
    }

    /** Decides whether an actor may manage a kind of definition. */
    /** Decides what an actor may do and see: capabilities, module actions, record visibility. */
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

    /** The security audit log. */
    public AuditLog audit() {
        return audit;
    }

    /** Email templates, sending (SMTP or the embedded catcher), tracking, unsubscribes and inbound replies and bounces. */
    public Email email() {
        return integrated(email);
    }

    /** Outgoing webhooks: definitions and calls. */
    public Webhooks webhooks() {
        return integrated(webhooks);
    }

    /** Incoming-signal endpoints: public URLs that append signals. */
    public SignalEndpoints signalEndpoints() {
        return integrated(signalEndpoints);
    }

    /** Public web forms that create or update records. */
    public WebForms webForms() {
        return integrated(webForms);
    }

    private static <T> T integrated(T service) {
        if (service == null) {
            throw new IllegalStateException("This engine was built without an integration store (Builder.integrationStore)");
        }
        return service;
    }

    /** The {@code send_email} and {@code webhook} action types, for the action catalogue (empty without an integration store). */
    public List<ActionType> integrationActions() {
        return integrationActions;
    }

    /** Users, passwords, sessions and API tokens. */
    public Users users() {
        return users;
    }

    /** The role hierarchy. */
    public Roles roles() {
        return roles;
    }

    /** Groups of users. */
    public Groups groups() {
        return groups;
    }

    /** Profiles (permission sets). */
    public Profiles profiles() {
        return profiles;
    }

    /** Sharing rules that open a module's records to a role or group. */
    public SharingRules sharingRules() {
        return sharingRules;
    }

    /** The catalogue of action kinds that automations use. */
    public ActionCatalog actions() {
        return actions;
    }

    /** Where automations' actions wait to run; its workers run them. */
    public Outbox outbox() {
        return automation(outbox);
    }

    /** Persistent timers that fire as {@code timer.fired} signals. */
    public Timers timers() {
        return automation(timers);
    }

    public WorkflowRules workflowRules() {
        return automation(workflowRules);
    }

    /** What waits on a user: approvals, blueprint transitions, tasks. */
    public io.waymark.jobs.MyJobs myJobs() {
        return new io.waymark.jobs.MyJobs(approvals(), blueprints(), reviews, records, access);
    }

    /** Files attached to records. */
    public io.waymark.record.Attachments attachments() {
        if (attachments == null) {
            throw new IllegalStateException("This engine was built without an attachment store (Builder.attachmentStore)");
        }
        return attachments;
    }

    /** Review processes and the reviews of records held on creation. */
    public Reviews reviews() {
        if (reviews == null) {
            throw new IllegalStateException("This engine was built without a review store (Builder.reviewStore)");
        }
        return reviews;
    }

    /** Approval processes and their requests. */
    public Approvals approvals() {
        if (approvals == null) {
            throw new IllegalStateException("This engine was built without an approval store");
        }
        return approvals;
    }

    /** Blueprints: state machines over a picklist field, with transitions, SLAs and versions. */
    public Blueprints blueprints() {
        if (blueprints == null) {
            throw new IllegalStateException("This engine was built without a blueprint store");
        }
        return blueprints;
    }

    private static <T> T automation(T service) {
        if (service == null) {
            throw new IllegalStateException("This engine was built without the automation ports (outboxStore, timerScheduler, workflowStore)");
        }
        return service;
    }

    /** Cadences: follow-up sequences, their enrollments and runtime. */
    public io.waymark.cadence.Cadences cadences() {
        if (cadences == null) {
            throw new IllegalStateException("This engine was built without a cadence store (Builder.cadenceStore)");
        }
        return cadences;
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
        if (outbox == null) {
            return;
        }
        timers.start();
        // Local enqueues wake the workers; the short poll catches those committed just after a wake.
        outbox.start(outboxWorkers, Duration.ofMillis(Math.min(poll.toMillis(), 250)));
    }

    /**
     * Runs everything that is due by the clock now, in this thread, until nothing is left:
     * signals to their consumers, due timers, outbox entries (whose results are signals again).
     * Returns how many steps it made. Tests and simulations call this instead of {@link #start}.
     */
    public int runPending() {
        int total = 0;
        for (int round = 0; round < 1_000; round++) {
            int n = dispatcher.runOnce() + (outbox == null ? 0 : timers.runDue() + outbox.runDue());
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
            if (outbox != null) {
                outbox.close();
            }
        } finally {
            try {
                if (timers != null) {
                    timers.close();
                }
            } finally {
                dispatcher.close();
            }
        }
    }

    /**
     * Collects the ports. The record and signal ports are required; the automation ports (outbox
     * store, timer scheduler, workflow store) come together or not at all.
     */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private Transactor transactor;
        private MetadataStore metadataStore;
        private RecordStore recordStore;
        private SignalStore signalStore;
        private IdentityStore identityStore;
        private FlowStore flowStore;
        private IntegrationStore integrationStore;
        private MailTransport mailTransport = MailTransport.CATCHER;
        private IntegrationSettings integrationSettings = IntegrationSettings.defaults();
        private PathFinderStore pathFinderStore;
        private int dispatchBatch = 500;
        private int maxAttempts = 5;
        private OutboxStore outboxStore;
        private TimerScheduler timerScheduler;
        private WorkflowStore workflowStore;
        private JourneyStore journeyStore;
        private BlueprintStore blueprintStore;
        private ApprovalStore approvalStore;
        private ReviewStore reviewStore;
        private io.waymark.record.AttachmentStore attachmentStore;
        private io.waymark.cadence.CadenceStore cadenceStore;
        private final List<ActionType> actionTypes = new ArrayList<>();
        private Outbox.Settings outboxSettings = Outbox.Settings.defaults();
        private int workflowMaxDepth = 5;
        private int maxActiveCadencesPerModule = 20;

        public Builder outboxStore(OutboxStore store) {
            this.outboxStore = store;
            return this;
        }

        public Builder timerScheduler(TimerScheduler scheduler) {
            this.timerScheduler = scheduler;
            return this;
        }

        /** Where cadences are kept; without one the engine has no cadences. */
        public Builder cadenceStore(io.waymark.cadence.CadenceStore store) {
            this.cadenceStore = store;
            return this;
        }

        public Builder journeyStore(JourneyStore store) {
            this.journeyStore = store;
            return this;
        }

        /** Where blueprints live (needs the automation ports too). */
        public Builder blueprintStore(BlueprintStore store) {
            this.blueprintStore = store;
            return this;
        }

        /** Where approval processes and requests live (needs the automation ports and a blueprint store too). */
        public Builder approvalStore(ApprovalStore store) {
            this.approvalStore = store;
            return this;
        }

        /** Where review processes and reviews live (needs the blueprint and approval stores too); without one nothing is held for review. */
        /** Where files attached to records are kept; without it, records take no attachments. */
        public Builder attachmentStore(io.waymark.record.AttachmentStore store) {
            this.attachmentStore = store;
            return this;
        }

        public Builder reviewStore(ReviewStore store) {
            this.reviewStore = store;
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
        /** How many published, unpaused cadences one module may have at once (default 20). */
        public Builder maxActiveCadencesPerModule(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxActiveCadencesPerModule must be at least 1");
            }
            this.maxActiveCadencesPerModule = max;
            return this;
        }

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

        public Builder flowStore(FlowStore store) {
            this.flowStore = store;
            return this;
        }

        /** Where templates, messages, webhooks, endpoints and forms are kept; without it those services are unavailable. */
        public Builder integrationStore(IntegrationStore store) {
            this.integrationStore = store;
            return this;
        }

        /** Where emails go; default {@link MailTransport#CATCHER} (kept in the database only). */
        public Builder mailTransport(MailTransport transport) {
            this.mailTransport = transport;
            return this;
        }

        /** Public URL, tracking secret, sender, webhook allow-list, form limits; default {@link IntegrationSettings#defaults()}. */
        public Builder integrationSettings(IntegrationSettings settings) {
            this.integrationSettings = settings;
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

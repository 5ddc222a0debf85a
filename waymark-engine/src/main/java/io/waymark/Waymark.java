package io.waymark;

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
import io.waymark.record.Metadata;
import io.waymark.record.MetadataStore;
import io.waymark.record.RecordStore;
import io.waymark.record.Records;
import io.waymark.signal.SignalDispatcher;
import io.waymark.signal.SignalLog;
import io.waymark.signal.SignalStore;
import io.waymark.tx.Transactor;
import java.time.Clock;
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
    private final Email email;
    private final Webhooks webhooks;
    private final SignalEndpoints signalEndpoints;
    private final WebForms webForms;
    private final List<ActionType> integrationActions;

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
        // An engine without an integration store (some tests, embedders that need no email) has no email, webhooks or forms.
        IntegrationStore integrations = b.integrationStore;
        if (integrations != null) {
            IntegrationSettings settings = Objects.requireNonNull(b.integrationSettings, "integrationSettings");
            Definitions definitions = new Definitions(integrations, tx, clock);
            MergeFields merge = new MergeFields(records, integrations);
            RateLimiter limiter = new RateLimiter(clock);
            Runnable wake = dispatcher::wake;
            this.email = new Email(new EmailTemplates(definitions, metadata, records, merge, access), records, integrations, b.signalStore,
                    Objects.requireNonNull(b.mailTransport, "mailTransport"), settings, tx, clock, access, wake);
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
        private IntegrationStore integrationStore;
        private MailTransport mailTransport = MailTransport.CATCHER;
        private IntegrationSettings integrationSettings = IntegrationSettings.defaults();
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

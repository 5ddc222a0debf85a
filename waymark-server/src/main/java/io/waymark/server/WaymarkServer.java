package io.waymark.server;

import io.javalin.Javalin;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.micrometer.core.instrument.MeterRegistry;
import io.waymark.Waymark;
import io.waymark.server.mail.ImapMailbox;
import io.waymark.store.JdbcStore;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API of Waymark: JSON over {@code /api/v1}, problem details for every error, bearer
 * tokens for authentication, plus open {@code /health} and {@code /metrics}, and the public routes
 * that outside parties call without a token, each checking its own signed token or key
 * ({@code /t/...} email tracking and unsubscribe, {@code /in/{id}} incoming signals,
 * {@code /forms/{id}} web forms; see {@link PublicApi}). Handlers are thin:
 * the engine validates and does the work; this class wires routes, errors, authentication,
 * request ids and metrics.
 *
 * <pre>{@code
 * WaymarkServer server = new WaymarkServer(store, engine, ServerConfig.ofPort(0)).start();
 * URI base = URI.create("http://localhost:" + server.port());
 * ...
 * server.stop();
 * }</pre>
 *
 * The server does not own the store: whoever opened it closes it after {@link #stop()}.
 */
public final class WaymarkServer implements AutoCloseable {
    /** Every API route is under this prefix and needs a token, except the OpenAPI document. */
    public static final String API = "/api/v1";
    static final String OPENAPI_PATH = API + "/openapi.json";
    /** Logging in is the one API call without a token or session. */
    static final String LOGIN_PATH = API + "/sessions";
    private static final Logger log = LoggerFactory.getLogger(WaymarkServer.class);

    private final Waymark engine;
    private final ServerConfig config;
    private final HttpMetrics metrics;
    private final Javalin app;
    private boolean started;
    private boolean stopped;

    public WaymarkServer(JdbcStore store, Waymark engine, ServerConfig config) {
        this(store, engine, config, null);
    }

    /**
     * A server whose {@code POST /api/v1/email/mailbox/poll} reads {@code mailbox} (null when no
     * reply mailbox is configured). The mailbox's schedule is its owner's business.
     */
    public WaymarkServer(JdbcStore store, Waymark engine, ServerConfig config, ImapMailbox mailbox) {
        Objects.requireNonNull(store, "store");
        this.engine = Objects.requireNonNull(engine, "engine");
        this.config = Objects.requireNonNull(config, "config");
        this.metrics = new HttpMetrics();
        metrics.bind(engine);
        Authentication auth = new Authentication(engine.orgs(), engine.users(), new RateLimiter(config.rateLimit(), engine.clock()));
        Handlers handlers = new Handlers(
                new SystemApi(store, metrics),
                new MetadataApi(engine.metadata(), config.maxRequestSize()),
                new RecordApi(engine.records(), engine::attachments, metrics, config.maxRequestSize()),
                new SignalApi(engine.signals(), metrics, config.maxRequestSize()),
                new FlowApi(engine.kiosks(), engine.wizards(), config.maxRequestSize()),
                new IdentityApi(engine, auth, config),
                new AutomationApi(engine.workflowRules(), engine.outbox(), engine.actions(), config.maxRequestSize()),
                new PathFinderApi(engine.pathFinder(), config.maxRequestSize()),
                new JourneyApi(engine.journeys(), config.maxRequestSize()),
                new BpmApi(engine.blueprints(), engine.approvals(), engine.reviews(), engine.myJobs(), config.maxRequestSize()),
                new CadenceApi(engine.cadences(), config.maxRequestSize()),
                new OpenApiDocument(),
                new EmailApi(engine.email(), mailbox, config.maxRequestSize()),
                new IntegrationsApi(engine.webhooks(), engine.signalEndpoints(), engine.webForms(), engine.email().settings().publicBaseUrl(),
                        config.maxRequestSize()),
                new PublicApi(engine.email(), engine.signalEndpoints(), engine.webForms(), config.maxRequestSize()));
        this.app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.startupWatcherEnabled = false;
            c.http.maxRequestSize = config.maxRequestSize();
            c.http.prefer405over404 = true;
            c.jetty.modifyServer(server -> {
                // Jetty waits this long for requests in flight when stopping.
                server.setStopTimeout(config.stopTimeout().toMillis());
                server.setErrorHandler(new JettyErrors());
            });
            c.jetty.modifyServletContextHandler(h -> h.setErrorHandler(new JettyErrors()));
            c.requestLogger.http((ctx, millis) -> {
                metrics.request(ctx, millis);
                log.debug("{} {} -> {} in {} ms", ctx.method(), ctx.path(), ctx.statusCode(), Math.round(millis));
                RequestIds.end();
            });
        });
        ErrorMapping.install(app);
        app.before(RequestIds::begin);
        app.beforeMatched(API + "/*", ctx -> {
            boolean login = ctx.method() == HandlerType.POST && ctx.path().equals(LOGIN_PATH);
            if (!ctx.path().equals(OPENAPI_PATH) && !login) {
                auth.authenticate(ctx);
            }
        });
        app.beforeMatched(JsonBody::refuseNulInParameters);
        for (Endpoint e : endpoints(handlers)) {
            app.addHttpHandler(e.method(), e.path(), e.handler());
        }
    }

    /** Starts listening; returns this server for chaining. */
    public synchronized WaymarkServer start() {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        app.start(config.port());
        log.info("Waymark listening on port {}", port());
        return this;
    }

    /** The port the server listens on (the real one when the configuration said 0). */
    public int port() {
        return app.port();
    }

    /** The registry behind {@code /metrics}, for embedding applications that add their own meters. */
    public MeterRegistry meterRegistry() {
        return metrics.registry();
    }

    /**
     * Stops gracefully: stops accepting connections, lets requests in flight finish (up to the
     * configured stop timeout), then closes the engine (its signal dispatcher). Idempotent.
     */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        long begun = System.nanoTime();
        log.info("Stopping Waymark server");
        try {
            app.stop();
        } finally {
            try {
                engine.close();
            } finally {
                metrics.close();
            }
        }
        log.info("Waymark server stopped in {} ms", (System.nanoTime() - begun) / 1_000_000);
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Every route the server registers, in registration order, as {@code "METHOD /path"} with
     * path templates in OpenAPI's form ({@code "GET /api/v1/records/{module}/{id}"}), so a test can
     * compare them with the OpenAPI document.
     */
    public static List<String> routes() {
        return endpoints(null).stream().map(e -> e.method().name() + " " + e.path()).toList();
    }

    /**
     * The route table: the one place that names the routes, so that {@link #routes()} and the
     * registration cannot drift apart. {@code h} is null when only the table is wanted; handlers
     * are lambdas (not method references) so that building them does not dereference it.
     */
    private static List<Endpoint> endpoints(Handlers h) {
        String records = API + "/records/{module}";
        String record = records + "/{id}";
        String modules = API + "/modules";
        String field = modules + "/{module}/fields/{field}";
        String layout = modules + "/{module}/layouts/{layout}";
        String rules = API + "/workflow-rules";
        String pathfinder = API + "/pathfinder";
        String dataset = pathfinder + "/datasets/{id}";
        return List.of(
                get("/health", ctx -> h.system().health(ctx)),
                get("/metrics", ctx -> h.system().metrics(ctx)),
                get(OPENAPI_PATH, ctx -> h.openApi().serve(ctx)),

                get(modules, ctx -> h.metadata().list(ctx)),
                post(modules, ctx -> h.metadata().create(ctx)),
                get(modules + "/{module}", ctx -> h.metadata().get(ctx)),
                post(modules + "/{module}/fields", ctx -> h.metadata().addField(ctx)),
                patch(field, ctx -> h.metadata().updateField(ctx)),
                delete(field, ctx -> h.metadata().deleteField(ctx)),
                post(field + "/restore", ctx -> h.metadata().restoreField(ctx)),
                put(layout, ctx -> h.metadata().saveLayout(ctx)),
                delete(layout, ctx -> h.metadata().deleteLayout(ctx)),

                // "count" and "export" before "{id}": the first matching route wins.
                get(records + "/count", ctx -> h.records().count(ctx)),
                get(records + "/export", ctx -> h.records().export(ctx)),
                post(records + "/transfer", ctx -> h.records().transfer(ctx)),
                get(records, ctx -> h.records().list(ctx)),
                post(records, ctx -> h.records().create(ctx)),
                patch(records, ctx -> h.records().updateAll(ctx)),
                get(record, ctx -> h.records().get(ctx)),
                patch(record, ctx -> h.records().update(ctx)),
                delete(record, ctx -> h.records().delete(ctx)),
                get(record + "/related/{relatedModule}", ctx -> h.records().related(ctx)),
                get(record + "/timeline", ctx -> h.records().timeline(ctx)),
                get(record + "/attachments", ctx -> h.records().attachments(ctx)),
                post(record + "/attachments", ctx -> h.records().attach(ctx)),
                get(record + "/attachments/{attachmentId}", ctx -> h.records().attachment(ctx)),
                get(record + "/attachments/{attachmentId}/content", ctx -> h.records().attachmentContent(ctx)),
                delete(record + "/attachments/{attachmentId}", ctx -> h.records().detach(ctx)),
                post(API + "/records/Leads/{id}/convert", ctx -> h.records().convertLead(ctx)),

                post(API + "/signals", ctx -> h.signals().ingest(ctx)),
                get(API + "/signals", ctx -> h.signals().query(ctx)),

                get(API + "/kiosks", ctx -> h.flows().listKiosks(ctx)),
                post(API + "/kiosks", ctx -> h.flows().createKiosk(ctx)),
                get(API + "/kiosks/{id}", ctx -> h.flows().getKiosk(ctx)),
                put(API + "/kiosks/{id}", ctx -> h.flows().updateKiosk(ctx)),
                patch(API + "/kiosks/{id}", ctx -> h.flows().patchKiosk(ctx)),
                get(API + "/kiosks/{id}/versions", ctx -> h.flows().kioskVersions(ctx)),
                post(API + "/kiosks/{id}/runs", ctx -> h.flows().startKiosk(ctx)),
                get(API + "/kiosk-runs/{id}", ctx -> h.flows().getKioskRun(ctx)),
                post(API + "/kiosk-runs/{id}/submit", ctx -> h.flows().submitKioskRun(ctx)),
                delete(API + "/kiosk-runs/{id}", ctx -> h.flows().abandonKioskRun(ctx)),

                get(API + "/wizards", ctx -> h.flows().listWizards(ctx)),
                post(API + "/wizards", ctx -> h.flows().createWizard(ctx)),
                get(API + "/wizards/{id}", ctx -> h.flows().getWizard(ctx)),
                put(API + "/wizards/{id}", ctx -> h.flows().updateWizard(ctx)),
                patch(API + "/wizards/{id}", ctx -> h.flows().patchWizard(ctx)),
                post(API + "/wizards/{id}/runs", ctx -> h.flows().startWizard(ctx)),
                get(API + "/wizard-runs", ctx -> h.flows().wizardDrafts(ctx)),
                get(API + "/wizard-runs/{id}", ctx -> h.flows().getWizardRun(ctx)),
                post(API + "/wizard-runs/{id}/submit", ctx -> h.flows().submitWizardRun(ctx)),
                delete(API + "/wizard-runs/{id}", ctx -> h.flows().discardWizardRun(ctx)),

                post(LOGIN_PATH, ctx -> h.identity().login(ctx)),
                get(API + "/sessions", ctx -> h.identity().sessions(ctx)),
                // "current" before "{id}".
                delete(API + "/sessions/current", ctx -> h.identity().logout(ctx)),
                delete(API + "/sessions/{id}", ctx -> h.identity().revokeSession(ctx)),
                get(API + "/tokens", ctx -> h.identity().tokens(ctx)),
                post(API + "/tokens", ctx -> h.identity().createToken(ctx)),
                delete(API + "/tokens/{id}", ctx -> h.identity().revokeToken(ctx)),
                get(API + "/users", ctx -> h.identity().users(ctx)),
                post(API + "/users", ctx -> h.identity().createUser(ctx)),
                get(API + "/users/me", ctx -> h.identity().me(ctx)),
                get(API + "/users/{id}", ctx -> h.identity().user(ctx)),
                patch(API + "/users/{id}", ctx -> h.identity().updateUser(ctx)),
                put(API + "/users/{id}/password", ctx -> h.identity().setPassword(ctx)),
                get(API + "/users/{id}/manager", ctx -> h.identity().manager(ctx)),
                post(API + "/users/{id}/transfer-records", ctx -> h.identity().transferRecords(ctx)),
                get(API + "/roles", ctx -> h.identity().roles(ctx)),
                post(API + "/roles", ctx -> h.identity().createRole(ctx)),
                get(API + "/roles/{id}", ctx -> h.identity().role(ctx)),
                patch(API + "/roles/{id}", ctx -> h.identity().updateRole(ctx)),
                delete(API + "/roles/{id}", ctx -> h.identity().deleteRole(ctx)),
                get(API + "/groups", ctx -> h.identity().groups(ctx)),
                post(API + "/groups", ctx -> h.identity().createGroup(ctx)),
                get(API + "/groups/{id}", ctx -> h.identity().group(ctx)),
                patch(API + "/groups/{id}", ctx -> h.identity().updateGroup(ctx)),
                delete(API + "/groups/{id}", ctx -> h.identity().deleteGroup(ctx)),
                get(API + "/profiles", ctx -> h.identity().profiles(ctx)),
                post(API + "/profiles", ctx -> h.identity().createProfile(ctx)),
                get(API + "/profiles/{id}", ctx -> h.identity().profile(ctx)),
                patch(API + "/profiles/{id}", ctx -> h.identity().updateProfile(ctx)),
                delete(API + "/profiles/{id}", ctx -> h.identity().deleteProfile(ctx)),
                get(API + "/sharing-rules", ctx -> h.identity().sharingRules(ctx)),
                post(API + "/sharing-rules", ctx -> h.identity().createSharingRule(ctx)),
                delete(API + "/sharing-rules/{id}", ctx -> h.identity().deleteSharingRule(ctx)),
                get(API + "/audit", ctx -> h.identity().audit(ctx)),

                get(rules, ctx -> h.automation().listRules(ctx)),
                post(rules, ctx -> h.automation().createRule(ctx)),
                get(rules + "/{id}", ctx -> h.automation().getRule(ctx)),
                patch(rules + "/{id}", ctx -> h.automation().updateRule(ctx)),
                delete(rules + "/{id}", ctx -> h.automation().deleteRule(ctx)),
                get(rules + "/{id}/history", ctx -> h.automation().ruleHistory(ctx)),
                get(API + "/outbox", ctx -> h.automation().listOutbox(ctx)),
                get(API + "/outbox/{id}", ctx -> h.automation().getOutboxEntry(ctx)),
                post(API + "/outbox/{id}/retry", ctx -> h.automation().retryOutboxEntry(ctx)),
                get(API + "/action-types", ctx -> h.automation().listActionTypes(ctx)),

                get(API + "/email/templates", ctx -> h.email().listTemplates(ctx)),
                post(API + "/email/templates", ctx -> h.email().createTemplate(ctx)),
                get(API + "/email/templates/{id}", ctx -> h.email().getTemplate(ctx)),
                patch(API + "/email/templates/{id}", ctx -> h.email().updateTemplate(ctx)),
                delete(API + "/email/templates/{id}", ctx -> h.email().deleteTemplate(ctx)),
                post(API + "/email/templates/{id}/preview", ctx -> h.email().preview(ctx)),
                post(API + "/email/send", ctx -> h.email().send(ctx)),
                get(API + "/email/messages", ctx -> h.email().listMessages(ctx)),
                get(API + "/email/messages/{id}", ctx -> h.email().getMessage(ctx)),
                get(API + "/email/unsubscribes/{address}", ctx -> h.email().getUnsubscribe(ctx)),
                delete(API + "/email/unsubscribes/{address}", ctx -> h.email().deleteUnsubscribe(ctx)),
                post(API + "/email/mailbox/poll", ctx -> h.email().pollMailbox(ctx)),

                get(API + "/webhooks", ctx -> h.integrations().listWebhooks(ctx)),
                post(API + "/webhooks", ctx -> h.integrations().createWebhook(ctx)),
                get(API + "/webhooks/{id}", ctx -> h.integrations().getWebhook(ctx)),
                patch(API + "/webhooks/{id}", ctx -> h.integrations().updateWebhook(ctx)),
                delete(API + "/webhooks/{id}", ctx -> h.integrations().deleteWebhook(ctx)),
                post(API + "/webhooks/{id}/test", ctx -> h.integrations().testWebhook(ctx)),
                get(API + "/signal-endpoints", ctx -> h.integrations().listEndpoints(ctx)),
                post(API + "/signal-endpoints", ctx -> h.integrations().createEndpoint(ctx)),
                get(API + "/signal-endpoints/{id}", ctx -> h.integrations().getEndpoint(ctx)),
                patch(API + "/signal-endpoints/{id}", ctx -> h.integrations().updateEndpoint(ctx)),
                delete(API + "/signal-endpoints/{id}", ctx -> h.integrations().deleteEndpoint(ctx)),
                get(API + "/forms", ctx -> h.integrations().listForms(ctx)),
                post(API + "/forms", ctx -> h.integrations().createForm(ctx)),
                get(API + "/forms/{id}", ctx -> h.integrations().getForm(ctx)),
                patch(API + "/forms/{id}", ctx -> h.integrations().updateForm(ctx)),
                delete(API + "/forms/{id}", ctx -> h.integrations().deleteForm(ctx)),

                // Public routes: outside /api/v1, so no bearer token; each checks its own token or key.
                get("/t/o/{token}", ctx -> h.publicRoutes().pixel(ctx)),
                get("/t/c/{token}", ctx -> h.publicRoutes().click(ctx)),
                get("/t/u/{token}", ctx -> h.publicRoutes().unsubscribePage(ctx)),
                post("/t/u/{token}", ctx -> h.publicRoutes().unsubscribe(ctx)),
                get("/in/{id}", ctx -> h.publicRoutes().signalIn(ctx)),
                post("/in/{id}", ctx -> h.publicRoutes().signalIn(ctx)),
                get("/forms/{id}", ctx -> h.publicRoutes().formPage(ctx)),
                post("/forms/{id}", ctx -> h.publicRoutes().formSubmit(ctx)),

                get(pathfinder + "/touchpoints", ctx -> h.pathFinder().touchpoints(ctx)),
                put(pathfinder + "/touchpoints", ctx -> h.pathFinder().configure(ctx)),
                post(pathfinder + "/live/map", ctx -> h.pathFinder().liveMap(ctx)),
                post(pathfinder + "/live/compare", ctx -> h.pathFinder().liveCompare(ctx)),
                get(pathfinder + "/datasets", ctx -> h.pathFinder().datasets(ctx)),
                post(pathfinder + "/datasets", ctx -> h.pathFinder().upload(ctx)),
                get(dataset, ctx -> h.pathFinder().dataset(ctx)),
                delete(dataset, ctx -> h.pathFinder().deleteDataset(ctx)),
                post(dataset + "/map", ctx -> h.pathFinder().datasetMap(ctx)),
                post(dataset + "/compare", ctx -> h.pathFinder().datasetCompare(ctx)),

                get(API + "/journeys", ctx -> h.journeys().list(ctx)),
                post(API + "/journeys", ctx -> h.journeys().create(ctx)),
                post(API + "/journeys/validate", ctx -> h.journeys().validate(ctx)),
                // "instances" before "{id}": the first matching route wins.
                get(API + "/journeys/instances", ctx -> h.journeys().subjectInstances(ctx)),
                get(API + "/journeys/instances/{instance}", ctx -> h.journeys().instance(ctx)),
                post(API + "/journeys/instances/{instance}/move", ctx -> h.journeys().move(ctx)),
                post(API + "/journeys/instances/{instance}/end", ctx -> h.journeys().end(ctx)),
                get(API + "/journeys/{id}", ctx -> h.journeys().get(ctx)),
                put(API + "/journeys/{id}", ctx -> h.journeys().update(ctx)),
                delete(API + "/journeys/{id}", ctx -> h.journeys().delete(ctx)),
                post(API + "/journeys/{id}/publish", ctx -> h.journeys().publish(ctx)),
                post(API + "/journeys/{id}/activate", ctx -> h.journeys().activate(ctx)),
                post(API + "/journeys/{id}/deactivate", ctx -> h.journeys().deactivate(ctx)),
                get(API + "/journeys/{id}/versions/{version}", ctx -> h.journeys().version(ctx)),
                post(API + "/journeys/{id}/migrate", ctx -> h.journeys().migrate(ctx)),
                post(API + "/journeys/{id}/enroll", ctx -> h.journeys().enroll(ctx)),
                post(API + "/journeys/{id}/simulate", ctx -> h.journeys().simulate(ctx)),
                get(API + "/journeys/{id}/instances", ctx -> h.journeys().instances(ctx)),
                get(API + "/journeys/{id}/analytics", ctx -> h.journeys().analytics(ctx)),

                get(API + "/blueprints", ctx -> h.bpm().list(ctx)),
                post(API + "/blueprints", ctx -> h.bpm().create(ctx)),
                get(API + "/blueprints/{id}", ctx -> h.bpm().get(ctx)),
                patch(API + "/blueprints/{id}", ctx -> h.bpm().update(ctx)),
                delete(API + "/blueprints/{id}", ctx -> h.bpm().delete(ctx)),
                get(API + "/blueprints/{id}/versions/{version}", ctx -> h.bpm().version(ctx)),
                post(API + "/blueprints/{id}/migrate", ctx -> h.bpm().migrate(ctx)),
                get(record + "/blueprint", ctx -> h.bpm().recordView(ctx)),
                post(record + "/blueprint/transitions/{transition}", ctx -> h.bpm().transition(ctx)),
                get(record + "/blueprint/history", ctx -> h.bpm().recordHistory(ctx)),

                get(API + "/approval-processes", ctx -> h.bpm().listProcesses(ctx)),
                post(API + "/approval-processes", ctx -> h.bpm().createProcess(ctx)),
                get(API + "/approval-processes/{id}", ctx -> h.bpm().getProcess(ctx)),
                patch(API + "/approval-processes/{id}", ctx -> h.bpm().updateProcess(ctx)),
                delete(API + "/approval-processes/{id}", ctx -> h.bpm().deleteProcess(ctx)),
                get(API + "/approvals/{id}", ctx -> h.bpm().request(ctx)),
                post(API + "/approvals/{id}/approve", ctx -> h.bpm().approve(ctx)),
                post(API + "/approvals/{id}/reject", ctx -> h.bpm().reject(ctx)),
                post(API + "/approvals/{id}/delegate", ctx -> h.bpm().delegate(ctx)),
                post(API + "/approvals/{id}/recall", ctx -> h.bpm().recall(ctx)),
                get(record + "/approvals", ctx -> h.bpm().recordApprovals(ctx)),
                get(API + "/review-processes", ctx -> h.bpm().listReviewProcesses(ctx)),
                post(API + "/review-processes", ctx -> h.bpm().createReviewProcess(ctx)),
                get(API + "/review-processes/{id}", ctx -> h.bpm().getReviewProcess(ctx)),
                patch(API + "/review-processes/{id}", ctx -> h.bpm().updateReviewProcess(ctx)),
                delete(API + "/review-processes/{id}", ctx -> h.bpm().deleteReviewProcess(ctx)),
                get(API + "/reviews", ctx -> h.bpm().reviews(ctx)),
                get(API + "/reviews/{id}", ctx -> h.bpm().review(ctx)),
                post(API + "/reviews/{id}/decision", ctx -> h.bpm().decideReview(ctx)),
                post(API + "/reviews/{id}/resubmit", ctx -> h.bpm().resubmitReview(ctx)),
                get(record + "/review", ctx -> h.bpm().recordReview(ctx)),
                get(API + "/my-jobs", ctx -> h.bpm().myJobs(ctx)),
                get(API + "/cadences", ctx -> h.cadences().list(ctx)),
                post(API + "/cadences", ctx -> h.cadences().create(ctx)),
                get(API + "/cadences/enrollments/{enrollment}", ctx -> h.cadences().enrollment(ctx)),
                post(API + "/cadences/enrollments/{enrollment}/unenroll", ctx -> h.cadences().unenroll(ctx)),
                post(API + "/cadences/enrollments/{enrollment}/pause", ctx -> h.cadences().pause(ctx)),
                post(API + "/cadences/enrollments/{enrollment}/resume", ctx -> h.cadences().resume(ctx)),
                post(API + "/cadences/enrollments/{enrollment}/calls/{follow_up}", ctx -> h.cadences().logCall(ctx)),
                get(API + "/cadences/{id}", ctx -> h.cadences().get(ctx)),
                put(API + "/cadences/{id}", ctx -> h.cadences().update(ctx)),
                post(API + "/cadences/{id}/publish", ctx -> h.cadences().publish(ctx)),
                get(API + "/cadences/{id}/versions/{version}", ctx -> h.cadences().version(ctx)),
                post(API + "/cadences/{id}/enroll", ctx -> h.cadences().enroll(ctx)),
                post(API + "/cadences/{id}/pause", ctx -> h.cadences().pauseCadence(ctx)),
                post(API + "/cadences/{id}/resume", ctx -> h.cadences().resumeCadence(ctx)),
                post(API + "/cadences/{id}/migrate", ctx -> h.cadences().migrate(ctx)),
                get(API + "/cadences/{id}/enrollments", ctx -> h.cadences().enrollments(ctx)),
                get(API + "/cadences/{id}/analytics", ctx -> h.cadences().analytics(ctx)));
    }

    private static Endpoint get(String path, Handler h) {
        return new Endpoint(HandlerType.GET, path, h);
    }

    private static Endpoint post(String path, Handler h) {
        return new Endpoint(HandlerType.POST, path, h);
    }

    private static Endpoint put(String path, Handler h) {
        return new Endpoint(HandlerType.PUT, path, h);
    }

    private static Endpoint patch(String path, Handler h) {
        return new Endpoint(HandlerType.PATCH, path, h);
    }

    private static Endpoint delete(String path, Handler h) {
        return new Endpoint(HandlerType.DELETE, path, h);
    }

    private record Endpoint(HandlerType method, String path, Handler handler) {
    }

    private record Handlers(SystemApi system, MetadataApi metadata, RecordApi records, SignalApi signals, FlowApi flows,
                            IdentityApi identity, AutomationApi automation, PathFinderApi pathFinder, JourneyApi journeys, BpmApi bpm,
                            CadenceApi cadences,
                            OpenApiDocument openApi, EmailApi email, IntegrationsApi integrations, PublicApi publicRoutes) {
    }
}

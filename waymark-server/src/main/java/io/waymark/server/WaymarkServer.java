package io.waymark.server;

import io.javalin.Javalin;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.micrometer.core.instrument.MeterRegistry;
import io.waymark.Waymark;
import io.waymark.store.JdbcStore;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API of Waymark: JSON over {@code /api/v1}, problem details for every error, bearer
 * tokens for authentication, plus open {@code /health} and {@code /metrics}. Handlers are thin:
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
    private static final Logger log = LoggerFactory.getLogger(WaymarkServer.class);

    private final Waymark engine;
    private final ServerConfig config;
    private final HttpMetrics metrics;
    private final Javalin app;
    private boolean started;
    private boolean stopped;

    public WaymarkServer(JdbcStore store, Waymark engine, ServerConfig config) {
        Objects.requireNonNull(store, "store");
        this.engine = Objects.requireNonNull(engine, "engine");
        this.config = Objects.requireNonNull(config, "config");
        this.metrics = new HttpMetrics();
        Handlers handlers = new Handlers(
                new SystemApi(store, metrics),
                new MetadataApi(engine.metadata(), config.maxRequestSize()),
                new RecordApi(engine.records(), metrics, config.maxRequestSize()),
                new SignalApi(engine.signals(), metrics, config.maxRequestSize()),
                new JourneyApi(engine.journeys(), config.maxRequestSize()),
                new OpenApiDocument());
        Authentication auth = new Authentication(engine.orgs());
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
            if (!ctx.path().equals(OPENAPI_PATH)) {
                auth.authenticate(ctx);
            }
        });
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

                // "count" before "{id}": the first matching route wins.
                get(records + "/count", ctx -> h.records().count(ctx)),
                get(records, ctx -> h.records().list(ctx)),
                post(records, ctx -> h.records().create(ctx)),
                patch(records, ctx -> h.records().updateAll(ctx)),
                get(record, ctx -> h.records().get(ctx)),
                patch(record, ctx -> h.records().update(ctx)),
                delete(record, ctx -> h.records().delete(ctx)),
                get(record + "/related/{relatedModule}", ctx -> h.records().related(ctx)),
                get(record + "/timeline", ctx -> h.records().timeline(ctx)),
                post(API + "/records/Leads/{id}/convert", ctx -> h.records().convertLead(ctx)),

                post(API + "/signals", ctx -> h.signals().ingest(ctx)),
                get(API + "/signals", ctx -> h.signals().query(ctx)),

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
                get(API + "/journeys/{id}/analytics", ctx -> h.journeys().analytics(ctx)));
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

    private record Handlers(SystemApi system, MetadataApi metadata, RecordApi records, SignalApi signals, JourneyApi journeys,
                            OpenApiDocument openApi) {
    }
}

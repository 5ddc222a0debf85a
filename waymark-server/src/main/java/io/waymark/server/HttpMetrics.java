package io.waymark.server;

import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.waymark.Waymark;
import io.waymark.signal.SignalDispatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The server's Prometheus metrics: JVM health, one timer of HTTP requests, counters of what the
 * API wrote, and the signal pipeline (dispatcher passes, deliveries, each consumer's lag). Routes
 * are tagged by template, not by concrete path, so that record ids do not explode the number of
 * series.
 */
final class HttpMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Counter recordsWritten;
    private final Counter signalsIngested;
    private SignalDispatcher dispatcher;
    private SignalDispatcher.Registration passes;
    private MultiGauge lag;

    HttpMetrics() {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        recordsWritten = Counter.builder("waymark.records.written")
                .description("Records created, updated, deleted or converted through the API").register(registry);
        signalsIngested = Counter.builder("waymark.signals.ingested")
                .description("External signals accepted through the API").register(registry);
    }

    /**
     * The signal pipeline's meters: each dispatcher pass that delivered something (its duration,
     * p50 and p99 over the last minutes, and the deliveries), and each consumer's lag (signals
     * appended that it has not taken yet), read from the database at each scrape.
     */
    void bind(Waymark engine) {
        Timer took = Timer.builder("waymark.dispatcher.passes")
                .description("Signal dispatcher passes that delivered something: how long each took")
                .publishPercentiles(0.5, 0.99).register(registry);
        Counter delivered = Counter.builder("waymark.signals.delivered")
                .description("Signals delivered to consumers (a signal counts once per consumer that took it)").register(registry);
        dispatcher = engine.dispatcher();
        passes = dispatcher.onPass((nanos, n) -> {
            took.record(nanos, TimeUnit.NANOSECONDS);
            delivered.increment(n);
        });
        lag = MultiGauge.builder("waymark.signals.lag")
                .description("Signals appended that a consumer has not taken yet, summed over partitions").register(registry);
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    void recordsWritten(int n) {
        recordsWritten.increment(n);
    }

    void signalsIngested(int n) {
        signalsIngested.increment(n);
    }

    void request(Context ctx, float millis) {
        Timer.builder("http.server.requests")
                .description("HTTP requests by method, route template and status")
                .tag("method", ctx.method().name())
                .tag("route", route(ctx))
                .tag("status", Integer.toString(ctx.statusCode()))
                .register(registry)
                .record((long) (millis * 1_000_000L), TimeUnit.NANOSECONDS);
    }

    String scrape() {
        if (lag != null) {
            try {
                List<MultiGauge.Row<?>> rows = new ArrayList<>();
                dispatcher.lag().forEach((consumer, behind) -> rows.add(MultiGauge.Row.of(Tags.of("consumer", consumer), behind)));
                lag.register(rows, true);
            } catch (RuntimeException e) {
                // The database is away: the rest of the metrics still answer (and /health says why).
                lag.register(List.of(), true);
            }
        }
        return registry.scrape();
    }

    private static String route(Context ctx) {
        String template;
        try {
            template = ctx.endpointHandlerPath();
        } catch (RuntimeException e) {
            template = null;
        }
        // Unmatched paths are arbitrary client input: fold them into one series.
        return template == null || template.isEmpty() || template.equals("*") ? "UNMATCHED" : template;
    }

    @Override
    public void close() {
        if (passes != null) {
            passes.close();
        }
        gc.close();
        registry.close();
    }
}

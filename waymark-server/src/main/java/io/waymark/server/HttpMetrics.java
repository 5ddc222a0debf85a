package io.waymark.server;

import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;

/**
 * The server's Prometheus metrics: JVM health, one timer of HTTP requests, and counters of what
 * the API wrote. Routes are tagged by template, not by concrete path, so that record ids do not
 * explode the number of series.
 */
final class HttpMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Counter recordsWritten;
    private final Counter signalsIngested;

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
        gc.close();
        registry.close();
    }
}

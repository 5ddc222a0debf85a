package io.waymark.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.waymark.json.Json;
import io.waymark.store.JdbcStore;

/** The open endpoints operators and load balancers use: health and metrics. */
final class SystemApi {
    private final JdbcStore store;
    private final HttpMetrics metrics;

    SystemApi(JdbcStore store, HttpMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    void health(Context ctx) {
        boolean ok = store.healthy();
        ObjectNode o = Json.object();
        o.put("status", ok ? "ok" : "unavailable");
        o.put("database", store.databaseKind());
        Responses.json(ctx, ok ? 200 : 503, o);
    }

    void metrics(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8");
        ctx.result(metrics.scrape());
    }
}

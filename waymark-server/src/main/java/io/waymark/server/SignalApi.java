package io.waymark.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.waymark.Actor;
import io.waymark.signal.Signal;
import io.waymark.signal.SignalLog;
import io.waymark.signal.SignalPage;
import io.waymark.signal.SignalQuery;
import java.util.List;

/** {@code /api/v1/signals}: ingesting external signals and reading the log. */
final class SignalApi {
    private final SignalLog signals;
    private final HttpMetrics metrics;
    private final long maxBody;

    SignalApi(SignalLog signals, HttpMetrics metrics, long maxBody) {
        this.signals = signals;
        this.metrics = metrics;
        this.maxBody = maxBody;
    }

    /** 202: the signals are stored; consumers react to them asynchronously. */
    void ingest(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        JsonNode body = JsonBody.required(ctx, maxBody);
        List<Signal> stored = signals.ingest(actor, JsonBody.items(body));
        metrics.signalsIngested(stored.size());
        Responses.json(ctx, 202, Responses.list(stored.stream().map(SignalJson::signal).toList()));
    }

    void query(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        SignalQuery q = new SignalQuery(Params.text(ctx, "subject"), Params.uuidQuery(ctx, "record_id"), Params.text(ctx, "type"),
                Params.instantQuery(ctx, "from"), Params.instantQuery(ctx, "to"), Params.limit(ctx), Params.cursor(ctx));
        SignalPage page = signals.query(actor, q);
        List<ObjectNode> items = page.signals().stream().map(SignalJson::signal).toList();
        Responses.json(ctx, 200, Responses.page(items, page.next()));
    }
}

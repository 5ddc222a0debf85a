package io.waymark.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

class OperationsTest {

    @BothServers
    void healthSaysTheDatabaseAnswers(Api api) {
        Api.Response r = api.withToken(null).get("/health");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("database").asText()).isEqualTo(api.kind());
    }

    @BothServers
    void metricsAreExposedForPrometheus(Api api) {
        api.get("/api/v1/records/Leads");
        Api.Response r = api.withToken(null).get("/metrics");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("jvm_memory_used_bytes").contains("/api/v1/records/{module}");
    }

    /** The signal pipeline as an operator watches it: each consumer's lag, the passes, the deliveries. */
    @BothServers
    void metricsShowTheDispatchersLagAndPasses(Api api) {
        api.running().engine().runPending();
        String before = api.withToken(null).get("/metrics").body();
        assertThat(before).contains("waymark_signals_lag{consumer=\"journeys\"}").contains("waymark_dispatcher_passes_seconds_count");
        double lagBefore = value(before, "waymark_signals_lag{consumer=\"journeys\"}");
        double passesBefore = value(before, "waymark_dispatcher_passes_seconds_count");
        double deliveredBefore = value(before, "waymark_signals_delivered_total");

        assertThat(api.post("/api/v1/signals", "[{\"type\": \"web.visit\", \"subject\": \"visitor:metrics-1\"}, "
                + "{\"type\": \"web.visit\", \"subject\": \"visitor:metrics-2\"}]").status()).isEqualTo(202);
        String waiting = api.withToken(null).get("/metrics").body();
        assertThat(value(waiting, "waymark_signals_lag{consumer=\"journeys\"}")).isEqualTo(lagBefore + 2);
        assertThat(value(waiting, "waymark_dispatcher_passes_seconds_count")).isEqualTo(passesBefore);

        api.running().engine().runPending();
        String after = api.withToken(null).get("/metrics").body();
        assertThat(value(after, "waymark_signals_lag{consumer=\"journeys\"}")).isEqualTo(lagBefore);
        assertThat(value(after, "waymark_dispatcher_passes_seconds_count")).isGreaterThan(passesBefore);
        // Both signals, to every consumer registered.
        long consumers = after.lines().filter(l -> l.startsWith("waymark_signals_lag{")).count();
        assertThat(value(after, "waymark_signals_delivered_total")).isGreaterThanOrEqualTo(deliveredBefore + 2 * consumers);
    }

    /** The value of a sample line ({@code name{labels} value}) in a Prometheus scrape. */
    static double value(String scrape, String series) {
        return scrape.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
                .orElseThrow(() -> new AssertionError(series + " not in the scrape"));
    }

    @BothServers
    void unknownRoutesAndMethodsAreProblems(Api api) {
        Api.Response missing = api.get("/api/v1/nowhere");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.header("Content-Type")).startsWith("application/problem+json");
    }

    /** Integrators rely on the document: every route the server answers must be in it, and nothing else. */
    @BothServers
    void theOpenApiDocumentDescribesEveryRoute(Api api) {
        Api.Response r = api.withToken(null).get("/api/v1/openapi.json");
        assertThat(r.status()).isEqualTo(200);
        JsonNode doc = r.json();
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        List<String> documented = new ArrayList<>();
        for (Iterator<String> paths = doc.get("paths").fieldNames(); paths.hasNext(); ) {
            String path = paths.next();
            doc.get("paths").get(path).fieldNames().forEachRemaining(m -> {
                if (List.of("get", "post", "put", "patch", "delete").contains(m)) {
                    documented.add(m.toUpperCase(Locale.ROOT) + " " + path);
                }
            });
        }
        List<String> served = new ArrayList<>();
        WaymarkServer.routes().forEach(route -> served.add(route));
        assertThat(documented).containsExactlyInAnyOrderElementsOf(served);
    }
}

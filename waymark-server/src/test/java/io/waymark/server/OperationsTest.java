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

package io.waymark.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.Actor;
import io.waymark.Waymark;
import io.waymark.identity.Orgs;
import io.waymark.json.Json;
import io.waymark.store.JdbcStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code blueprint-transitions}: COUNT (default 2,000) cases enter a Case handling blueprint
 * (with an SLA on New, so each entry and each transition also sets or drops a timer); then each
 * is moved New → On Hold with a mandatory note through {@code Blueprints.perform}, one at a time,
 * in-process. The figure is transitions per second; each is one transaction holding the record
 * update, its signal, the state row, history and timer changes, plus the view read afterwards.
 */
final class BpmBench {
    private BpmBench() {
    }

    static String transitions(JdbcStore store, int count) {
        Waymark engine = store.engine(Clock.systemUTC());
        try {
            Orgs.Created org = engine.orgs().create("Bench " + System.nanoTime(), "bench@example.com", "Bench", null);
            Actor admin = org.admin();
            engine.blueprints().create(admin, json("{'name': 'Cases', 'module': 'Cases', 'field': 'Status', 'transitions': ["
                    + "{'name': 'Hold', 'from': 'New', 'to': 'On Hold', 'during': {'note': 'mandatory'}},"
                    + "{'name': 'Resolve', 'from': ['New', 'On Hold'], 'to': 'Closed'}],"
                    + " 'sla': [{'state': 'New', 'escalations': [{'after': 'PT4H', 'actions': [{'type': 'emit_signal', 'config': {'type': 'case.late'}}]}]},"
                    + "         {'state': 'On Hold', 'escalations': [{'after': 'P2D', 'actions': [{'type': 'emit_signal', 'config': {'type': 'case.stuck'}}]}]}]}"));
            List<UUID> ids = new ArrayList<>();
            for (int from = 0; from < count; from += 500) {
                List<JsonNode> batch = new ArrayList<>();
                for (int i = from; i < Math.min(count, from + 500); i++) {
                    batch.add(json("{'Subject': 'Case " + i + "', 'Status': 'New'}"));
                }
                engine.records().createAll(admin, "Cases", batch).forEach(r -> ids.add(r.id()));
            }
            JsonNode note = json("{'note': 'Waiting for the customer'}");
            for (int i = 0; i < Math.min(100, ids.size()); i++) {
                engine.blueprints().view(admin, "Cases", ids.get(i));
            }
            long start = System.nanoTime();
            for (UUID id : ids) {
                engine.blueprints().perform(admin, "Cases", id, "Hold", note);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%d transitions in %.1f s%n", ids.size(), seconds);
            return String.format("blueprint-transitions: %.0f transitions/s", ids.size() / seconds);
        } finally {
            engine.close();
        }
    }

    private static JsonNode json(String singleQuoted) {
        return Json.read(singleQuoted.replace('\'', '"'));
    }
}

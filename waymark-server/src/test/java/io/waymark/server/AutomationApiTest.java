package io.waymark.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;
import java.util.UUID;

class AutomationApiTest {

    static final String RULE = "{'name': 'Won deals', 'module': 'Deals', 'trigger': {'type': 'field_update', 'fields': ['Stage']},"
            + " 'rules': [{'name': 'won', 'criteria': '(Stage:equals:Closed Won)', 'actions': ["
            + "{'type': 'field_update', 'config': {'field': 'Probability', 'value': 100}},"
            + "{'type': 'create_task', 'config': {'subject': 'Thank {{Deals.Deal_Name}}', 'due': 'today + 1d'}}]}]}";

    @BothServers
    void aRuleIsCreatedOverHttpRunsAndShowsItsHistoryAndOutboxEntries(Api api) {
        Api.Response created = api.post("/api/v1/workflow-rules", RULE);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().get("id").asText();
        assertThat(created.header("Location")).isEqualTo("/api/v1/workflow-rules/" + id);
        assertThat(created.json().get("active").asBoolean()).isTrue();
        assertThat(api.get("/api/v1/workflow-rules?module=Deals").json().get("data")).hasSize(1);

        String deal = api.post("/api/v1/records/Deals", "{'Deal_Name': 'Bali'}").json().get("id").asText();
        api.patch("/api/v1/records/Deals/" + deal, "{'Stage': 'Closed Won'}");
        api.running().engine().runPending();

        assertThat(api.get("/api/v1/records/Deals/" + deal).json().get("Probability").decimalValue()).isEqualByComparingTo("100");
        JsonNode history = api.get("/api/v1/workflow-rules/" + id + "/history").json().get("data");
        assertThat(history).hasSize(1);
        assertThat(history.get(0).get("event").asText()).isEqualTo("executed");
        assertThat(history.get(0).get("branch").asText()).isEqualTo("won");
        JsonNode entries = history.get(0).get("detail").get("outbox_entries");
        assertThat(entries).hasSize(2);
        JsonNode entry = api.get("/api/v1/outbox/" + entries.get(1).asText()).json();
        assertThat(entry.get("status").asText()).isEqualTo("done");
        assertThat(entry.get("type").asText()).isEqualTo("create_task");
        assertThat(entry.get("source").asText()).isEqualTo("workflow_rule:" + id);
        assertThat(api.get("/api/v1/outbox?status=done&source=workflow_rule:" + id).json().get("data")).hasSize(2);
        assertThat(api.get("/api/v1/action-types").json().get("data")).extracting(n -> n.get("type").asText())
                .contains("field_update", "create_record", "convert_lead", "create_task", "schedule_call", "assign_owner", "emit_signal");

        // Switched off, it does nothing more.
        Api.Response off = api.patch("/api/v1/workflow-rules/" + id, "{'active': false, 'version': 1}");
        assertThat(off.status()).as(off.toString()).isEqualTo(200);
        assertThat(off.json().get("version").asLong()).isEqualTo(2);
        assertThat(api.patch("/api/v1/workflow-rules/" + id, "{'active': true, 'version': 1}").status()).isEqualTo(409);
        assertThat(api.delete("/api/v1/workflow-rules/" + id).status()).isEqualTo(204);
        assertThat(api.get("/api/v1/workflow-rules/" + id).status()).isEqualTo(404);
    }

    @BothServers
    void badRulesAreRefusedNamingTheFieldAndStoreNothing(Api api) {
        Api.Response r = api.post("/api/v1/workflow-rules", "{'name': 'x', 'module': 'Deals', 'trigger': {'type': 'create'}, 'rules': [{'actions': ["
                + "{'type': 'field_update', 'config': {'field': 'Amount', 'value': 1}},"
                + "{'type': 'field_update', 'config': {'field': 'Amount', 'value': 2}},"
                + "{'type': 'field_update', 'config': {'field': 'Amont', 'value': 3}}]}]}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("rules[0].actions[2].config.field");
        assertThat(api.get("/api/v1/workflow-rules").json().get("data")).isEmpty();
        assertThat(api.get("/api/v1/workflow-rules/not-a-uuid").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/outbox?status=lost").json().get("errors").get(0).get("field").asText()).isEqualTo("status");
        assertThat(api.post("/api/v1/outbox/" + UUID.randomUUID() + "/retry", null).status()).isEqualTo(404);
    }

    @BothServers
    void rulesAndOutboxOfAnotherOrganisationAreInvisible(Api api) {
        String id = api.post("/api/v1/workflow-rules", RULE).json().get("id").asText();
        Api other = api.otherOrg();
        assertThat(other.get("/api/v1/workflow-rules/" + id).status()).isEqualTo(404);
        assertThat(other.get("/api/v1/workflow-rules").json().get("data")).isEmpty();
        assertThat(other.patch("/api/v1/workflow-rules/" + id, "{'active': false}").status()).isEqualTo(404);
    }
}

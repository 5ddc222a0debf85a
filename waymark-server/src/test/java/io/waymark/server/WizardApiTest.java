package io.waymark.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Wizards over HTTP, on the Zylker story's step 1: a salesperson adds a lead through a
 * two-screen wizard (contact details, travel interests), with drafts and conditional rules.
 */
class WizardApiTest {

    static final String NEW_TRAVELLER = "{'name': 'New traveller', 'module': 'Leads', 'mode': 'create', 'screens': ["
            + "{'id': 'contact', 'title': 'Contact details', 'buttons': ['next', 'save_draft'], 'sections': ["
            + "  {'name': 'Who', 'fields': ['First_Name', 'Last_Name', {'field': 'Email', 'required': true}, 'Phone']}]},"
            + "{'id': 'interests', 'title': 'Travel interests', 'buttons': ['previous', 'save', 'save_draft'], 'sections': ["
            + "  {'name': 'Trip', 'fields': ['Destination', 'Travel_Month', 'Budget', 'Lead_Source', 'Lead_Status']},"
            + "  {'name': 'Premium', 'hidden': true, 'fields': ['Concierge_Notes']}]}],"
            + " 'rules': ["
            + "  {'name': 'Big budgets get the concierge', 'on': 'create',"
            + "   'criteria': {'conditions': [{'field': 'Budget', 'operator': 'greater_than', 'value': 5000}]},"
            + "   'actions': [{'type': 'show', 'sections': ['Premium']}, {'type': 'set', 'field': 'Lead_Status', 'value': 'Contacted'}]},"
            + "  {'name': 'Source is fixed', 'on': 'both', 'criteria': {'conditions': [{'field': 'Lead_Source', 'operator': 'equals', 'value': 'Web Form'}]},"
            + "   'actions': [{'type': 'lock', 'fields': ['Lead_Source'], 'exempt_profiles': ['Standard']}]}]}";

    private static void travelFields(Api api) {
        ok(api.post("/api/v1/modules/Leads/fields", "{'api_name': 'Destination', 'type': 'picklist', 'picklist_values': ['Bali', 'Kyoto', 'Lisbon']}"));
        ok(api.post("/api/v1/modules/Leads/fields", "{'api_name': 'Travel_Month', 'type': 'text'}"));
        ok(api.post("/api/v1/modules/Leads/fields", "{'api_name': 'Budget', 'type': 'currency'}"));
        ok(api.post("/api/v1/modules/Leads/fields", "{'api_name': 'Concierge_Notes', 'type': 'long_text'}"));
        // New fields join the default layout, where the wizard takes them from.
    }

    private static void ok(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isBetween(200, 299);
    }

    private static List<String> fields(Api.Response problem) {
        List<String> out = new ArrayList<>();
        problem.json().path("errors").forEach(e -> out.add(e.get("field").asText()));
        return out;
    }

    private static String wizard(Api api) {
        travelFields(api);
        Api.Response r = api.post("/api/v1/wizards", NEW_TRAVELLER);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    private static List<String> shownFields(JsonNode run) {
        List<String> out = new ArrayList<>();
        run.get("screen").get("sections").forEach(s -> s.get("fields").forEach(f -> out.add(f.get("name").asText())));
        return out;
    }

    private static JsonNode field(JsonNode run, String name) {
        for (JsonNode s : run.get("screen").get("sections")) {
            for (JsonNode f : s.get("fields")) {
                if (f.get("name").asText().equals(name)) {
                    return f;
                }
            }
        }
        throw new AssertionError("no field " + name + " in " + run);
    }

    private static long leads(Api api) {
        return api.get("/api/v1/records/Leads/count").json().get("count").asLong();
    }

    @BothServers
    void aLeadIsAddedThroughTwoScreensAndSavedOnce(Api api) {
        String wizard = wizard(api);
        Api.Response started = api.post("/api/v1/wizards/" + wizard + "/runs", "{}");
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        JsonNode run = started.json();
        String runId = run.get("id").asText();
        assertThat(run.get("screen").get("title").asText()).isEqualTo("Contact details");
        assertThat(shownFields(run)).containsExactly("First_Name", "Last_Name", "Email", "Phone");
        assertThat(field(run, "Last_Name").get("required").asBoolean()).isTrue();
        assertThat(run.get("screen").get("buttons")).extracting(JsonNode::asText).containsExactly("next", "save_draft");

        // Per-screen validation: the required fields of this screen, and each value's type.
        Api.Response bad = api.post("/api/v1/wizard-runs/" + runId + "/submit", "{'button': 'next', 'values': {'First_Name': 'Asha', 'Phone': 'call me'}}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(fields(bad)).containsExactlyInAnyOrder("values.Phone");
        Api.Response missing = api.post("/api/v1/wizard-runs/" + runId + "/submit", "{'button': 'next', 'values': {'First_Name': 'Asha'}}");
        assertThat(fields(missing)).containsExactlyInAnyOrder("values.Last_Name", "values.Email");
        Api.Response elsewhere = api.post("/api/v1/wizard-runs/" + runId + "/submit", "{'button': 'next', 'values': {'Budget': 10}}");
        assertThat(fields(elsewhere)).containsExactly("values.Budget");
        assertThat(api.get("/api/v1/wizard-runs/" + runId).json().get("screen").get("index").asInt()).isZero();

        run = api.post("/api/v1/wizard-runs/" + runId + "/submit", "{'button': 'next', 'values': {'First_Name': 'Asha', 'Last_Name': 'Patel',"
                + " 'Email': 'asha@example.com'}}").json();
        assertThat(run.get("screen").get("id").asText()).isEqualTo("interests");
        assertThat(shownFields(run)).containsExactly("Destination", "Travel_Month", "Budget", "Lead_Source", "Lead_Status");
        assertThat(field(run, "Destination").get("options")).extracting(JsonNode::asText).containsExactly("Bali", "Kyoto", "Lisbon");

        // Back and forth keeps the values.
        run = api.post("/api/v1/wizard-runs/" + runId + "/submit", "{'button': 'previous', 'values': {'Destination': 'Bali'}}").json();
        assertThat(field(run, "Last_Name").get("value").asText()).isEqualTo("Patel");
        run = api.post("/api/v1/wizard-runs/" + runId + "/submit", "{'button': 'next'}").json();
        assertThat(field(run, "Destination").get("value").asText()).isEqualTo("Bali");
        assertThat(leads(api)).isZero();

        Api.Response saved = api.post("/api/v1/wizard-runs/" + runId + "/submit", "{'button': 'save', 'values': {'Travel_Month': 'June',"
                + " 'Budget': 3200, 'Lead_Source': 'Web Form'}}");
        assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
        assertThat(saved.json().get("status").asText()).isEqualTo("saved");
        JsonNode lead = saved.json().get("record");
        assertThat(lead.get("Last_Name").asText()).isEqualTo("Patel");
        assertThat(lead.get("Destination").asText()).isEqualTo("Bali");
        assertThat(lead.get("Budget").decimalValue()).isEqualByComparingTo("3200");
        assertThat(leads(api)).isEqualTo(1);
        // Automations see exactly one change: the save.
        assertThat(api.get("/api/v1/records/Leads/" + lead.get("id").asText() + "/timeline").json().get("data"))
                .extracting(s -> s.get("type").asText()).containsExactly("record.created");
        assertThat(api.post("/api/v1/wizard-runs/" + runId + "/submit", "{'button': 'save'}").status()).isEqualTo(410);
    }

    @BothServers
    void draftsAreKeptForTheirAuthorOnlyAndWriteNothing(Api api) {
        String wizard = wizard(api);
        String runId = api.post("/api/v1/wizards/" + wizard + "/runs", "{}").json().get("id").asText();
        // A draft skips the required checks (but not the types).
        assertThat(fields(api.post("/api/v1/wizard-runs/" + runId + "/submit", "{'button': 'save_draft', 'values': {'Email': 'not-an-email'}}")))
                .containsExactly("values.Email");
        JsonNode draft = api.post("/api/v1/wizard-runs/" + runId + "/submit", "{'button': 'save_draft', 'values': {'Last_Name': 'Patel'}}").json();
        assertThat(draft.get("status").asText()).isEqualTo("draft");
        assertThat(leads(api)).isZero();
        assertThat(api.get("/api/v1/signals?type=record.created").json().get("data")).isEmpty();
        assertThat(api.get("/api/v1/wizard-runs").json().get("data")).extracting(d -> d.get("id").asText()).containsExactly(runId);

        var engine = api.running().engine();
        UUID rep = engine.orgs().addUser(api.admin(), "rep@zylker.com", "Rita Rep");
        Api asRep = api.withToken(engine.orgs().issueToken(api.admin(), rep, "rep"));
        assertThat(asRep.get("/api/v1/wizard-runs").json().get("data")).isEmpty();
        assertThat(asRep.get("/api/v1/wizard-runs/" + runId).status()).isEqualTo(404);
        assertThat(asRep.post("/api/v1/wizard-runs/" + runId + "/submit", "{'button': 'next'}").status()).isEqualTo(404);
        assertThat(api.otherOrg().get("/api/v1/wizard-runs/" + runId).status()).isEqualTo(404);

        // The author resumes where she left off.
        JsonNode resumed = api.get("/api/v1/wizard-runs/" + runId).json();
        assertThat(field(resumed, "Last_Name").get("value").asText()).isEqualTo("Patel");
        JsonNode next = api.post("/api/v1/wizard-runs/" + runId + "/submit", "{'button': 'next', 'values': {'Email': 'asha@example.com'}}").json();
        assertThat(next.get("status").asText()).isEqualTo("in_progress");
        assertThat(api.get("/api/v1/wizard-runs").json().get("data")).isEmpty();

        // Discarding leaves nothing behind.
        assertThat(api.delete("/api/v1/wizard-runs/" + runId).status()).isEqualTo(204);
        assertThat(api.get("/api/v1/wizard-runs/" + runId).json().get("status").asText()).isEqualTo("discarded");
        assertThat(leads(api)).isZero();
    }

    @BothServers
    void rulesShowSetAndLockFieldsAsValuesChange(Api api) {
        String wizard = wizard(api);
        String runId = api.post("/api/v1/wizards/" + wizard + "/runs", "{}").json().get("id").asText();
        api.post("/api/v1/wizard-runs/" + runId + "/submit", "{'button': 'next', 'values': {'Last_Name': 'Patel', 'Email': 'asha@example.com'}}");

        // Hidden until the budget is big; a hidden field takes no value.
        assertThat(fields(api.post("/api/v1/wizard-runs/" + runId + "/submit", "{'button': 'save_draft', 'values': {'Concierge_Notes': 'x'}}")))
                .containsExactly("values.Concierge_Notes");
        JsonNode run = api.post("/api/v1/wizard-runs/" + runId + "/submit", "{'button': 'save_draft', 'values': {'Budget': 9000, 'Lead_Source': 'Web Form'}}").json();
        assertThat(shownFields(run)).contains("Concierge_Notes");
        assertThat(field(run, "Lead_Status").get("value").asText()).isEqualTo("Contacted");
        // The administrator's profile is not exempt from this lock.
        assertThat(field(run, "Lead_Source").get("locked").asBoolean()).isTrue();
        Api.Response locked = api.post("/api/v1/wizard-runs/" + runId + "/submit", "{'button': 'save_draft', 'values': {'Lead_Source': 'Partner'}}");
        assertThat(fields(locked)).containsExactly("values.Lead_Source");
        assertThat(locked.json().get("errors").get(0).get("message").asText()).isEqualTo("is locked");

        JsonNode saved = api.post("/api/v1/wizard-runs/" + runId + "/submit", "{'button': 'save', 'values': {'Concierge_Notes': 'Villa with pool'}}").json();
        assertThat(saved.get("record").get("Concierge_Notes").asText()).isEqualTo("Villa with pool");
        assertThat(saved.get("record").get("Lead_Status").asText()).isEqualTo("Contacted");
        assertThat(saved.get("record").get("Lead_Source").asText()).isEqualTo("Web Form");

        // Lowering the budget again would hide the section, and a hidden field is not saved.
        String second = api.post("/api/v1/wizards/" + wizard + "/runs", "{}").json().get("id").asText();
        api.post("/api/v1/wizard-runs/" + second + "/submit", "{'button': 'next', 'values': {'Last_Name': 'Rao', 'Email': 'rao@example.com'}}");
        api.post("/api/v1/wizard-runs/" + second + "/submit", "{'button': 'save_draft', 'values': {'Budget': 9000}}");
        api.post("/api/v1/wizard-runs/" + second + "/submit", "{'button': 'save_draft', 'values': {'Concierge_Notes': 'Yacht'}}");
        JsonNode lowered = api.post("/api/v1/wizard-runs/" + second + "/submit", "{'button': 'save', 'values': {'Budget': 100}}").json();
        assertThat(lowered.get("record").get("Concierge_Notes").isNull()).isTrue();
    }

    @BothServers
    void anEditWizardUpdatesTheRecordAndRefusesAStaleOne(Api api) {
        travelFields(api);
        String edit = api.post("/api/v1/wizards", NEW_TRAVELLER.replace("'New traveller'", "'Update interests'").replace("'create'", "'edit'"))
                .json().get("id").asText();
        String lead = api.post("/api/v1/records/Leads", "{'Last_Name': 'Patel', 'Email': 'asha@example.com', 'Destination': 'Kyoto'}").json().get("id").asText();
        assertThat(fields(api.post("/api/v1/wizards/" + edit + "/runs", "{}"))).containsExactly("record_id");

        String runId = api.post("/api/v1/wizards/" + edit + "/runs", "{'record_id': '" + lead + "'}").json().get("id").asText();
        JsonNode run = api.get("/api/v1/wizard-runs/" + runId).json();
        assertThat(run.get("mode").asText()).isEqualTo("edit");
        assertThat(field(run, "Last_Name").get("value").asText()).isEqualTo("Patel");
        api.post("/api/v1/wizard-runs/" + runId + "/submit", "{'button': 'next'}");
        JsonNode saved = api.post("/api/v1/wizard-runs/" + runId + "/submit", "{'button': 'save', 'values': {'Destination': 'Lisbon'}}").json();
        assertThat(saved.get("record").get("Destination").asText()).isEqualTo("Lisbon");
        assertThat(saved.get("record").get("version").asInt()).isEqualTo(2);

        // Someone else changes the lead while a second edit is open: the save is refused and changes nothing.
        String stale = api.post("/api/v1/wizards/" + edit + "/runs", "{'record_id': '" + lead + "'}").json().get("id").asText();
        api.post("/api/v1/wizard-runs/" + stale + "/submit", "{'button': 'next'}");
        api.patch("/api/v1/records/Leads/" + lead, "{'Travel_Month': 'May'}");
        Api.Response conflict = api.post("/api/v1/wizard-runs/" + stale + "/submit", "{'button': 'save', 'values': {'Destination': 'Bali'}}");
        assertThat(conflict.status()).as(conflict.toString()).isEqualTo(409);
        assertThat(api.get("/api/v1/records/Leads/" + lead).json().get("Destination").asText()).isEqualTo("Lisbon");
        assertThat(api.get("/api/v1/wizard-runs/" + stale).json().get("status").asText()).isEqualTo("in_progress");
    }

    @BothServers
    void definitionsAreValidatedWhenSaved(Api api) {
        travelFields(api);
        Api.Response r = api.post("/api/v1/wizards", "{'name': 'W', 'module': 'Leads', 'screens': ["
                + "{'id': 'a', 'buttons': ['previous', 'next'], 'sections': [{'name': 'S', 'fields': ['First_Name', 'Shoe_Size']}]},"
                + "{'id': 'b', 'buttons': ['next'], 'sections': [{'name': 'T', 'fields': ['First_Name']}]}],"
                + " 'rules': [{'criteria': {'conditions': [{'field': 'Budget', 'operator': 'greater_than', 'value': 'lots'}]},"
                + "  'actions': [{'type': 'set', 'field': 'Phone', 'value': 1}, {'type': 'paint', 'fields': []}]}]}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(fields(r)).contains("screens[0].buttons", "screens[0].sections[0].fields[1]", "screens[1].sections[0].fields[0]",
                "screens[1].buttons", "screens", "rules[0].actions[0].field", "rules[0].actions[1].type");
        assertThat(fields(r).stream().anyMatch(f -> f.startsWith("rules[0].criteria"))).isTrue();
        assertThat(api.get("/api/v1/wizards").json().get("data")).isEmpty();
        assertThat(fields(api.post("/api/v1/wizards", "{'name': 'W', 'module': 'Planets', 'screens': []}"))).containsExactly("module");
    }
}

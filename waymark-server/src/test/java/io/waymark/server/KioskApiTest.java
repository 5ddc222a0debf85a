package io.waymark.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Kiosk Studio over HTTP, on the Zylker story's step 6: a salesperson opens a kiosk from a
 * contact, picks one of her trips, and changes the trip's dates, adds a co-traveller and updates
 * the contact's and the account's phone numbers — in one run whose actions all happen or none.
 */
class KioskApiTest {

    /** Trips (linked to a contact and a deal) and Co_Travellers (linked to a trip); a contact with an account and two trips. */
    private static final class Zylker {
        final Api api;
        final String account;
        final String contact;
        final String deal;
        final String bali;
        final String kyoto;

        Zylker(Api api) {
            this.api = api;
            ok(api.post("/api/v1/modules", "{'api_name': 'Trips', 'singular_label': 'Trip', 'plural_label': 'Trips', 'subject_field': 'Contact',"
                    + " 'fields': [{'api_name': 'Name', 'label': 'Trip', 'type': 'text', 'required': true},"
                    + " {'api_name': 'Contact', 'label': 'Contact', 'type': 'lookup', 'lookup_module': 'Contacts'},"
                    + " {'api_name': 'Deal', 'label': 'Deal', 'type': 'lookup', 'lookup_module': 'Deals'},"
                    + " {'api_name': 'Start_Date', 'label': 'Start', 'type': 'date'},"
                    + " {'api_name': 'End_Date', 'label': 'End', 'type': 'date'}]}"));
            ok(api.post("/api/v1/modules", "{'api_name': 'Co_Travellers', 'singular_label': 'Co-traveller', 'plural_label': 'Co-travellers',"
                    + " 'fields': [{'api_name': 'Name', 'label': 'Name', 'type': 'text', 'required': true},"
                    + " {'api_name': 'Trip', 'label': 'Trip', 'type': 'lookup', 'lookup_module': 'Trips'}]}"));
            account = id(api.post("/api/v1/records/Accounts", "{'Account_Name': 'Patel Family', 'Phone': '+44 20 1111'}"));
            contact = id(api.post("/api/v1/records/Contacts", "{'First_Name': 'Asha', 'Last_Name': 'Patel', 'Phone': '+44 7700 1', 'Email': 'asha@example.com',"
                    + " 'Account_Name': '" + account + "'}"));
            deal = id(api.post("/api/v1/records/Deals", "{'Deal_Name': 'Bali honeymoon', 'Stage': 'Qualification', 'Contact_Name': '" + contact + "'}"));
            bali = id(api.post("/api/v1/records/Trips", "{'Name': 'Bali', 'Contact': '" + contact + "', 'Deal': '" + deal + "',"
                    + " 'Start_Date': '2026-03-01', 'End_Date': '2026-03-10'}"));
            kyoto = id(api.post("/api/v1/records/Trips", "{'Name': 'Kyoto', 'Contact': '" + contact + "', 'Start_Date': '2026-05-01', 'End_Date': '2026-05-05'}"));
            // Another contact's trip must not show up in her list.
            String other = id(api.post("/api/v1/records/Contacts", "{'Last_Name': 'Other'}"));
            id(api.post("/api/v1/records/Trips", "{'Name': 'Oslo', 'Contact': '" + other + "'}"));
            id(api.post("/api/v1/records/Co_Travellers", "{'Name': 'Ravi Patel', 'Trip': '" + bali + "'}"));
        }

        private String template;

        String template() {
            return template;
        }

        String kiosk() {
            template = id(api.post("/api/v1/email/templates", "{'name': 'New dates', 'module': 'Contacts',"
                    + " 'subject': 'Your trip, {{Contacts.First_Name}}', 'text': 'We have changed your trip dates.'}"));
            Api.Response r = api.post("/api/v1/kiosks", TRIP_DESK.replace("TEMPLATE", template));
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
            return r.json().get("id").asText();
        }

        JsonNode record(String module, String id) {
            return api.get("/api/v1/records/" + module + "/" + id).json();
        }
    }

    static final String TRIP_DESK = "{'name': 'Trip desk', 'context_module': 'Contacts', 'start': 'pick', 'elements': ["
            + "{'id': 'pick', 'type': 'screen', 'title': 'Trips of {{record.First_Name}}', 'components': ["
            + "  {'type': 'text', 'text': 'Calling: {{record.First_Name}} {{record.Last_Name}} of {{record.Account_Name}}'},"
            + "  {'type': 'record_list', 'name': 'trip', 'module': 'Trips', 'sort': '-Start_Date', 'required': true,"
            + "   'criteria': {'conditions': [{'field': 'Contact', 'operator': 'equals', 'value': '{{record.id}}'}]}},"
            + "  {'type': 'record', 'name': 'account', 'module': 'Accounts', 'id': '{{record.Account_Name}}'},"
            + "  {'type': 'button', 'name': 'next', 'label': 'Open trip', 'next': 'details'}]},"
            + "{'id': 'details', 'type': 'screen', 'title': 'Trip {{trip.Name}}', 'components': ["
            + "  {'type': 'related_list', 'name': 'travellers', 'of': 'trip', 'module': 'Co_Travellers', 'selectable': false},"
            + "  {'type': 'input', 'name': 'start', 'label': 'Start', 'field_type': 'date', 'required': true, 'default': '{{trip.Start_Date}}'},"
            + "  {'type': 'input', 'name': 'end', 'label': 'End', 'field_type': 'date', 'required': true, 'default': '{{trip.End_Date}}'},"
            + "  {'type': 'input', 'name': 'traveller', 'label': 'Add a co-traveller', 'field_type': 'text'},"
            + "  {'type': 'input', 'name': 'phone', 'field': 'Contacts.Phone', 'default': '{{record.Phone}}'},"
            + "  {'type': 'input', 'name': 'account_phone', 'field': 'Accounts.Phone', 'default': '{{account.Phone}}'},"
            + "  {'type': 'button', 'name': 'save', 'label': 'Save', 'next': 'check'},"
            + "  {'type': 'button', 'name': 'back', 'label': 'Back', 'next': 'pick', 'validate': false}]},"
            + "{'id': 'check', 'type': 'decision', 'branches': ["
            + "  {'criteria': {'conditions': [{'field': 'end', 'operator': 'before', 'value': '{{start}}'}]}, 'next': 'bad_dates'}],"
            + " 'otherwise': 'traveller_given'},"
            + "{'id': 'bad_dates', 'type': 'screen', 'components': ["
            + "  {'type': 'text', 'text': 'The trip cannot end ({{end}}) before it starts ({{start}}).'},"
            + "  {'type': 'button', 'name': 'fix', 'next': 'details'}]},"
            + "{'id': 'traveller_given', 'type': 'decision', 'branches': ["
            + "  {'criteria': {'conditions': [{'field': 'traveller', 'operator': 'is_not_empty'}]}, 'next': 'add_traveller'}],"
            + " 'otherwise': 'save'},"
            + "{'id': 'add_traveller', 'type': 'action', 'next': 'save', 'actions': ["
            + "  {'type': 'create_record', 'module': 'Co_Travellers', 'store_as': 'added', 'values': {'Name': '{{traveller}}', 'Trip': '{{trip.id}}'}}]},"
            + "{'id': 'save', 'type': 'action', 'next': 'done', 'actions': ["
            + "  {'type': 'update_record', 'module': 'Trips', 'record': '{{trip.id}}', 'values': {'Start_Date': '{{start}}', 'End_Date': '{{end}}'}},"
            + "  {'type': 'update_record', 'module': 'Deals', 'record': '{{trip.Deal}}', 'values': {'Closing_Date': '{{start}}'}},"
            + "  {'type': 'update_record', 'module': 'Contacts', 'record': '{{record.id}}', 'values': {'Phone': '{{phone}}'}},"
            + "  {'type': 'send_email', 'module': 'Contacts', 'record': '{{record.id}}', 'config': {'template_id': 'TEMPLATE'}},"
            + "  {'type': 'update_record', 'module': 'Accounts', 'record': '{{account.id}}', 'values': {'Phone': '{{account_phone}}'}},"
            + "  {'type': 'emit_signal', 'signal_type': 'trip.rescheduled', 'module': 'Trips', 'record': '{{trip.id}}',"
            + "   'payload': {'start': '{{start}}', 'end': '{{end}}'}}]},"
            + "{'id': 'done', 'type': 'end', 'message': '{{trip.Name}} now runs {{start}} to {{end}}'}]}";

    private static void ok(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isBetween(200, 299);
    }

    private static String id(Api.Response r) {
        ok(r);
        return r.json().get("id").asText();
    }

    private static List<String> fields(Api.Response problem) {
        List<String> out = new ArrayList<>();
        problem.json().path("errors").forEach(e -> out.add(e.get("field").asText()));
        return out;
    }

    private static JsonNode component(JsonNode run, String name) {
        for (JsonNode c : run.get("element").get("components")) {
            if (name.equals(c.path("name").asText(null))) {
                return c;
            }
        }
        throw new AssertionError("no component " + name + " in " + run);
    }

    @BothServers
    void aSalespersonUpdatesTripContactAndAccountInOneRun(Api api) {
        Zylker z = new Zylker(api);
        String kiosk = z.kiosk();

        Api.Response started = api.post("/api/v1/kiosks/" + kiosk + "/runs", "{'record_id': '" + z.contact + "'}");
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        JsonNode run = started.json();
        String runId = run.get("id").asText();
        assertThat(run.get("status").asText()).isEqualTo("active");
        assertThat(run.get("element").get("id").asText()).isEqualTo("pick");
        assertThat(run.get("element").get("title").asText()).isEqualTo("Trips of Asha");
        assertThat(run.get("element").get("components").get(0).get("text").asText()).isEqualTo("Calling: Asha Patel of Patel Family");
        JsonNode trips = component(run, "trip").get("records");
        assertThat(trips).extracting(t -> t.get("Name").asText()).containsExactly("Kyoto", "Bali");
        assertThat(component(run, "account").get("record").get("Phone").asText()).isEqualTo("+44 20 1111");

        Api.Response details = api.post("/api/v1/kiosk-runs/" + runId + "/submit", "{'button': 'next', 'inputs': {'trip': '" + z.bali + "'}}");
        assertThat(details.status()).as(details.toString()).isEqualTo(200);
        run = details.json();
        assertThat(run.get("element").get("title").asText()).isEqualTo("Trip Bali");
        assertThat(component(run, "travellers").get("records")).extracting(t -> t.get("Name").asText()).containsExactly("Ravi Patel");
        assertThat(component(run, "start").get("value").asText()).isEqualTo("2026-03-01");
        assertThat(component(run, "phone").get("value").asText()).isEqualTo("+44 7700 1");

        // Ending before starting goes to the decision's error screen, and back.
        run = api.post("/api/v1/kiosk-runs/" + runId + "/submit", "{'button': 'save', 'inputs': {'start': '2026-04-10', 'end': '2026-04-01',"
                + " 'phone': '+44 7700 2', 'account_phone': '+44 20 2222'}}").json();
        assertThat(run.get("element").get("id").asText()).isEqualTo("bad_dates");
        assertThat(run.get("element").get("components").get(0).get("text").asText()).contains("(2026-04-01) before it starts (2026-04-10)");
        run = api.post("/api/v1/kiosk-runs/" + runId + "/submit", "{'button': 'fix'}").json();
        assertThat(component(run, "start").get("value").asText()).isEqualTo("2026-04-10");

        Api.Response done = api.post("/api/v1/kiosk-runs/" + runId + "/submit", "{'button': 'save', 'inputs': {'start': '2026-04-10',"
                + " 'end': '2026-04-20', 'traveller': 'Mira Patel', 'phone': '+44 7700 2', 'account_phone': '+44 20 2222'}}");
        assertThat(done.status()).as(done.toString()).isEqualTo(200);
        run = done.json();
        assertThat(run.get("status").asText()).isEqualTo("completed");
        assertThat(run.get("element").get("message").asText()).isEqualTo("Bali now runs 2026-04-10 to 2026-04-20");
        assertThat(run.get("element").get("results").get("added").get("Name").asText()).isEqualTo("Mira Patel");
        assertThat(run.get("path")).extracting(JsonNode::asText)
                .containsExactly("pick", "details", "check", "bad_dates", "details", "check", "traveller_given", "add_traveller", "save", "done");

        assertThat(z.record("Trips", z.bali).get("Start_Date").asText()).isEqualTo("2026-04-10");
        assertThat(z.record("Trips", z.bali).get("End_Date").asText()).isEqualTo("2026-04-20");
        assertThat(z.record("Deals", z.deal).get("Closing_Date").asText()).isEqualTo("2026-04-10");
        assertThat(z.record("Contacts", z.contact).get("Phone").asText()).isEqualTo("+44 7700 2");
        assertThat(z.record("Accounts", z.account).get("Phone").asText()).isEqualTo("+44 20 2222");
        assertThat(api.get("/api/v1/records/Trips/" + z.bali + "/related/Co_Travellers").json().get("data"))
                .extracting(t -> t.get("Name").asText()).containsExactlyInAnyOrder("Ravi Patel", "Mira Patel");
        assertThat(api.get("/api/v1/records/Trips/" + z.bali + "/timeline").json().get("data"))
                .extracting(s -> s.get("type").asText()).contains("trip.rescheduled");
        // The email left through the outbox, committed with the run.
        api.running().engine().runPending();
        assertThat(api.get("/api/v1/email/messages?to=asha@example.com").json().get("data"))
                .extracting(m -> m.get("subject_line").asText()).containsExactly("Your trip, Asha");
        // A finished run takes no more input.
        assertThat(api.post("/api/v1/kiosk-runs/" + runId + "/submit", "{'button': 'save'}").status()).isEqualTo(410);
    }

    @BothServers
    void anActionThatFailsHalfWayChangesNothing(Api api) {
        Zylker z = new Zylker(api);
        String kiosk = z.kiosk();
        String runId = api.post("/api/v1/kiosks/" + kiosk + "/runs", "{'record_id': '" + z.contact + "'}").json().get("id").asText();
        api.post("/api/v1/kiosk-runs/" + runId + "/submit", "{'button': 'next', 'inputs': {'trip': '" + z.bali + "'}}");
        // Someone deletes the account while the salesperson is on the phone.
        assertThat(api.delete("/api/v1/records/Accounts/" + z.account).status()).isEqualTo(204);

        Api.Response failed = api.post("/api/v1/kiosk-runs/" + runId + "/submit", "{'button': 'save', 'inputs': {'start': '2026-04-10',"
                + " 'end': '2026-04-20', 'traveller': 'Mira Patel', 'phone': '+44 7700 2', 'account_phone': '+44 20 2222'}}");
        assertThat(failed.status()).as(failed.toString()).isEqualTo(404);
        assertThat(failed.json().get("detail").asText()).contains("save.actions[4]").contains("none of this run's actions");

        // The trip, the deal, the contact and the co-travellers are as they were …
        assertThat(z.record("Trips", z.bali).get("Start_Date").asText()).isEqualTo("2026-03-01");
        assertThat(z.record("Trips", z.bali).get("version").asInt()).isEqualTo(1);
        assertThat(z.record("Deals", z.deal).get("Closing_Date").isNull()).isTrue();
        assertThat(z.record("Contacts", z.contact).get("Phone").asText()).isEqualTo("+44 7700 1");
        assertThat(api.get("/api/v1/records/Co_Travellers/count").json().get("count").asInt()).isEqualTo(1);
        assertThat(api.get("/api/v1/signals?type=trip.rescheduled").json().get("data")).isEmpty();
        api.running().engine().runPending();
        assertThat(api.get("/api/v1/email/messages?to=asha@example.com").json().get("data")).isEmpty();
        // … and the run is still on the screen it was on, ready for another try.
        JsonNode run = api.get("/api/v1/kiosk-runs/" + runId).json();
        assertThat(run.get("status").asText()).isEqualTo("active");
        assertThat(run.get("element").get("id").asText()).isEqualTo("details");
    }

    @BothServers
    void inputsAreCheckedPerFieldTypeAndSelectionsMustBeListed(Api api) {
        Zylker z = new Zylker(api);
        String runId = api.post("/api/v1/kiosks/" + z.kiosk() + "/runs", "{'record_id': '" + z.contact + "'}").json().get("id").asText();

        Api.Response none = api.post("/api/v1/kiosk-runs/" + runId + "/submit", "{'button': 'next'}");
        assertThat(none.status()).isEqualTo(400);
        assertThat(fields(none)).containsExactly("inputs.trip");
        String othersTrip = api.get("/api/v1/records/Trips?Name=Oslo").json().get("data").get(0).get("id").asText();
        Api.Response foreign = api.post("/api/v1/kiosk-runs/" + runId + "/submit", "{'button': 'next', 'inputs': {'trip': '" + othersTrip + "'}}");
        assertThat(foreign.status()).isEqualTo(400);
        assertThat(fields(foreign)).containsExactly("inputs.trip");
        assertThat(fields(api.post("/api/v1/kiosk-runs/" + runId + "/submit", "{'button': 'fly'}"))).containsExactly("button");
        assertThat(fields(api.post("/api/v1/kiosk-runs/" + runId + "/submit", "{'button': 'next', 'inputs': {'trip': '" + z.bali
                + "', 'colour': 'red'}}"))).containsExactly("inputs.colour");
        assertThat(api.get("/api/v1/kiosk-runs/" + runId).json().get("element").get("id").asText()).isEqualTo("pick");

        api.post("/api/v1/kiosk-runs/" + runId + "/submit", "{'button': 'next', 'inputs': {'trip': '" + z.bali + "'}}");
        Api.Response bad = api.post("/api/v1/kiosk-runs/" + runId + "/submit", "{'button': 'save', 'inputs': {'start': 'next tuesday',"
                + " 'end': 42, 'phone': '+44'}}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(fields(bad)).containsExactlyInAnyOrder("inputs.start", "inputs.end", "inputs.phone");
        Api.Response missing = api.post("/api/v1/kiosk-runs/" + runId + "/submit", "{'button': 'save', 'inputs': {}}");
        assertThat(fields(missing)).containsExactlyInAnyOrder("inputs.start", "inputs.end");
        // Back does not validate.
        assertThat(api.post("/api/v1/kiosk-runs/" + runId + "/submit", "{'button': 'back'}").json().get("element").get("id").asText())
                .isEqualTo("pick");
    }

    @BothServers
    void definitionsAreValidatedWhenSaved(Api api) {
        new Zylker(api);
        String dangling = "{'name': 'K', 'start': 'a', 'elements': [{'id': 'a', 'type': 'screen', 'components': ["
                + "{'type': 'button', 'name': 'go', 'next': 'nowhere'}]}, {'id': 'e', 'type': 'end'}]}";
        Api.Response r = api.post("/api/v1/kiosks", dangling);
        assertThat(r.status()).isEqualTo(400);
        assertThat(fields(r)).containsExactly("elements[0].components[0].next");

        String unreachable = "{'name': 'K', 'start': 'a', 'elements': [{'id': 'a', 'type': 'screen', 'components': ["
                + "{'type': 'button', 'name': 'go', 'next': 'e'}]}, {'id': 'e', 'type': 'end'}, {'id': 'lost', 'type': 'end'}]}";
        assertThat(fields(api.post("/api/v1/kiosks", unreachable))).containsExactly("elements[2]");

        String unknownField = "{'name': 'K', 'start': 'a', 'elements': [{'id': 'a', 'type': 'screen', 'components': ["
                + "{'type': 'record_list', 'name': 't', 'module': 'Trips', 'sort': 'Colour'},"
                + "{'type': 'input', 'name': 'x', 'field': 'Contacts.Shoe_Size'},"
                + "{'type': 'button', 'name': 'go', 'next': 's'}]},"
                + "{'id': 's', 'type': 'action', 'next': 'e', 'actions': [{'type': 'update_record', 'module': 'Trips', 'record': '{{t.id}}',"
                + " 'values': {'Colour': 'red', 'Start_Date': 'soon'}}]}, {'id': 'e', 'type': 'end'}]}";
        assertThat(fields(api.post("/api/v1/kiosks", unknownField))).containsExactlyInAnyOrder("elements[0].components[0].sort",
                "elements[0].components[1].field", "elements[1].actions[0].values.Colour", "elements[1].actions[0].values.Start_Date");

        String unknownValue = "{'name': 'K', 'start': 'a', 'elements': [{'id': 'a', 'type': 'screen', 'components': ["
                + "{'type': 'text', 'text': 'Hello {{record.First_Name}}'}, {'type': 'button', 'name': 'go', 'next': 'e'}]},"
                + "{'id': 'e', 'type': 'end', 'message': 'Bye {{later}}'}]}";
        assertThat(fields(api.post("/api/v1/kiosks", unknownValue))).containsExactlyInAnyOrder("elements[0].components[0].text", "elements[1].message");

        String endless = "{'name': 'K', 'start': 'a', 'elements': [{'id': 'a', 'type': 'screen', 'components': ["
                + "{'type': 'input', 'name': 'n', 'field_type': 'integer'}, {'type': 'button', 'name': 'go', 'next': 'd'}]},"
                + "{'id': 'd', 'type': 'decision', 'branches': [{'criteria': {'conditions': [{'field': 'n', 'operator': 'greater_than', 'value': 1}]},"
                + " 'next': 'e'}], 'otherwise': 'd2'},"
                + "{'id': 'd2', 'type': 'decision', 'branches': [{'criteria': {'conditions': [{'field': 'n', 'operator': 'is_empty'}]}, 'next': 'a'}],"
                + " 'otherwise': 'd'}, {'id': 'e', 'type': 'end'}]}";
        Api.Response loop = api.post("/api/v1/kiosks", endless);
        assertThat(loop.status()).isEqualTo(400);
        assertThat(loop.json().get("errors").get(0).get("message").asText()).contains("loop that never shows a screen");

        assertThat(api.get("/api/v1/kiosks").json().get("data")).isEmpty();
    }

    @BothServers
    void runsArePrivateExpireWhenIdleAndKeepTheirVersion(Api api) {
        Zylker z = new Zylker(api);
        String kiosk = z.kiosk();
        String runId = api.post("/api/v1/kiosks/" + kiosk + "/runs", "{'record_id': '" + z.contact + "'}").json().get("id").asText();

        // Another user of the org, and another org, cannot see the run.
        var engine = api.running().engine();
        UUID rep = engine.orgs().addUser(api.admin(), "rep@zylker.com", "Rita Rep");
        Api asRep = api.withToken(engine.orgs().issueToken(api.admin(), rep, "rep"));
        assertThat(asRep.get("/api/v1/kiosk-runs/" + runId).status()).isEqualTo(404);
        assertThat(api.otherOrg().get("/api/v1/kiosk-runs/" + runId).status()).isEqualTo(404);
        // A kiosk fetches and changes only what its user may: the rep (a Standard profile, no role) sees only their own records.
        assertThat(asRep.post("/api/v1/kiosks/" + kiosk + "/runs", "{'record_id': '" + z.contact + "'}").status()).isEqualTo(404);
        String repContact = id(asRep.post("/api/v1/records/Contacts", "{'Last_Name': 'Rao'}"));
        String repTrip = id(asRep.post("/api/v1/records/Trips", "{'Name': 'Goa', 'Contact': '" + repContact + "'}"));
        String adminTrip = id(api.post("/api/v1/records/Trips", "{'Name': 'Oman', 'Contact': '" + repContact + "'}"));
        JsonNode repRun = asRep.post("/api/v1/kiosks/" + kiosk + "/runs", "{'record_id': '" + repContact + "'}").json();
        assertThat(component(repRun, "trip").get("records")).extracting(t -> t.get("Name").asText()).containsExactly("Goa");
        Api.Response notListed = asRep.post("/api/v1/kiosk-runs/" + repRun.get("id").asText() + "/submit",
                "{'button': 'next', 'inputs': {'trip': '" + adminTrip + "'}}");
        assertThat(notListed.status()).isEqualTo(400);
        assertThat(repTrip).isNotEqualTo(adminTrip);
        assertThat(api.otherOrg().get("/api/v1/kiosks/" + kiosk).status()).isEqualTo(404);

        // A new version does not move the run.
        Api.Response v2 = api.put("/api/v1/kiosks/" + kiosk, TRIP_DESK.replace("Open trip", "Open this trip").replace("TEMPLATE", z.template()));
        assertThat(v2.json().get("version").asInt()).isEqualTo(2);
        assertThat(api.get("/api/v1/kiosks/" + kiosk + "/versions").json().get("data")).hasSize(2);
        assertThat(api.get("/api/v1/kiosk-runs/" + runId).json().get("kiosk_version").asInt()).isEqualTo(1);
        String fresh = api.post("/api/v1/kiosks/" + kiosk + "/runs", "{'record_id': '" + z.contact + "'}").json().get("id").asText();
        assertThat(api.get("/api/v1/kiosk-runs/" + fresh).json().get("kiosk_version").asInt()).isEqualTo(2);

        // Left alone for longer than the idle timeout, the run expires.
        api.clock().advance(Duration.ofMinutes(31));
        // The server's housekeeping marks idle runs expired without waiting for anyone to touch them.
        assertThat(api.running().engine().kiosks().expireIdleRuns()).isGreaterThanOrEqualTo(2);
        assertThat(api.get("/api/v1/kiosk-runs/" + runId).json().get("status").asText()).isEqualTo("expired");
        Api.Response late = api.post("/api/v1/kiosk-runs/" + runId + "/submit", "{'button': 'next', 'inputs': {'trip': '" + z.bali + "'}}");
        assertThat(late.status()).isEqualTo(410);
        assertThat(z.record("Trips", z.bali).get("version").asInt()).isEqualTo(1);

        // An inactive kiosk cannot be started; a missing context record is named.
        assertThat(api.patch("/api/v1/kiosks/" + kiosk, "{'active': false}").json().get("active").asBoolean()).isFalse();
        assertThat(api.post("/api/v1/kiosks/" + kiosk + "/runs", "{'record_id': '" + z.contact + "'}").status()).isEqualTo(422);
        api.patch("/api/v1/kiosks/" + kiosk, "{'active': true}");
        assertThat(fields(api.post("/api/v1/kiosks/" + kiosk + "/runs", "{}"))).containsExactly("record_id");
        assertThat(api.post("/api/v1/kiosks/" + kiosk + "/runs", "{'record_id': '" + UUID.randomUUID() + "'}").status()).isEqualTo(404);
    }
}

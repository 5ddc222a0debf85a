package io.waymark.server;

import static io.waymark.server.BlueprintApiTest.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.server.BlueprintApiTest.Zylker;
import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;

/**
 * During fields of related records: a Trip transition asks for its contact's phone
 * ({@code Contact.Phone}); the definition is checked when saved, the value is checked when the
 * transition runs, and it is written to the contact in the transition's transaction — a failure
 * writing the contact leaves the trip where it was.
 */
class BlueprintRelatedFieldsApiTest {

    static String blueprint(String during) {
        return "{'name': 'Documents', 'module': 'Trips', 'field': 'Status', 'transitions': ["
                + "{'name': 'Collect documents', 'from': 'Booked', 'to': 'Documents collected', 'during': {'fields': " + during + "}},"
                + "{'name': 'Cancel', 'from': 'Documents collected', 'to': 'Cancelled'}]}";
    }

    static Zylker zylker(Api api) {
        Zylker z = new Zylker(api);
        ok(api.post("/api/v1/modules/Trips/fields", "{'api_name': 'Contact', 'label': 'Contact', 'type': 'lookup', 'lookup_module': 'Contacts'}"));
        return z;
    }

    @BothServers
    void aRelatedFieldIsCheckedWhenTheBlueprintIsSaved(Api api) {
        zylker(api);
        Api.Response r = api.post("/api/v1/blueprints", blueprint("[{'field': 'Nope.Phone'}, {'field': 'Contact.Nope'}, {'field': 'Hotel.Phone'},"
                + " {'field': 'Contact.Phone'}, {'field': 'Contact.Phone'}]"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.json().get("errors")).extracting(e -> e.get("field").asText()).containsExactly(
                "transitions[0].during.fields[0].field", "transitions[0].during.fields[1].field", "transitions[0].during.fields[2].field",
                "transitions[0].during.fields[4].field");
        assertThat(r.json().get("errors").get(1).get("message").asText()).contains("Nope").contains("Contacts");
        assertThat(ok(api.get("/api/v1/blueprints")).get("data")).isEmpty();
    }

    @BothServers
    void aTransitionWritesTheContactsPhoneWithTheTripOrNothingAtAll(Api api) {
        Zylker z = zylker(api);
        ok(api.post("/api/v1/blueprints", blueprint("[{'field': 'Passport_Number', 'mandatory': true}, {'field': 'Contact.Phone', 'mandatory': true},"
                + " {'field': 'Contact.Email'}]")));
        String contact = ok(api.post("/api/v1/records/Contacts", "{'Last_Name': 'Patel'}")).get("id").asText();
        String trip = ok(api.post("/api/v1/records/Trips", "{'Name': 'Goa', 'Status': 'Booked', 'Contact': '" + contact + "'}")).get("id").asText();
        String path = "/api/v1/records/Trips/" + trip;
        String run = path + "/blueprint/transitions/Collect%20documents";
        JsonNode view = ok(api.get(path + "/blueprint"));
        assertThat(BlueprintApiTest.transition(view, "Collect documents").get("during").get("fields").get(1).get("related_module").asText())
                .isEqualTo("Contacts");

        Api.Response missing = api.post(run, "{'fields': {'Passport_Number': 'P1'}}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("errors")).extracting(e -> e.get("field").asText()).containsExactly("fields.Contact.Phone");
        Api.Response bad = api.post(run, "{'fields': {'Passport_Number': 'P1', 'Contact.Phone': '+91 98450 00000', 'Contact.Email': 'not mail',"
                + " 'Contact.Title': 'Dr'}}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("errors")).extracting(e -> e.get("field").asText()).containsExactlyInAnyOrder("fields.Contact.Email", "fields.Contact.Title");
        assertUnmoved(api, path, contact);

        // The contact is locked by a pending approval: the trip's own write happened first in the transaction, and is undone.
        ok(api.post("/api/v1/approval-processes", "{'name': 'Contact check', 'module': 'Contacts', 'trigger': ['edit'],"
                + " 'criteria': '(Title:equals:VIP)', 'steps': [{'approvers': [{'type': 'user', 'id': '" + z.team.manager.userId() + "'}]}]}"));
        ok(api.patch("/api/v1/records/Contacts/" + contact, "{'Title': 'VIP'}"));
        Api.Response locked = api.post(run, "{'fields': {'Passport_Number': 'P1', 'Contact.Phone': '+91 98450 00000'}}");
        assertThat(locked.status()).isEqualTo(409);
        assertUnmoved(api, path, contact);
        String request = ok(api.get("/api/v1/records/Contacts/" + contact + "/approvals")).get("data").get(0).get("id").asText();
        ok(z.manager.post("/api/v1/approvals/" + request + "/approve", "{}"));

        JsonNode moved = ok(api.post(run, "{'fields': {'Passport_Number': 'P1', 'Contact.Phone': '+91 98450 00000', 'Contact.Email': 'asha@example.com'}}"));
        assertThat(moved.get("state").asText()).isEqualTo("Documents collected");
        JsonNode c = ok(api.get("/api/v1/records/Contacts/" + contact));
        assertThat(c.get("Phone").asText()).isEqualTo("+91 98450 00000");
        assertThat(c.get("Email").asText()).isEqualTo("asha@example.com");
        assertThat(ok(api.get(path)).get("Passport_Number").asText()).isEqualTo("P1");
        JsonNode history = ok(api.get(path + "/blueprint/history")).get("data");
        assertThat(history.get(history.size() - 1).get("detail").get("fields").get("Contact.Phone").asText()).isEqualTo("+91 98450 00000");
    }

    @BothServers
    void aTripWithoutAContactCannotWriteToOne(Api api) {
        zylker(api);
        ok(api.post("/api/v1/blueprints", blueprint("[{'field': 'Contact.Phone'}]")));
        String trip = ok(api.post("/api/v1/records/Trips", "{'Name': 'Goa', 'Status': 'Booked'}")).get("id").asText();
        Api.Response r = api.post("/api/v1/records/Trips/" + trip + "/blueprint/transitions/Collect%20documents", "{'fields': {'Contact.Phone': '1'}}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("fields.Contact.Phone");
        assertThat(r.json().get("errors").get(0).get("message").asText()).contains("no Contact");
        assertThat(ok(api.get("/api/v1/records/Trips/" + trip + "/blueprint")).get("state").asText()).isEqualTo("Booked");
        // Optional and not given: the transition runs.
        assertThat(ok(api.post("/api/v1/records/Trips/" + trip + "/blueprint/transitions/Collect%20documents", "{}")).get("state").asText())
                .isEqualTo("Documents collected");
    }

    private static void assertUnmoved(Api api, String path, String contact) {
        assertThat(ok(api.get(path + "/blueprint")).get("state").asText()).isEqualTo("Booked");
        assertThat(ok(api.get(path)).get("Passport_Number").isNull()).isTrue();
        assertThat(ok(api.get(path + "/blueprint/history")).get("data")).extracting(h -> h.get("event").asText()).doesNotContain("transitioned");
        assertThat(ok(api.get("/api/v1/records/Contacts/" + contact)).get("Phone").isNull()).isTrue();
    }
}

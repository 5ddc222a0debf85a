package io.waymark.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;

class MetadataApiTest {

    @BothServers
    void theStandardModulesUseTheFamiliarFieldNames(Api api) {
        Api.Response r = api.get("/api/v1/modules/Leads");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("fields")).extracting(f -> f.get("api_name").asText())
                .contains("First_Name", "Last_Name", "Email", "Phone", "Company", "Lead_Status", "Lead_Source", "Owner");
        assertThat(api.get("/api/v1/modules").json().get("data")).extracting(m -> m.get("api_name").asText())
                .contains("Leads", "Contacts", "Accounts", "Deals", "Tasks", "Calls", "Cases");
    }

    @BothServers
    void anAdminAddsACustomModuleAndFieldsAndRecordsKeepTheirData(Api api) {
        Api.Response created = api.post("/api/v1/modules", "{'api_name': 'Trips', 'singular_label': 'Trip', 'fields': ["
                + "{'api_name': 'Trip_Name', 'type': 'text', 'required': true},"
                + "{'api_name': 'Travellers', 'type': 'integer', 'min': 1}]}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String trip = api.post("/api/v1/records/Trips", "{'Trip_Name': 'Bali', 'Travellers': 2}").json().get("id").asText();
        Api.Response field = api.post("/api/v1/modules/Trips/fields", "{'api_name': 'Visa_Needed', 'type': 'boolean', 'default': false}");
        assertThat(field.status()).as(field.toString()).isEqualTo(201);
        assertThat(api.patch("/api/v1/records/Trips/" + trip, "{'Visa_Needed': true}").status()).isEqualTo(200);
        assertThat(api.delete("/api/v1/modules/Trips/fields/Visa_Needed").status()).isEqualTo(204);
        assertThat(api.post("/api/v1/modules/Trips/fields/Visa_Needed/restore", null).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/records/Trips/" + trip).json().get("Visa_Needed").asBoolean()).isTrue();
        assertThat(api.post("/api/v1/records/Trips", "{'Trip_Name': 'Solo', 'Travellers': 0}").status()).isEqualTo(400);
    }

    @BothServers
    void anInvalidFieldDefinitionIsRefusedWithTheMistakeNamed(Api api) {
        Api.Response r = api.post("/api/v1/modules/Leads/fields", "{'api_name': 'budget', 'type': 'money'}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("errors")).extracting(e -> e.get("field").asText()).contains("api_name", "type");
    }
}

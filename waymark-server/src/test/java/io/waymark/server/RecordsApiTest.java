package io.waymark.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

class RecordsApiTest {

    private static String createLead(Api api, String json) {
        Api.Response r = api.post("/api/v1/records/Leads", json);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    private static List<String> fieldsNamed(Api.Response problem) {
        List<String> out = new ArrayList<>();
        problem.json().path("errors").forEach(e -> out.add(e.get("field").asText()));
        return out;
    }

    private static long count(Api api, String module) {
        return api.get("/api/v1/records/" + module + "/count").json().get("count").asLong();
    }

    @BothServers
    void createReturnsTheStoredRecordWithItsLocation(Api api) {
        Api.Response r = api.post("/api/v1/records/Leads", "{'First_Name': 'Asha', 'Last_Name': 'Patel', 'Email': 'asha@zylker.com', 'Lead_Status': 'New'}");
        assertThat(r.status()).isEqualTo(201);
        JsonNode lead = r.json();
        assertThat(lead.get("version").asInt()).isEqualTo(1);
        assertThat(lead.get("Last_Name").asText()).isEqualTo("Patel");
        assertThat(lead.get("Owner").get("name").asText()).isEqualTo("Ada Admin");
        assertThat(lead.get("created_at").asText()).isEqualTo("2026-01-05T09:00:00Z");
        assertThat(r.header("Location")).endsWith("/api/v1/records/Leads/" + lead.get("id").asText());

        Api.Response got = api.get("/api/v1/records/Leads/" + lead.get("id").asText());
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.json().get("Email").asText()).isEqualTo("asha@zylker.com");
        assertThat(got.header("ETag")).isEqualTo("\"1\"");
    }

    @BothServers
    void invalidInputIsAProblemNamingEveryFieldAndChangesNothing(Api api) {
        long before = count(api, "Leads");
        Api.Response r = api.post("/api/v1/records/Leads", "{'Email': 'nope', 'No_of_Employees': 'ten', 'Shoe_Size': 9}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.json().get("status").asInt()).isEqualTo(400);
        assertThat(r.json().get("title").asText()).isNotBlank();
        assertThat(fieldsNamed(r)).containsExactlyInAnyOrder("Email", "No_of_Employees", "Shoe_Size", "Last_Name");
        assertThat(count(api, "Leads")).isEqualTo(before);
    }

    @BothServers
    void malformedJsonIsABadRequestAboutTheBody(Api api) {
        Api.Response r = api.sendRaw("POST", "/api/v1/records/Leads", "{\"Last_Name\": \"Pat", new String[0]);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(fieldsNamed(r)).containsExactly("body");
    }

    @BothServers
    void unknownModulesAndRecordsAreNotFound(Api api) {
        assertThat(api.get("/api/v1/records/Spaceships").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/records/Leads/018f0000-0000-7000-8000-000000000000").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/records/Leads/not-a-uuid").status()).isEqualTo(400);
    }

    @BothServers
    void everyApiCallNeedsAValidToken(Api api) {
        assertThat(api.withToken(null).get("/api/v1/records/Leads").status()).isEqualTo(401);
        Api.Response bad = api.withToken("wm_forged").post("/api/v1/records/Leads", "{'Last_Name': 'X'}");
        assertThat(bad.status()).isEqualTo(401);
        assertThat(bad.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(count(api, "Leads")).isZero();
    }

    @BothServers
    void anotherOrganisationCannotSeeOrChangeTheRecord(Api api) {
        String id = createLead(api, "{'Last_Name': 'Patel'}");
        Api other = api.otherOrg();
        assertThat(other.get("/api/v1/records/Leads/" + id).status()).isEqualTo(404);
        assertThat(other.patch("/api/v1/records/Leads/" + id, "{'Company': 'Hijack'}").status()).isEqualTo(404);
        assertThat(other.delete("/api/v1/records/Leads/" + id).status()).isEqualTo(404);
        assertThat(other.get("/api/v1/records/Leads").json().get("data")).isEmpty();
        assertThat(api.get("/api/v1/records/Leads/" + id).json().get("Company").isNull()).isTrue();
    }

    @BothServers
    void aStaleWriteIsAConflict(Api api) {
        String id = createLead(api, "{'Last_Name': 'Patel'}");
        assertThat(api.send("PATCH", "/api/v1/records/Leads/" + id, "{'Company': 'First'}", "If-Match", "\"1\"").status()).isEqualTo(200);
        Api.Response stale = api.patch("/api/v1/records/Leads/" + id, "{'Company': 'Second', 'version': 1}");
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.header("Content-Type")).startsWith("application/problem+json");
        assertThat(api.get("/api/v1/records/Leads/" + id).json().get("Company").asText()).isEqualTo("First");
    }

    @BothServers
    void bulkCreateIsAllOrNothing(Api api) {
        Api.Response bad = api.post("/api/v1/records/Leads", "[{'Last_Name': 'A'}, {'Last_Name': 'B', 'Lead_Status': 'Dreaming'}]");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(fieldsNamed(bad)).containsExactly("[1].Lead_Status");
        assertThat(count(api, "Leads")).isZero();

        Api.Response ok = api.post("/api/v1/records/Leads", "[{'Last_Name': 'A'}, {'Last_Name': 'B'}]");
        assertThat(ok.status()).isEqualTo(201);
        assertThat(ok.json().get("data")).hasSize(2);
        assertThat(count(api, "Leads")).isEqualTo(2);
    }

    @BothServers
    void tooManyRecordsOrTooLargeABodyIsRefusedAs413(Api api) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i <= 1000; i++) {
            b.append(i == 0 ? "" : ",").append("{'Last_Name': 'L").append(i).append("'}");
        }
        assertThat(api.post("/api/v1/records/Leads", b.append(']').toString()).status()).isEqualTo(413);
        String huge = "{\"Last_Name\": \"" + "x".repeat(17 * 1024 * 1024) + "\"}";
        Api.Response r = api.sendRaw("POST", "/api/v1/records/Leads", huge);
        assertThat(r.status()).isEqualTo(413);
        assertThat(count(api, "Leads")).isZero();
    }

    @BothServers
    void listsFilterSortAndPageWithACursor(Api api) {
        api.post("/api/v1/records/Leads", "[{'Last_Name': 'Ahmed', 'Company': 'Zylker', 'Lead_Status': 'New'},"
                + "{'Last_Name': 'Brown', 'Company': 'Acme', 'Lead_Status': 'New', 'Email': 'b@zylker.com'},"
                + "{'Last_Name': 'Chen', 'Company': 'Acme', 'Lead_Status': 'Contacted'},"
                + "{'Last_Name': 'Diaz', 'Company': 'Zylinski', 'Lead_Status': 'New'}]");
        String criteria = java.net.URLEncoder.encode("(Lead_Status:equals:New)and((Company:starts_with:Zyl)or(Email:contains:zylker))",
                java.nio.charset.StandardCharsets.UTF_8);
        Api.Response first = api.get("/api/v1/records/Leads?criteria=" + criteria + "&sort=Last_Name&limit=2");
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(first.json().get("data")).extracting(n -> n.get("Last_Name").asText()).containsExactly("Ahmed", "Brown");
        String cursor = first.json().get("next_cursor").asText();
        Api.Response second = api.get("/api/v1/records/Leads?criteria=" + criteria + "&sort=Last_Name&limit=2&cursor=" + cursor);
        assertThat(second.json().get("data")).extracting(n -> n.get("Last_Name").asText()).containsExactly("Diaz");
        assertThat(second.json().get("next_cursor").isNull()).isTrue();

        Api.Response byParam = api.get("/api/v1/records/Leads?Company=acme&sort=-Last_Name");
        assertThat(byParam.json().get("data")).extracting(n -> n.get("Last_Name").asText()).containsExactly("Chen", "Brown");
    }

    @BothServers
    void badListParametersAreNamed(Api api) {
        assertThat(fieldsNamed(api.get("/api/v1/records/Leads?limit=0"))).containsExactly("limit");
        assertThat(api.get("/api/v1/records/Leads?criteria=(Nope:equals:1)").json().get("detail").asText()).contains("Nope");
        Api.Response pattern = api.get("/api/v1/records/Leads?criteria="
                + java.net.URLEncoder.encode("{\"conditions\":[{\"field\":\"Last_Name\",\"operator\":\"equals\",\"value\":\"x\"}],\"pattern\":\"1 AND 2\"}",
                java.nio.charset.StandardCharsets.UTF_8));
        assertThat(pattern.status()).isEqualTo(400);
        assertThat(pattern.body()).contains("condition 2");
        assertThat(fieldsNamed(api.get("/api/v1/records/Leads?sort=Shoe_Size"))).containsExactly("sort");
    }

    @BothServers
    void relatedRecordsFollowLookups(Api api) {
        String account = api.post("/api/v1/records/Accounts", "{'Account_Name': 'Zylker'}").json().get("id").asText();
        api.post("/api/v1/records/Contacts", "[{'Last_Name': 'A', 'Account_Name': '" + account + "'}, {'Last_Name': 'B', 'Account_Name': {'id': '" + account + "'}}, {'Last_Name': 'C'}]");
        Api.Response related = api.get("/api/v1/records/Accounts/" + account + "/related/Contacts");
        assertThat(related.status()).as(related.toString()).isEqualTo(200);
        assertThat(related.json().get("data")).extracting(n -> n.get("Last_Name").asText()).containsExactlyInAnyOrder("A", "B");
        assertThat(related.json().get("data").get(0).get("Account_Name").get("name").asText()).isEqualTo("Zylker");
    }

    @BothServers
    void theTimelineShowsWhoChangedWhatAndWhen(Api api) {
        String id = createLead(api, "{'Last_Name': 'Patel', 'Lead_Status': 'New'}");
        api.clock().advance(Duration.ofHours(2));
        api.patch("/api/v1/records/Leads/" + id, "{'Lead_Status': 'Contacted'}");
        Api.Response timeline = api.get("/api/v1/records/Leads/" + id + "/timeline");
        assertThat(timeline.status()).isEqualTo(200);
        JsonNode entries = timeline.json().get("data");
        assertThat(entries).hasSize(2);
        JsonNode update = entries.get(1);
        assertThat(update.get("type").asText()).isEqualTo("record.updated");
        assertThat(update.get("at").asText()).isEqualTo("2026-01-05T11:00:00Z");
        assertThat(update.get("actor").toString()).contains(api.admin().userId().toString());
        assertThat(update.get("changes").get(0).get("field").asText()).isEqualTo("Lead_Status");
        assertThat(update.get("changes").get(0).get("old").asText()).isEqualTo("New");
        assertThat(update.get("changes").get(0).get("new").asText()).isEqualTo("Contacted");
    }

    @BothServers
    void convertingALeadOverHttpLinksTheNewRecords(Api api) {
        String id = createLead(api, "{'First_Name': 'Asha', 'Last_Name': 'Patel', 'Company': 'Patel Travel'}");
        Api.Response r = api.post("/api/v1/records/Leads/" + id + "/convert", "{'deal': {'Deal_Name': 'Bali honeymoon', 'Amount': 4200}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        String contact = r.json().get("contact").get("id").asText();
        assertThat(r.json().get("deal").get("Contact_Name").get("id").asText()).isEqualTo(contact);
        assertThat(r.json().get("account").get("Account_Name").asText()).isEqualTo("Patel Travel");
        JsonNode lead = api.get("/api/v1/records/Leads/" + id).json();
        assertThat(lead.get("Converted_Contact").get("id").asText()).isEqualTo(contact);
        assertThat(api.post("/api/v1/records/Leads/" + id + "/convert", null).status()).isEqualTo(409);
    }

    @BothServers
    void deleteRemovesTheRecordButNotItsHistory(Api api) {
        String id = createLead(api, "{'Last_Name': 'Patel'}");
        assertThat(api.delete("/api/v1/records/Leads/" + id).status()).isEqualTo(204);
        assertThat(api.get("/api/v1/records/Leads/" + id).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/records/Leads/" + id + "/timeline").json().get("data")).hasSize(2);
    }
}

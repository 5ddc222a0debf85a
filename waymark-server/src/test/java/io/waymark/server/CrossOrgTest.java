package io.waymark.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Another organisation on the same server reads and links nothing of this one: not through any
 * filter (criteria, shortcut filters, system attributes, sorting, cursors), any lookup or owner
 * reference, any identity reference, or any signal query.
 */
class CrossOrgTest {

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static List<String> ids(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        r.json().get("data").forEach(n -> out.add(n.has("id") ? n.get("id").asText() : n.toString()));
        return out;
    }

    private static void refused(Api.Response r, int status, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        if (field != null) {
            assertThat(r.json().get("errors")).as(r.toString()).extracting(e -> e.get("field").asText()).contains(field);
        }
    }

    @BothServers
    void noFilterReachesAnotherOrganisationsRecords(Api a) {
        String lead = a.post("/api/v1/records/Leads", "{'Last_Name': 'Patel', 'Company': 'Zylker', 'Lead_Status': 'New'}").json().get("id").asText();
        String account = a.post("/api/v1/records/Accounts", "{'Account_Name': 'Zylker'}").json().get("id").asText();
        a.post("/api/v1/records/Contacts", "{'Last_Name': 'Rao', 'Account_Name': '" + account + "'}");
        String cursor = a.get("/api/v1/records/Leads?limit=1&sort=Last_Name").json().get("next_cursor").asText("");
        Api b = a.otherOrg();
        b.post("/api/v1/records/Leads", "{'Last_Name': 'Own lead'}");

        for (String query : List.of("criteria=" + q("(Company:equals:Zylker)"), "Company=Zylker", "Lead_Status=New",
                "criteria=" + q("(id:equals:" + lead + ")"), "criteria=" + q("(created_by:equals:" + a.admin().userId() + ")"),
                "criteria=" + q("(Last_Name:equals:Patel)or(Company:starts_with:Z)"),
                "criteria=" + q("{\"conditions\":[{\"field\":\"Company\",\"operator\":\"contains\",\"value\":\"ylk\"}],\"pattern\":\"1\"}"))) {
            assertThat(ids(b.get("/api/v1/records/Leads?" + query))).as(query).doesNotContain(lead);
            assertThat(b.get("/api/v1/records/Leads/count?" + query).json().get("count").asLong()).as(query).isZero();
        }
        assertThat(ids(b.get("/api/v1/records/Contacts?Account_Name=" + account))).isEmpty();
        assertThat(ids(b.get("/api/v1/records/Contacts?criteria=" + q("(Account_Name:equals:" + account + ")")))).isEmpty();
        assertThat(ids(b.get("/api/v1/records/Leads?sort=Company"))).doesNotContain(lead).hasSize(1);
        if (!cursor.isEmpty()) {
            Api.Response page = b.get("/api/v1/records/Leads?limit=1&sort=Last_Name&cursor=" + q(cursor));
            assertThat(page.status() == 400 || !page.body().contains(lead)).as(page.toString()).isTrue();
        }
        assertThat(b.get("/api/v1/records/Leads/export").body()).doesNotContain(lead).doesNotContain("Zylker");
        assertThat(b.get("/api/v1/records/Leads/" + lead).status()).isEqualTo(404);
        assertThat(b.get("/api/v1/records/Leads/" + lead + "/timeline").status()).isEqualTo(404);
        assertThat(b.get("/api/v1/records/Accounts/" + account + "/related/Contacts").status()).isEqualTo(404);
    }

    @BothServers
    void noLookupOrReferenceMayPointIntoAnotherOrganisation(Api a) {
        String account = a.post("/api/v1/records/Accounts", "{'Account_Name': 'Zylker'}").json().get("id").asText();
        String aLead = a.post("/api/v1/records/Leads", "{'Last_Name': 'Patel'}").json().get("id").asText();
        String aRole = a.get("/api/v1/roles").json().get("data").get(0).get("id").asText();
        String aGroup = a.post("/api/v1/groups", "{'name': 'A team'}").json().get("id").asText();
        String aUser = a.admin().userId().toString();
        Api b = a.otherOrg();
        String bContact = b.post("/api/v1/records/Contacts", "{'Last_Name': 'Own'}").json().get("id").asText();
        String bLead = b.post("/api/v1/records/Leads", "{'Last_Name': 'Own', 'Company': 'B Co'}").json().get("id").asText();
        long contactsBefore = b.get("/api/v1/records/Contacts/count").json().get("count").asLong();

        refused(b.post("/api/v1/records/Contacts", "{'Last_Name': 'X', 'Account_Name': '" + account + "'}"), 400, "Account_Name");
        refused(b.post("/api/v1/records/Contacts", "[{'Last_Name': 'Y'}, {'Last_Name': 'X', 'Account_Name': {'id': '" + account + "'}}]"), 400,
                "[1].Account_Name");
        refused(b.patch("/api/v1/records/Contacts/" + bContact, "{'Account_Name': '" + account + "'}"), 400, "Account_Name");
        refused(b.post("/api/v1/records/Leads", "{'Last_Name': 'X', 'Owner': '" + aUser + "'}"), 400, "Owner");
        refused(b.post("/api/v1/records/Leads/transfer", "{'ids': ['" + bLead + "'], 'owner': '" + aUser + "'}"), 400, "[0].Owner");
        refused(b.post("/api/v1/records/Leads/" + bLead + "/convert", "{'account': {'id': '" + account + "'}}"), 400, "account.id");
        refused(b.post("/api/v1/records/Leads/transfer", "{'ids': ['" + aLead + "'], 'owner': '" + b.admin().userId() + "'}"), 400, "[0].id");
        assertThat(b.get("/api/v1/records/Contacts/count").json().get("count").asLong()).isEqualTo(contactsBefore);
        assertThat(b.get("/api/v1/records/Contacts/" + bContact).json().get("Account_Name").isNull()).isTrue();

        refused(b.post("/api/v1/groups", "{'name': 'Mixed', 'members': ['" + aUser + "']}"), 400, "members");
        refused(b.post("/api/v1/roles", "{'name': 'Under A', 'reports_to': '" + aRole + "'}"), 400, "reports_to");
        refused(b.post("/api/v1/users", "{'email': 'x@b.example', 'name': 'X', 'role': '" + aRole + "'}"), 400, "role");
        refused(b.post("/api/v1/sharing-rules", "{'module': 'Leads', 'grantee_type': 'group', 'grantee_id': '" + aGroup + "', 'access': 'read_write'}"),
                400, "grantee_id");
        refused(b.post("/api/v1/tokens", "{'name': 'steal', 'user': '" + aUser + "'}"), 400, "user");
        assertThat(b.get("/api/v1/users/" + aUser).status()).isEqualTo(404);
        assertThat(b.get("/api/v1/users/" + aUser + "/manager").status()).isEqualTo(404);
        assertThat(b.get("/api/v1/tokens?user=" + aUser).status()).isEqualTo(404);
        assertThat(b.get("/api/v1/sessions?user=" + aUser).status()).isEqualTo(404);
        assertThat(ids(b.get("/api/v1/users"))).doesNotContain(aUser);
        assertThat(b.get("/api/v1/groups").body()).doesNotContain(aGroup);
        assertThat(b.get("/api/v1/roles").body()).doesNotContain(aRole);
    }

    @BothServers
    void noSignalQueryOrSignalReachesAnotherOrganisation(Api a) {
        String lead = a.post("/api/v1/records/Leads", "{'Last_Name': 'Patel'}").json().get("id").asText();
        String subject = a.get("/api/v1/records/Leads/" + lead).json().get("subject").asText();
        a.post("/api/v1/signals", "{'type': 'web.visit', 'subject': 'visitor-a', 'payload': {'page': '/secret-a'}}");
        Api b = a.otherOrg();
        refused(b.post("/api/v1/signals", "{'type': 'email.opened', 'module': 'Leads', 'record_id': '" + lead + "'}"), 400, "record_id");
        for (String query : List.of("record_id=" + lead, "subject=" + subject, "subject=visitor-a", "type=web.visit", "type=record.created",
                "from=2000-01-01T00:00:00Z")) {
            JsonNode data = b.get("/api/v1/signals?" + query).json().get("data");
            assertThat(data.toString()).as(query).doesNotContain(lead).doesNotContain("secret-a").doesNotContain(a.admin().orgId().toString());
        }
        // The same subject name in another organisation is another customer.
        b.post("/api/v1/signals", "{'type': 'web.visit', 'subject': 'visitor-a'}");
        assertThat(a.get("/api/v1/signals?subject=visitor-a").json().get("data")).hasSize(1);
        assertThat(b.get("/api/v1/audit").body()).doesNotContain(a.admin().userId().toString());
    }
}

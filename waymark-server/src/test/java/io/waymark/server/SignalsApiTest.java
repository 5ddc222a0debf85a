package io.waymark.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;

class SignalsApiTest {

    @BothServers
    void externalSignalsAreAcceptedAndReadBackBySubjectInOrder(Api api) {
        Api.Response one = api.post("/api/v1/signals", "{'type': 'web.visit', 'subject': 'visitor-1', 'payload': {'page': '/bali'}}");
        assertThat(one.status()).as(one.toString()).isEqualTo(202);
        Api.Response many = api.post("/api/v1/signals", "[{'type': 'email.opened', 'subject': 'visitor-1'}, {'type': 'chat.started', 'subject': 'visitor-1'}]");
        assertThat(many.status()).isEqualTo(202);
        Api.Response read = api.get("/api/v1/signals?subject=visitor-1");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().get("data")).extracting(n -> n.get("type").asText()).containsExactly("web.visit", "email.opened", "chat.started");
        assertThat(read.json().get("data").get(0).get("payload").get("page").asText()).isEqualTo("/bali");
    }

    @BothServers
    void aSubjectThatConvertsKeepsOneHistory(Api api) {
        String lead = api.post("/api/v1/records/Leads", "{'Last_Name': 'Patel'}").json().get("id").asText();
        api.post("/api/v1/signals", "{'type': 'email.replied', 'module': 'Leads', 'record_id': '" + lead + "'}");
        String contact = api.post("/api/v1/records/Leads/" + lead + "/convert", "{'account': false}").json().get("contact").get("id").asText();
        api.post("/api/v1/signals", "{'type': 'call.completed', 'module': 'Contacts', 'record_id': '" + contact + "'}");
        String subject = api.get("/api/v1/records/Contacts/" + contact).json().get("subject").asText();
        assertThat(api.get("/api/v1/signals?subject=" + subject).json().get("data")).extracting(n -> n.get("type").asText())
                .containsExactly("record.created", "email.replied", "record.created", "lead.converted", "call.completed");
    }

    @BothServers
    void badSignalsAreRefusedWithTheFieldNamed(Api api) {
        Api.Response r = api.post("/api/v1/signals", "[{'type': 'web.visit', 'subject': 'ok'}, {'type': 'timer.fired', 'subject': 's'}]");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("[1].type");
        assertThat(api.get("/api/v1/signals?subject=ok").json().get("data")).isEmpty();
        assertThat(api.get("/api/v1/signals?from=last-tuesday").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/signals?from=last-tuesday").json().get("errors").get(0).get("field").asText()).isEqualTo("from");
    }

    @BothServers
    void nulCharactersAreRefusedOnEveryRouteWithTheFieldNamed(Api api) {
        // PostgreSQL stores no text with U+0000 in it; such a body failed there with a 500 and was stored by H2.
        Api.Response r = api.post("/api/v1/signals", "[{'type': 'web.visit', 'subject': 'ok-nul'}, {'type': 'web.visit', 'subject': 's', 'payload': {'note': 'a\\u0000b'}}]");
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("[1].payload.note");
        assertThat(api.get("/api/v1/signals?subject=ok-nul").json().get("data")).isEmpty();
        // A batch of one names its fields as a single signal does, like the engine's own errors.
        Api.Response one = api.post("/api/v1/signals", "[{'type': 'web.visit', 'subject': 's', 'payload': {'note': 'a\\u0000b'}}]");
        assertThat(one.json().get("errors").get(0).get("field").asText()).isEqualTo("payload.note");
        assertThat(one.json().get("errors").get(0).get("message").asText()).isEqualTo("must not contain NUL characters (\\u0000)");

        Api.Response lead = api.post("/api/v1/records/Leads", "{'Last_Name': 'Pa\\u0000tel'}");
        assertThat(lead.status()).as(lead.toString()).isEqualTo(400);
        assertThat(lead.json().get("errors").get(0).get("field").asText()).isEqualTo("Last_Name");
        Api.Response journey = api.post("/api/v1/journeys", "{'name': 'x\\u0000', 'entry': [{'type': 'api'}], 'states': [{'key': 'a', 'end': 'success'}]}");
        assertThat(journey.status()).as(journey.toString()).isEqualTo(400);
        assertThat(journey.json().get("errors").get(0).get("field").asText()).isEqualTo("name");
        assertThat(api.get("/api/v1/journeys").json().get("data")).isEmpty();

        // Bodies in UTF-16 or with an overlong UTF-8 NUL carry it without the escape's bytes.
        String definition = "{\"name\": \"x\\u0000\", \"entry\": [{\"type\": \"api\"}], \"states\": [{\"key\": \"a\", \"end\": \"success\"}]}";
        Api.Response utf16 = api.sendBytes("POST", "/api/v1/journeys", definition.getBytes(java.nio.charset.StandardCharsets.UTF_16LE), "application/json");
        assertThat(utf16.status()).as(utf16.toString()).isEqualTo(400);
        assertThat(utf16.json().get("errors").get(0).get("field").asText()).isEqualTo("name");
        byte[] overlong = "{\"name\": \"x##\", \"entry\": [{\"type\": \"api\"}], \"states\": [{\"key\": \"a\", \"end\": \"success\"}]}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int at = new String(overlong, java.nio.charset.StandardCharsets.UTF_8).indexOf("##");
        overlong[at] = (byte) 0xC0;
        overlong[at + 1] = (byte) 0x80;
        Api.Response sneaky = api.sendBytes("POST", "/api/v1/journeys", overlong, "application/json");
        assertThat(sneaky.status()).as(sneaky.toString()).isEqualTo(400);
        assertThat(api.get("/api/v1/journeys").json().get("data")).isEmpty();

        // Nor in a query or path parameter, where PostgreSQL failed even to compare.
        Api.Response query = api.get("/api/v1/signals?subject=a%00b");
        assertThat(query.status()).as(query.toString()).isEqualTo(400);
        assertThat(query.json().get("errors").get(0).get("field").asText()).isEqualTo("subject");
        Api.Response path = api.get("/api/v1/records/Leads/a%00b");
        assertThat(path.status()).as(path.toString()).isEqualTo(400);
        assertThat(api.withToken(null).get("/api/v1/signals?subject=a%00b").status()).as("the token is checked first").isEqualTo(401);

        // The six characters of the escape as text are not a NUL.
        Api.Response text = api.post("/api/v1/signals", "{'type': 'web.visit', 'subject': 'ok-text', 'payload': {'note': 'a\\\\u0000b'}}");
        assertThat(text.status()).as(text.toString()).isEqualTo(202);
        assertThat(api.get("/api/v1/signals?subject=ok-text").json().get("data").get(0).get("payload").get("note").asText()).isEqualTo("a\\u0000b");
    }

    @BothServers
    void signalsOfAnotherOrganisationAreInvisible(Api api) {
        api.otherOrg().post("/api/v1/signals", "{'type': 'web.visit', 'subject': 'same-visitor'}");
        assertThat(api.get("/api/v1/signals?subject=same-visitor").json().get("data")).isEmpty();
        assertThat(api.get("/api/v1/signals?type=web.visit").json().get("data")).isEmpty();
    }
}

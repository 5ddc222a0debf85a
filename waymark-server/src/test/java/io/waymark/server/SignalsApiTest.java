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
    void signalsOfAnotherOrganisationAreInvisible(Api api) {
        api.otherOrg().post("/api/v1/signals", "{'type': 'web.visit', 'subject': 'same-visitor'}");
        assertThat(api.get("/api/v1/signals?subject=same-visitor").json().get("data")).isEmpty();
        assertThat(api.get("/api/v1/signals?type=web.visit").json().get("data")).isEmpty();
    }
}

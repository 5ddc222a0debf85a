package io.waymark.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

class IntegrationsApiTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static String template(Api api) {
        Api.Response r = api.post("/api/v1/email/templates", "{'name': 'Welcome', 'module': 'Contacts', 'subject': 'Hello {{Contacts.First_Name}}', "
                + "'html': '<p>Hi {{Contacts.First_Name}}</p><a href=\\\"https://zylker.com/bali\\\">Bali</a>'}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    static String contact(Api api, String email) {
        return api.post("/api/v1/records/Contacts", "{'First_Name': 'Asha', 'Last_Name': 'Patel', 'Email': '" + email + "'}").json().get("id").asText();
    }

    static String token(String html, String kind) {
        Matcher m = Pattern.compile("/t/" + kind + "/([A-Za-z0-9_-]+)").matcher(html);
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    static HttpResponse<String> form(Api api, String method, String path, String formBody) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(api.uri(path)).timeout(Duration.ofSeconds(30));
        if (formBody != null) {
            b.header("Content-Type", "application/x-www-form-urlencoded");
        }
        b.method(method, formBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(formBody));
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static long count(Api api, String subjectOrType, boolean byType) {
        return api.get("/api/v1/signals?limit=1000&" + (byType ? "type=" : "subject=") + subjectOrType).json().get("data").size();
    }

    @BothServers
    void aTemplateWithAnUnknownFieldIsA400NamingItAndNothingIsSaved(Api api) {
        Api.Response r = api.post("/api/v1/email/templates", "{'name': 'Bad', 'module': 'Contacts', 'subject': 'Hi {{Contacts.Frist_Name}}', 'text': 'x'}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("subject");
        assertThat(r.json().get("errors").get(0).get("message").asText()).contains("{{Contacts.Frist_Name}}");
        assertThat(api.get("/api/v1/email/templates").json().get("data")).isEmpty();
        String id = template(api);
        assertThat(api.patch("/api/v1/email/templates/" + id, "{'text': '{{Owner.Phone}}'}").status()).isEqualTo(400);
        Api.Response changed = api.send("PATCH", "/api/v1/email/templates/" + id, "{'text': 'Hi {{Owner.Name}}'}", "If-Match", "\"1\"");
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        assertThat(changed.json().get("version").asInt()).isEqualTo(2);
        assertThat(api.get("/api/v1/email/templates/not-a-uuid").status()).isEqualTo(400);
        assertThat(api.otherOrg().get("/api/v1/email/templates/" + id).status()).isEqualTo(404);
        assertThat(api.withToken(null).get("/api/v1/email/templates").status()).isEqualTo(401);
    }

    @BothServers
    void theCatcherShowsSentMailAndTheTrackingLinksWorkWithoutAToken(Api api) throws Exception {
        String t = template(api);
        String c = contact(api, "asha@example.com");
        String subject = api.get("/api/v1/records/Contacts/" + c).json().get("subject").asText();
        Api.Response preview = api.post("/api/v1/email/templates/" + t + "/preview", "{'record_id': '" + c + "'}");
        assertThat(preview.json().get("subject").asText()).isEqualTo("Hello Asha");
        Api.Response sent = api.post("/api/v1/email/send", "{'template_id': '" + t + "', 'module': 'Contacts', 'record_id': '" + c + "', "
                + "'idempotency_key': 'demo-1'}");
        assertThat(sent.status()).as(sent.toString()).isEqualTo(201);
        assertThat(sent.json().get("status").asText()).isEqualTo("caught");
        assertThat(sent.json().get("delivery").asText()).isEqualTo("catcher");
        JsonNode list = api.get("/api/v1/email/messages?to=asha@example.com").json().get("data");
        assertThat(list).hasSize(1);
        String html = api.get("/api/v1/email/messages/" + list.get(0).get("id").asText()).json().get("html").asText();

        HttpResponse<String> pixel = form(api, "GET", "/t/o/" + token(html, "o"), null);
        assertThat(pixel.statusCode()).isEqualTo(200);
        assertThat(pixel.headers().firstValue("Content-Type")).hasValue("image/gif");
        HttpResponse<String> forgedPixel = form(api, "GET", "/t/o/AAAA" + token(html, "o").substring(4), null);
        assertThat(forgedPixel.statusCode()).as("a forged pixel is still served").isEqualTo(200);
        HttpResponse<String> click = form(api, "GET", "/t/c/" + token(html, "c"), null);
        assertThat(click.statusCode()).isEqualTo(302);
        assertThat(click.headers().firstValue("Location")).hasValue("https://zylker.com/bali");
        HttpResponse<String> forgedClick = form(api, "GET", "/t/c/" + token(html, "c").substring(1) + "x", null);
        assertThat(forgedClick.statusCode()).isEqualTo(404);
        assertThat(forgedClick.headers().firstValue("Location")).isEmpty();
        assertThat(count(api, subject, false)).as("record.created, email.sent, opened, clicked").isEqualTo(4);

        String u = token(html, "u");
        HttpResponse<String> ask = form(api, "GET", "/t/u/" + u, null);
        assertThat(ask.statusCode()).isEqualTo(200);
        assertThat(ask.body()).contains("asha@example.com").contains("method=\"post\"");
        assertThat(api.get("/api/v1/email/unsubscribes/asha@example.com").status()).as("a GET does not unsubscribe").isEqualTo(404);
        assertThat(form(api, "POST", "/t/u/" + u, "List-Unsubscribe=One-Click").statusCode()).isEqualTo(200);
        assertThat(api.get("/api/v1/email/unsubscribes/asha@example.com").status()).isEqualTo(200);
        Api.Response refused = api.post("/api/v1/email/send", "{'template_id': '" + t + "', 'module': 'Contacts', 'record_id': '" + c + "'}");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.json().get("detail").asText()).contains("unsubscribed");
        assertThat(api.delete("/api/v1/email/unsubscribes/asha@example.com").status()).isEqualTo(204);
        assertThat(api.post("/api/v1/email/send", "{'template_id': '" + t + "', 'module': 'Contacts', 'record_id': '" + c + "'}").status()).isEqualTo(201);
        assertThat(api.post("/api/v1/email/mailbox/poll", null).status()).as("no mailbox configured").isEqualTo(409);
    }

    @BothServers
    void anIncomingSignalEndpointTakesTypedParametersWithItsKeyOnly(Api api) throws Exception {
        String c = contact(api, "asha@example.com");
        Api.Response created = api.post("/api/v1/signal-endpoints", "{'name': 'Chat', 'signal_type': 'chat.started', "
                + "'params': [{'name': 'email', 'type': 'email', 'required': true}, {'name': 'topic'}], "
                + "'match': {'param': 'email', 'module': 'Contacts', 'field': 'Email'}}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().get("id").asText();
        String key = created.json().get("key").asText();
        assertThat(created.json().get("url").asText()).endsWith("/in/" + id + "?key=" + key);
        assertThat(api.get("/api/v1/signal-endpoints/" + id).json().has("key")).isFalse();

        HttpResponse<String> get = form(api, "GET", "/in/" + id + "?key=" + key + "&email=asha@example.com&topic=" + URLEncoder.encode("Bali & Java",
                StandardCharsets.UTF_8), null);
        assertThat(get.statusCode()).as(get.body()).isEqualTo(202);
        HttpResponse<String> post = form(api, "POST", "/in/" + id, "key=" + key + "&email=asha%40example.com&topic=visa");
        assertThat(post.statusCode()).as(post.body()).isEqualTo(202);
        JsonNode signals = api.get("/api/v1/signals?type=chat.started").json().get("data");
        assertThat(signals).hasSize(2);
        assertThat(signals.get(0).get("record_id").asText()).isEqualTo(c);
        assertThat(signals.get(0).get("payload").get("topic").asText()).isEqualTo("Bali & Java");

        assertThat(form(api, "GET", "/in/" + id + "?key=wsk_wrong&email=a@b.co", null).statusCode()).isEqualTo(404);
        HttpResponse<String> bad = form(api, "GET", "/in/" + id + "?key=" + key + "&email=nope", null);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("\"field\":\"email\"");
        // PostgreSQL stores no text with U+0000 in it: refused, not a database error.
        HttpResponse<String> nul = form(api, "POST", "/in/" + id, "key=" + key + "&email=asha%40example.com&topic=a%00b");
        assertThat(nul.statusCode()).as(nul.body()).isEqualTo(400);
        assertThat(nul.body()).contains("\"field\":\"topic\"").contains("NUL");
        assertThat(api.get("/api/v1/signals?type=chat.started").json().get("data")).hasSize(2);
    }

    @BothServers
    void aPublicFormCreatesARecordAndAFloodGets429WithRetryAfter(Api api) throws Exception {
        Api.Response created = api.post("/api/v1/forms", "{'name': 'Survey', 'title': 'Where to next?', 'module': 'Leads', 'match_field': 'Email', "
                + "'fields': [{'field': 'Last_Name', 'label': 'Your name', 'required': true}, {'field': 'Email', 'required': true}, {'field': 'Lead_Source'}]}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().get("id").asText();
        assertThat(created.json().get("url").asText()).endsWith("/forms/" + id);

        HttpResponse<String> page = form(api, "GET", "/forms/" + id, null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Where to next?").contains("name=\"Last_Name\"").contains("<option>Web Form</option>");
        HttpResponse<String> ok = form(api, "POST", "/forms/" + id, "Last_Name=Patel&Email=asha%40example.com&Lead_Source=Web+Form");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(ok.body()).contains("Thank you");
        HttpResponse<String> missing = form(api, "POST", "/forms/" + id, "Email=x%40example.com");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("Your name: is required").contains("value=\"x@example.com\"");
        Api.Response json = api.withToken(null).post("/forms/" + id, "{'Last_Name': 'Patel', 'Email': 'ASHA@example.com', 'Lead_Source': 'Chat'}");
        assertThat(json.status()).as(json.toString()).isEqualTo(201);
        assertThat(json.json().get("created").asBoolean()).isFalse();
        assertThat(api.get("/api/v1/records/Leads").json().get("data")).singleElement()
                .satisfies(l -> assertThat(l.get("Lead_Source").asText()).isEqualTo("Chat"));

        int accepted = 2;
        HttpResponse<String> last = null;
        for (int i = 0; i < 10; i++) {
            last = form(api, "POST", "/forms/" + id, "Last_Name=Flood&Email=flood%40example.com");
            if (last.statusCode() != 200) {
                break;
            }
            accepted++;
        }
        assertThat(last.statusCode()).isEqualTo(429);
        assertThat(last.headers().firstValue("Retry-After")).isPresent();
        Api.Response jsonFlood = api.withToken(null).post("/forms/" + id, "{'Last_Name': 'Flood', 'Email': 'flood@example.com'}");
        assertThat(jsonFlood.status()).isEqualTo(429);
        assertThat(jsonFlood.header("Retry-After")).isNotNull();
        // A burst of 5 per source: the good, the bad and the JSON submission above took 3 of them.
        assertThat(accepted).isEqualTo(4);
        api.clock().advance(Duration.ofMinutes(1));
        assertThat(form(api, "POST", "/forms/" + id, "Last_Name=Flood&Email=flood%40example.com").statusCode()).isEqualTo(200);
        assertThat(count(api, "form.submitted", true)).isEqualTo(accepted + 1);
        assertThat(form(api, "GET", "/forms/" + java.util.UUID.randomUUID(), null).statusCode()).isEqualTo(404);
    }

    @BothServers
    void webhooksToPrivateAddressesAreRefusedOverTheApi(Api api) {
        Api.Response r = api.post("/api/v1/webhooks", "{'name': 'Metadata', 'module': 'Contacts', 'url': 'http://169.254.169.254/latest/meta-data'}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("url");
        assertThat(r.json().get("errors").get(0).get("message").asText()).contains("link-local");
        assertThat(api.get("/api/v1/webhooks").json().get("data")).isEmpty();
    }
}

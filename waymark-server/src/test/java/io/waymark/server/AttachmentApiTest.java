package io.waymark.server;

import static io.waymark.server.BlueprintApiTest.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.record.Attachments;
import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * Files attached to records over HTTP: upload, list, read, download byte for byte, remove; each
 * add and removal on the record's timeline; bad input named and changing nothing; other
 * organisations see no trace.
 */
class AttachmentApiTest {

    private static int count(Api api, String path) {
        return ok(api.get(path + "/attachments")).get("data").size();
    }

    private static List<String> timeline(Api api, String path) {
        return ok(api.get(path + "/timeline")).get("data").findValuesAsText("type");
    }

    private static HttpResponse<byte[]> download(Api api, String path) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(api.uri(path)).header("Authorization", "Bearer " + api.token()).GET().build();
        return HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofByteArray());
    }

    @BothServers
    void aFileIsAttachedListedDownloadedAndRemovedWithItsTimeline(Api api) throws Exception {
        String lead = ok(api.post("/api/v1/records/Leads", "{'Last_Name': 'Patel', 'Company': 'Patel Family'}")).get("id").asText();
        String path = "/api/v1/records/Leads/" + lead;
        byte[] content = "%PDF-1.7 passport of Asha Patel".getBytes(StandardCharsets.UTF_8);

        Api.Response created = api.sendBytes("POST", path + "/attachments?file_name=" + "Passport%20Asha.pdf", content, "application/pdf; name=x");
        assertThat(created.status()).isEqualTo(201);
        JsonNode a = created.json();
        String id = a.get("id").asText();
        assertThat(created.header("Location")).isEqualTo(path + "/attachments/" + id);
        assertThat(a.get("file_name").asText()).isEqualTo("Passport Asha.pdf");
        assertThat(a.get("content_type").asText()).isEqualTo("application/pdf");
        assertThat(a.get("size").asLong()).isEqualTo(content.length);
        assertThat(a.get("sha256").asText()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
        assertThat(a.get("record_id").asText()).isEqualTo(lead);

        assertThat(ok(api.get(path + "/attachments")).get("data").findValuesAsText("id")).containsExactly(id);
        assertThat(ok(api.get(path + "/attachments/" + id)).get("file_name").asText()).isEqualTo("Passport Asha.pdf");
        HttpResponse<byte[]> file = download(api, path + "/attachments/" + id + "/content");
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.body()).isEqualTo(content);
        assertThat(file.headers().firstValue("Content-Type").orElse("")).startsWith("application/pdf");
        assertThat(file.headers().firstValue("Content-Disposition").orElse("")).isEqualTo("attachment; filename*=UTF-8''Passport%20Asha.pdf");
        assertThat(file.headers().firstValue("X-Content-Type-Options").orElse("")).isEqualTo("nosniff");

        // A name from Content-Disposition, and a file with no media type at all.
        Api.Response second = api.sendRaw("POST", path + "/attachments", "plain notes", "Content-Type", "text/plain",
                "Content-Disposition", "attachment; filename=\"notes.txt\"");
        assertThat(second.status()).isEqualTo(201);
        assertThat(second.json().get("file_name").asText()).isEqualTo("notes.txt");
        assertThat(second.json().get("content_type").asText()).isEqualTo("text/plain");
        assertThat(count(api, path)).isEqualTo(2);

        assertThat(api.delete(path + "/attachments/" + id).status()).isEqualTo(204);
        assertThat(api.get(path + "/attachments/" + id).status()).isEqualTo(404);
        assertThat(download(api, path + "/attachments/" + id + "/content").statusCode()).isEqualTo(404);
        assertThat(api.delete(path + "/attachments/" + id).status()).isEqualTo(404);
        assertThat(count(api, path)).isEqualTo(1);
        assertThat(timeline(api, path)).containsExactly("record.created", "attachment.added", "attachment.added", "attachment.removed");
    }

    @BothServers
    void badUploadsAreNamedAndChangeNothing(Api api) {
        String lead = ok(api.post("/api/v1/records/Leads", "{'Last_Name': 'Rao', 'Company': 'Rao & Sons'}")).get("id").asText();
        String path = "/api/v1/records/Leads/" + lead;
        byte[] one = {1};

        Api.Response noName = api.sendBytes("POST", path + "/attachments", one, "application/pdf");
        assertThat(noName.status()).isEqualTo(400);
        assertThat(noName.header("Content-Type")).startsWith("application/problem+json");
        assertThat(noName.json().get("errors").findValuesAsText("field")).containsExactly("file_name");
        assertThat(api.sendBytes("POST", path + "/attachments?file_name=..%2Fetc%2Fpasswd", one, "text/plain").json().get("errors")
                .findValuesAsText("field")).containsExactly("file_name");
        assertThat(api.sendBytes("POST", path + "/attachments?file_name=a.bin", one, "not a type").json().get("errors")
                .findValuesAsText("field")).containsExactly("content_type");
        assertThat(api.sendBytes("POST", path + "/attachments?file_name=a.bin", new byte[0], "text/plain").json().get("errors")
                .findValuesAsText("field")).containsExactly("body");
        Api.Response tooLarge = api.sendBytes("POST", path + "/attachments?file_name=big.bin", new byte[Attachments.MAX_BYTES + 1], "application/octet-stream");
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(api.sendBytes("POST", "/api/v1/records/Leads/" + java.util.UUID.randomUUID() + "/attachments?file_name=a.pdf", one, "application/pdf")
                .status()).isEqualTo(404);
        assertThat(api.sendBytes("POST", "/api/v1/records/Nope/" + lead + "/attachments?file_name=a.pdf", one, "application/pdf").status())
                .isEqualTo(404);
        assertThat(api.get(path + "/attachments/not-a-uuid").json().get("errors").findValuesAsText("field")).containsExactly("attachmentId");

        assertThat(count(api, path)).isZero();
        assertThat(timeline(api, path)).containsExactly("record.created");
    }

    @BothServers
    void anAttachmentBelongsToItsRecordAndItsOrganisation(Api api) {
        String lead = ok(api.post("/api/v1/records/Leads", "{'Last_Name': 'Kim', 'Company': 'Kim Co'}")).get("id").asText();
        String other = ok(api.post("/api/v1/records/Leads", "{'Last_Name': 'Lee', 'Company': 'Lee Co'}")).get("id").asText();
        String id = ok(api.sendBytes("POST", "/api/v1/records/Leads/" + lead + "/attachments?file_name=a.txt", new byte[] {65}, "text/plain"))
                .get("id").asText();

        // Named under another record it is not there, and cannot be removed from there.
        assertThat(api.get("/api/v1/records/Leads/" + other + "/attachments/" + id).status()).isEqualTo(404);
        assertThat(api.delete("/api/v1/records/Leads/" + other + "/attachments/" + id).status()).isEqualTo(404);
        // Another organisation sees no trace of the record or the file, and cannot add to it.
        Api stranger = api.otherOrg();
        assertThat(stranger.get("/api/v1/records/Leads/" + lead + "/attachments").status()).isEqualTo(404);
        assertThat(stranger.get("/api/v1/records/Leads/" + lead + "/attachments/" + id + "/content").status()).isEqualTo(404);
        assertThat(stranger.delete("/api/v1/records/Leads/" + lead + "/attachments/" + id).status()).isEqualTo(404);
        assertThat(stranger.sendBytes("POST", "/api/v1/records/Leads/" + lead + "/attachments?file_name=x.txt", new byte[] {1}, "text/plain")
                .status()).isEqualTo(404);
        assertThat(count(api, "/api/v1/records/Leads/" + lead)).isEqualTo(1);
    }
}

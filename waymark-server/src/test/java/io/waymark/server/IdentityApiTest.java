package io.waymark.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;
import java.util.List;

/** The identity API: bad input is refused naming the field and changes nothing; conflicts are 409. */
class IdentityApiTest {

    private static List<String> fields(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        return r.json().get("errors").findValuesAsText("field");
    }

    private static String state(Api api) {
        return api.get("/api/v1/users").body() + api.get("/api/v1/roles").body() + api.get("/api/v1/groups").body()
                + api.get("/api/v1/profiles").body() + api.get("/api/v1/sharing-rules").body() + api.get("/api/v1/tokens").body();
    }

    @BothServers
    void badInputIsRefusedNamingEachFieldAndChangesNothing(Api api) {
        String before = state(api);
        String role = api.get("/api/v1/roles").json().get("data").get(0).get("id").asText();
        assertThat(fields(api.post("/api/v1/users", "{'email': 'not-an-email', 'name': '', 'password': 'short', 'colour': 1}")))
                .contains("email", "name", "colour");
        assertThat(fields(api.post("/api/v1/users", "{'email': 'ok@example.com', 'name': 'Ok', 'password': 'short'}"))).containsExactly("password");
        assertThat(fields(api.post("/api/v1/users", "{'email': 'ok@example.com', 'name': 'Ok', 'role': '" + java.util.UUID.randomUUID() + "'}")))
                .containsExactly("role");
        assertThat(fields(api.post("/api/v1/roles", "{'name': 'X', 'reports_to': 'nope'}"))).containsExactly("reports_to");
        assertThat(fields(api.post("/api/v1/profiles", "{'name': 'P', 'permissions': {'modules': {'Nowhere': ['view']}, "
                + "'capabilities': ['fly']}}"))).contains("permissions.modules.Nowhere", "permissions.capabilities");
        assertThat(fields(api.post("/api/v1/groups", "{'name': 'G', 'members': ['" + java.util.UUID.randomUUID() + "']}"))).containsExactly("members");
        assertThat(fields(api.post("/api/v1/sharing-rules", "{'module': 'Leads', 'grantee_type': 'planet', 'grantee_id': '" + role
                + "', 'access': 'all'}"))).contains("grantee_type", "access");
        assertThat(fields(api.post("/api/v1/tokens", "{'name': 'x', 'expires_at': 'tomorrow'}"))).containsExactly("expires_at");
        assertThat(fields(api.patch("/api/v1/roles/" + role, "{'reports_to': '" + role + "'}"))).containsExactly("reports_to");
        assertThat(api.get("/api/v1/users/not-a-uuid").status()).isEqualTo(400);
        assertThat(state(api)).isEqualTo(before);
    }

    @BothServers
    void conflictsAreRefusedWith409(Api api) {
        assertThat(api.post("/api/v1/users", "{'email': 'twin@example.com', 'name': 'One'}").status()).isEqualTo(201);
        assertThat(api.post("/api/v1/users", "{'email': 'TWIN@example.com', 'name': 'Two'}").status()).isEqualTo(409);
        assertThat(api.post("/api/v1/roles", "{'name': 'ceo'}").status()).isEqualTo(409);
        String admin = api.admin().userId().toString();
        assertThat(api.patch("/api/v1/users/" + admin, "{'active': false}").status()).isEqualTo(409);
        String adminProfile = api.get("/api/v1/users/me").json().get("profile").asText();
        assertThat(api.patch("/api/v1/profiles/" + adminProfile, "{'name': 'Root'}").status()).isEqualTo(409);
        assertThat(api.delete("/api/v1/profiles/" + adminProfile).status()).isEqualTo(409);
        assertThat(api.get("/api/v1/users/me").json().get("permissions").get("view_all_records").asBoolean()).isTrue();
    }

    @BothServers
    void aNewTokenIsShownOnceAndWorksUntilRevoked(Api api) {
        Api.Response created = api.post("/api/v1/tokens", "{'name': 'ci'}");
        assertThat(created.status()).isEqualTo(201);
        String secret = created.json().get("token").asText();
        String id = created.json().get("id").asText();
        assertThat(api.withToken(secret).get("/api/v1/users/me").status()).isEqualTo(200);
        assertThat(api.get("/api/v1/tokens").body()).contains(id).doesNotContain(secret);
        assertThat(api.delete("/api/v1/tokens/" + id).status()).isEqualTo(204);
        assertThat(api.withToken(secret).get("/api/v1/users/me").status()).isEqualTo(401);
        assertThat(api.get("/api/v1/audit?type=token.revoked").json().get("data")).hasSize(1);
    }
}

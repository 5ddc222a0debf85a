package io.waymark.server;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.waymark.Actor;
import io.waymark.Waymark;
import io.waymark.record.Record;
import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;
import io.waymark.store.testing.Team;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Who may call each route of the API, and who may not. For every route: the allowed call works;
 * without credentials, with an expired and with a revoked token it is 401; a user whose profile
 * lacks the permission gets 403; for record routes a user whose role cannot see the record gets
 * 404 (or sees nothing of it in a list); the admin of another organisation gets 404 for anything
 * named by id and never sees a trace of this organisation. Every denied call changes nothing:
 * each row of the organisation in every table (the audit log aside) is compared before and after.
 *
 * <p>A route without an entry fails {@link #everyRouteHasAMatrixEntry()}. To add one, add a line to
 * {@link #ENTRIES}: {@code route("POST /api/v1/things", f -> post("/api/v1/things", "{'name': 'x'}")).ok(201)},
 * with {@code .open()} if every user may call it, {@code .otherOrg(404)} if it names an object by
 * id, and {@code .hidden(404)} if it names a record that a low role must not see.
 */
class AuthorizationMatrixTest {

    /** What a route needs and what its callers must get. */
    static final class Entry {
        final String route;
        final Function<Fixture, Call> call;
        int ok = 200;
        boolean open;
        boolean isPublic;
        boolean session;
        int otherOrg;
        int hidden;
        boolean hiddenLeak;
        int forbidden = 403;

        Entry(String route, Function<Fixture, Call> call) {
            this.route = route;
            this.call = call;
        }

        /** The status of the allowed call. */
        Entry ok(int status) {
            this.ok = status;
            return this;
        }

        /** Every authenticated user may call it (no profile permission needed). */
        Entry open() {
            this.open = true;
            return this;
        }

        /** No credentials needed at all. */
        Entry publicRoute() {
            this.isPublic = true;
            return this;
        }

        /** The allowed call is made with a browser session (cookie and CSRF token) instead of a token. */
        Entry session() {
            this.session = true;
            return this;
        }

        /** The route names an object of this organisation: another organisation's admin gets this status. */
        Entry otherOrg(int status) {
            this.otherOrg = status;
            return this;
        }

        /** What a user without the permission gets, when not 403 (e.g. 404 for another user's token). */
        Entry forbidden(int status) {
            this.forbidden = status;
            return this;
        }

        /** The route names a record a rep cannot see: the rep gets this status. */
        Entry hidden(int status) {
            this.hidden = status;
            return this;
        }

        /** The route lists records: a rep gets 200 without the record they cannot see. */
        Entry hiddenFromList() {
            this.hiddenLeak = true;
            return this;
        }
    }

    record Call(String method, String path, String body) {
    }

    static Entry route(String route, Function<Fixture, Call> call) {
        return new Entry(route, call);
    }

    static Call get(String path) {
        return new Call("GET", path, null);
    }

    static Call post(String path, String body) {
        return new Call("POST", path, body);
    }

    static Call put(String path, String body) {
        return new Call("PUT", path, body);
    }

    static Call patch(String path, String body) {
        return new Call("PATCH", path, body);
    }

    static Call delete(String path) {
        return new Call("DELETE", path, null);
    }

    private static final String V1 = "/api/v1";

    static final List<Entry> ENTRIES = List.of(
            route("GET /health", f -> get("/health")).publicRoute(),
            route("GET /metrics", f -> get("/metrics")).publicRoute(),
            route("GET /api/v1/openapi.json", f -> get(V1 + "/openapi.json")).publicRoute(),

            route("GET /api/v1/modules", f -> get(V1 + "/modules")).open(),
            route("POST /api/v1/modules", f -> post(V1 + "/modules", "{'api_name': 'M" + f.unique() + "', 'singular_label': 'Thing', "
                    + "'fields': [{'api_name': 'Thing_Name', 'type': 'text'}]}")).ok(201),
            route("GET /api/v1/modules/{module}", f -> get(V1 + "/modules/Leads")).open(),
            route("POST /api/v1/modules/{module}/fields", f -> post(V1 + "/modules/Leads/fields", "{'api_name': 'F" + f.unique() + "', 'type': 'text'}"))
                    .ok(201),
            route("PATCH /api/v1/modules/{module}/fields/{field}", f -> patch(V1 + "/modules/Leads/fields/" + f.newField(), "{'label': 'Renamed'}")),
            route("DELETE /api/v1/modules/{module}/fields/{field}", f -> delete(V1 + "/modules/Leads/fields/" + f.newField())).ok(204),
            route("POST /api/v1/modules/{module}/fields/{field}/restore", f -> post(V1 + "/modules/Leads/fields/" + f.deletedField() + "/restore", null)),
            route("PUT /api/v1/modules/{module}/layouts/{layout}", f -> put(V1 + "/modules/Leads/layouts/L" + f.unique(),
                    "{'sections': [{'name': 'Basics', 'fields': ['Last_Name']}]}")),
            route("DELETE /api/v1/modules/{module}/layouts/{layout}", f -> delete(V1 + "/modules/Leads/layouts/" + f.newLayout())).ok(204),

            route("GET /api/v1/records/{module}/count", f -> get(V1 + "/records/Leads/count")).hiddenFromList(),
            route("GET /api/v1/records/{module}/export", f -> get(V1 + "/records/Leads/export")),
            route("POST /api/v1/records/{module}/transfer", f -> post(V1 + "/records/Leads/transfer",
                    "{'ids': ['" + f.hiddenLead + "'], 'owner': '" + f.team.manager.userId() + "'}")).otherOrg(400).hidden(400),
            route("GET /api/v1/records/{module}", f -> get(V1 + "/records/Leads")).hiddenFromList(),
            route("POST /api/v1/records/{module}", f -> post(V1 + "/records/Leads", "{'Last_Name': 'New'}")).ok(201),
            route("PATCH /api/v1/records/{module}", f -> patch(V1 + "/records/Leads", "[{'id': '" + f.hiddenLead + "', 'Company': 'Bulk'}]"))
                    .otherOrg(400).hidden(400),
            route("GET /api/v1/records/{module}/{id}", f -> get(V1 + "/records/Leads/" + f.hiddenLead)).otherOrg(404).hidden(404),
            route("PATCH /api/v1/records/{module}/{id}", f -> patch(V1 + "/records/Leads/" + f.hiddenLead, "{'Company': 'Changed'}"))
                    .otherOrg(404).hidden(404),
            route("DELETE /api/v1/records/{module}/{id}", f -> delete(V1 + "/records/Leads/" + f.newLead())).ok(204).otherOrg(404).hidden(404),
            route("GET /api/v1/records/{module}/{id}/related/{relatedModule}", f -> get(V1 + "/records/Accounts/" + f.account + "/related/Contacts"))
                    .otherOrg(404).hidden(404),
            route("GET /api/v1/records/{module}/{id}/timeline", f -> get(V1 + "/records/Leads/" + f.hiddenLead + "/timeline")).otherOrg(404).hidden(404),
            route("GET /api/v1/records/{module}/{id}/attachments", f -> get(V1 + "/records/Leads/" + f.hiddenLead + "/attachments"))
                    .otherOrg(404).hidden(404),
            route("POST /api/v1/records/{module}/{id}/attachments", f -> post(V1 + "/records/Leads/" + f.hiddenLead + "/attachments?file_name=a.json",
                    "{'a': 1}")).ok(201).otherOrg(404).hidden(404),
            route("GET /api/v1/records/{module}/{id}/attachments/{attachmentId}", f -> get(V1 + "/records/Leads/" + f.hiddenLead + "/attachments/"
                    + f.attachment())).otherOrg(404).hidden(404),
            route("GET /api/v1/records/{module}/{id}/attachments/{attachmentId}/content", f -> get(V1 + "/records/Leads/" + f.hiddenLead
                    + "/attachments/" + f.attachment() + "/content")).otherOrg(404).hidden(404),
            route("DELETE /api/v1/records/{module}/{id}/attachments/{attachmentId}", f -> delete(V1 + "/records/Leads/" + f.hiddenLead
                    + "/attachments/" + f.attachment())).ok(204).otherOrg(404).hidden(404),
            route("POST /api/v1/records/Leads/{id}/convert", f -> post(V1 + "/records/Leads/" + f.newLead() + "/convert", "{'account': false}"))
                    .otherOrg(404).hidden(404),

            route("POST /api/v1/signals", f -> post(V1 + "/signals", "{'type': 'web.visit', 'module': 'Leads', 'record_id': '" + f.hiddenLead + "'}"))
                    .ok(202).otherOrg(400),
            route("GET /api/v1/signals", f -> get(V1 + "/signals?record_id=" + f.hiddenLead)),

            route("POST /api/v1/sessions", f -> post(V1 + "/sessions", "{'email': '" + f.loginEmail + "', 'password': '" + Fixture.PASSWORD + "'}"))
                    .publicRoute().ok(201),
            route("GET /api/v1/sessions", f -> get(V1 + "/sessions")).open(),
            route("DELETE /api/v1/sessions/current", f -> delete(V1 + "/sessions/current")).open().session().ok(204),
            route("DELETE /api/v1/sessions/{id}", f -> delete(V1 + "/sessions/" + f.newSession())).ok(204).otherOrg(404).forbidden(404),
            route("GET /api/v1/tokens", f -> get(V1 + "/tokens")).open(),
            route("POST /api/v1/tokens", f -> post(V1 + "/tokens", "{'name': 'mine'}")).open().ok(201),
            route("DELETE /api/v1/tokens/{id}", f -> delete(V1 + "/tokens/" + f.newToken())).ok(204).otherOrg(404).forbidden(404),
            route("GET /api/v1/users", f -> get(V1 + "/users")).open(),
            route("POST /api/v1/users", f -> post(V1 + "/users", "{'email': 'u" + f.unique() + "@example.com', 'name': 'New user'}")).ok(201),
            route("GET /api/v1/users/me", f -> get(V1 + "/users/me")).open(),
            route("GET /api/v1/users/{id}", f -> get(V1 + "/users/" + f.team.rep2.userId())).open().otherOrg(404),
            route("PATCH /api/v1/users/{id}", f -> patch(V1 + "/users/" + f.team.rep2.userId(), "{'name': 'Renamed'}")).otherOrg(404),
            route("PUT /api/v1/users/{id}/password", f -> put(V1 + "/users/" + f.team.rep2.userId() + "/password", "{'password': 'a long new password'}"))
                    .ok(204).otherOrg(404),
            route("GET /api/v1/users/{id}/manager", f -> get(V1 + "/users/" + f.team.rep2.userId() + "/manager")).open().otherOrg(404),
            route("POST /api/v1/users/{id}/transfer-records", f -> post(V1 + "/users/" + f.team.rep2.userId() + "/transfer-records",
                    "{'to': '" + f.team.rep1.userId() + "', 'modules': ['Leads']}")).otherOrg(404),
            route("GET /api/v1/roles", f -> get(V1 + "/roles")).open(),
            route("POST /api/v1/roles", f -> post(V1 + "/roles", "{'name': 'R" + f.unique() + "', 'reports_to': '" + f.team.ceoRole + "'}")).ok(201),
            route("GET /api/v1/roles/{id}", f -> get(V1 + "/roles/" + f.team.repRole)).open().otherOrg(404),
            route("PATCH /api/v1/roles/{id}", f -> patch(V1 + "/roles/" + f.team.repRole, "{'share_with_peers': false}")).otherOrg(404),
            route("DELETE /api/v1/roles/{id}", f -> delete(V1 + "/roles/" + f.newRole())).ok(204).otherOrg(404),
            route("GET /api/v1/groups", f -> get(V1 + "/groups")).open(),
            route("POST /api/v1/groups", f -> post(V1 + "/groups", "{'name': 'G" + f.unique() + "'}")).ok(201),
            route("GET /api/v1/groups/{id}", f -> get(V1 + "/groups/" + f.group)).open().otherOrg(404),
            route("PATCH /api/v1/groups/{id}", f -> patch(V1 + "/groups/" + f.group, "{'members': ['" + f.team.rep1.userId() + "']}")).otherOrg(404),
            route("DELETE /api/v1/groups/{id}", f -> delete(V1 + "/groups/" + f.newGroup())).ok(204).otherOrg(404),
            route("GET /api/v1/profiles", f -> get(V1 + "/profiles")).open(),
            route("POST /api/v1/profiles", f -> post(V1 + "/profiles", "{'name': 'P" + f.unique() + "', 'permissions': {'modules': {'*': ['view']}}}"))
                    .ok(201),
            route("GET /api/v1/profiles/{id}", f -> get(V1 + "/profiles/" + f.team.nothingProfile)).open().otherOrg(404),
            route("PATCH /api/v1/profiles/{id}", f -> patch(V1 + "/profiles/" + f.team.nothingProfile, "{'permissions': {'modules': {'*': []}}}"))
                    .otherOrg(404),
            route("DELETE /api/v1/profiles/{id}", f -> delete(V1 + "/profiles/" + f.newProfile())).ok(204).otherOrg(404),
            route("GET /api/v1/sharing-rules", f -> get(V1 + "/sharing-rules")),
            route("POST /api/v1/sharing-rules", f -> post(V1 + "/sharing-rules", "{'module': 'Deals', 'grantee_type': 'group', 'grantee_id': '"
                    + f.group + "', 'access': 'read_only'}")).ok(201).otherOrg(400),
            route("DELETE /api/v1/sharing-rules/{id}", f -> delete(V1 + "/sharing-rules/" + f.newRule())).ok(204).otherOrg(404),
            route("GET /api/v1/audit", f -> get(V1 + "/audit")),

            route("GET /api/v1/workflow-rules", f -> get(V1 + "/workflow-rules")),
            route("POST /api/v1/workflow-rules", f -> post(V1 + "/workflow-rules", Fixture.rule("R" + f.unique()))).ok(201),
            route("GET /api/v1/workflow-rules/{id}", f -> get(V1 + "/workflow-rules/" + f.rule)).otherOrg(404),
            route("PATCH /api/v1/workflow-rules/{id}", f -> patch(V1 + "/workflow-rules/" + f.rule, "{'active': true}")).otherOrg(404),
            route("DELETE /api/v1/workflow-rules/{id}", f -> delete(V1 + "/workflow-rules/" + f.newWorkflowRule())).ok(204).otherOrg(404),
            route("GET /api/v1/workflow-rules/{id}/history", f -> get(V1 + "/workflow-rules/" + f.rule + "/history")).otherOrg(404),
            route("GET /api/v1/outbox", f -> get(V1 + "/outbox")),
            route("GET /api/v1/outbox/{id}", f -> get(V1 + "/outbox/" + f.outboxEntry())).otherOrg(404),
            route("POST /api/v1/outbox/{id}/retry", f -> post(V1 + "/outbox/" + f.failedOutboxEntry() + "/retry", null)).otherOrg(404),
            route("GET /api/v1/action-types", f -> get(V1 + "/action-types")).open(),

            route("GET /api/v1/email/templates", f -> get(V1 + "/email/templates")).open(),
            route("POST /api/v1/email/templates", f -> post(V1 + "/email/templates", Fixture.template("T" + f.unique()))).ok(201),
            route("GET /api/v1/email/templates/{id}", f -> get(V1 + "/email/templates/" + f.template)).open().otherOrg(404),
            route("PATCH /api/v1/email/templates/{id}", f -> patch(V1 + "/email/templates/" + f.template, "{'text': 'Hi {{Contacts.Last_Name}}'}"))
                    .otherOrg(404),
            route("DELETE /api/v1/email/templates/{id}", f -> delete(V1 + "/email/templates/" + f.newTemplate())).ok(204).otherOrg(404),
            route("POST /api/v1/email/templates/{id}/preview", f -> post(V1 + "/email/templates/" + f.template + "/preview",
                    "{'record_id': '" + f.contact + "'}")).open().otherOrg(404).hidden(404),
            route("POST /api/v1/email/send", f -> post(V1 + "/email/send", "{'template_id': '" + f.template + "', 'module': 'Contacts', 'record_id': '"
                    + f.contact + "'}")).ok(201).open().otherOrg(404).hidden(404),
            route("GET /api/v1/email/messages", f -> get(V1 + "/email/messages")),
            route("GET /api/v1/email/messages/{id}", f -> get(V1 + "/email/messages/" + f.message)).otherOrg(404),
            route("GET /api/v1/email/unsubscribes/{address}", f -> get(V1 + "/email/unsubscribes/" + f.unsubscribed)).otherOrg(404),
            route("DELETE /api/v1/email/unsubscribes/{address}", f -> delete(V1 + "/email/unsubscribes/" + f.newUnsubscribed())).ok(204).otherOrg(404),
            route("POST /api/v1/email/mailbox/poll", f -> post(V1 + "/email/mailbox/poll", null)).ok(409),

            route("GET /api/v1/webhooks", f -> get(V1 + "/webhooks")),
            route("POST /api/v1/webhooks", f -> post(V1 + "/webhooks", Fixture.webhook("H" + f.unique()))).ok(201),
            route("GET /api/v1/webhooks/{id}", f -> get(V1 + "/webhooks/" + f.webhook)).otherOrg(404),
            route("PATCH /api/v1/webhooks/{id}", f -> patch(V1 + "/webhooks/" + f.webhook, "{'name': 'Renamed hook'}")).otherOrg(404),
            route("DELETE /api/v1/webhooks/{id}", f -> delete(V1 + "/webhooks/" + f.newWebhook())).ok(204).otherOrg(404),
            // This machine reaches no public address: the call fails after its 200 ms timeout, a 502 that names it.
            route("POST /api/v1/webhooks/{id}/test", f -> post(V1 + "/webhooks/" + f.webhook + "/test", "{'module': 'Contacts', 'record_id': '"
                    + f.contact + "'}")).ok(502).otherOrg(404),
            route("GET /api/v1/signal-endpoints", f -> get(V1 + "/signal-endpoints")),
            route("POST /api/v1/signal-endpoints", f -> post(V1 + "/signal-endpoints", Fixture.endpoint("E" + f.unique()))).ok(201),
            route("GET /api/v1/signal-endpoints/{id}", f -> get(V1 + "/signal-endpoints/" + f.endpoint)).otherOrg(404),
            route("PATCH /api/v1/signal-endpoints/{id}", f -> patch(V1 + "/signal-endpoints/" + f.endpoint, "{'name': 'Renamed endpoint'}")).otherOrg(404),
            route("DELETE /api/v1/signal-endpoints/{id}", f -> delete(V1 + "/signal-endpoints/" + f.newEndpoint())).ok(204).otherOrg(404),
            route("GET /api/v1/forms", f -> get(V1 + "/forms")),
            route("POST /api/v1/forms", f -> post(V1 + "/forms", Fixture.form("W" + f.unique()))).ok(201),
            route("GET /api/v1/forms/{id}", f -> get(V1 + "/forms/" + f.form)).otherOrg(404),
            route("PATCH /api/v1/forms/{id}", f -> patch(V1 + "/forms/" + f.form, "{'title': 'Where next?'}")).otherOrg(404),
            route("DELETE /api/v1/forms/{id}", f -> delete(V1 + "/forms/" + f.newForm())).ok(204).otherOrg(404),

            route("GET /t/o/{token}", f -> get("/t/o/" + f.trackingToken("o"))).publicRoute(),
            route("GET /t/c/{token}", f -> get("/t/c/" + f.trackingToken("c"))).publicRoute().ok(302),
            route("GET /t/u/{token}", f -> get("/t/u/" + f.trackingToken("u"))).publicRoute(),
            route("POST /t/u/{token}", f -> post("/t/u/" + f.trackingToken("u"), null)).publicRoute(),
            route("GET /in/{id}", f -> get("/in/" + f.endpoint + "?key=" + f.endpointKey + "&email=asha@example.com")).publicRoute().ok(202),
            route("POST /in/{id}", f -> post("/in/" + f.endpoint + "?key=" + f.endpointKey + "&email=asha@example.com", null)).publicRoute().ok(202),
            route("GET /forms/{id}", f -> get("/forms/" + f.form)).publicRoute(),
            route("POST /forms/{id}", f -> post("/forms/" + f.form, "{'Last_Name': 'Patel', 'Email': 'u" + f.unique() + "@example.com'}"))
                    .publicRoute().ok(201),

            route("GET /api/v1/pathfinder/touchpoints", f -> get(V1 + "/pathfinder/touchpoints")),
            route("PUT /api/v1/pathfinder/touchpoints", f -> put(V1 + "/pathfinder/touchpoints", "{'touchpoints': [{'type': 'web.*'}]}")),
            route("POST /api/v1/pathfinder/live/map", f -> post(V1 + "/pathfinder/live/map", "{}")),
            route("POST /api/v1/pathfinder/live/compare", f -> post(V1 + "/pathfinder/live/compare", "{'a': {}, 'b': {}}")),
            route("GET /api/v1/pathfinder/datasets", f -> get(V1 + "/pathfinder/datasets")),
            route("POST /api/v1/pathfinder/datasets", f -> new Call("POST", V1 + "/pathfinder/datasets?name=D" + f.unique()
                    + "&format=csv&case=c&activity=a&timestamp=t", "c,a,t\n1,Visit,2026-01-01T10:00:00Z\n")).ok(201),
            route("GET /api/v1/pathfinder/datasets/{id}", f -> get(V1 + "/pathfinder/datasets/" + f.dataset)).otherOrg(404),
            route("DELETE /api/v1/pathfinder/datasets/{id}", f -> delete(V1 + "/pathfinder/datasets/" + f.newDataset())).ok(204).otherOrg(404),
            route("POST /api/v1/pathfinder/datasets/{id}/map", f -> post(V1 + "/pathfinder/datasets/" + f.dataset + "/map", "{}")).otherOrg(404),
            route("POST /api/v1/pathfinder/datasets/{id}/compare", f -> post(V1 + "/pathfinder/datasets/" + f.dataset + "/compare",
                    "{'a': {}, 'b': {}}")).otherOrg(404),

            route("GET /api/v1/journeys", f -> get(V1 + "/journeys")),
            route("POST /api/v1/journeys", f -> post(V1 + "/journeys", Fixture.journey("J" + f.unique()))).ok(201),
            route("POST /api/v1/journeys/validate", f -> post(V1 + "/journeys/validate", Fixture.journey("Checked"))),
            route("GET /api/v1/journeys/instances", f -> get(V1 + "/journeys/instances?subject=" + f.hiddenLead)),
            route("GET /api/v1/journeys/instances/{instance}", f -> get(V1 + "/journeys/instances/" + f.instance)).otherOrg(404),
            route("POST /api/v1/journeys/instances/{instance}/move", f -> post(V1 + "/journeys/instances/" + f.newInstance() + "/move",
                    "{'to': 'b', 'reason': 'phoned'}")).otherOrg(404),
            route("POST /api/v1/journeys/instances/{instance}/end", f -> post(V1 + "/journeys/instances/" + f.newInstance() + "/end",
                    "{'reason': 'duplicate'}")).otherOrg(404),
            route("GET /api/v1/journeys/{id}", f -> get(V1 + "/journeys/" + f.journey)).otherOrg(404),
            route("PUT /api/v1/journeys/{id}", f -> put(V1 + "/journeys/" + f.newJourney(false), Fixture.journey("Edited " + f.unique()))).otherOrg(404),
            route("DELETE /api/v1/journeys/{id}", f -> delete(V1 + "/journeys/" + f.newJourney(false))).ok(204).otherOrg(404),
            route("POST /api/v1/journeys/{id}/publish", f -> post(V1 + "/journeys/" + f.newJourney(false) + "/publish", null)).otherOrg(404),
            route("POST /api/v1/journeys/{id}/activate", f -> post(V1 + "/journeys/" + f.journey + "/activate", null)).otherOrg(404),
            route("POST /api/v1/journeys/{id}/deactivate", f -> post(V1 + "/journeys/" + f.newJourney(true) + "/deactivate", null)).otherOrg(404),
            route("GET /api/v1/journeys/{id}/versions/{version}", f -> get(V1 + "/journeys/" + f.journey + "/versions/1")).otherOrg(404),
            route("POST /api/v1/journeys/{id}/migrate", f -> post(V1 + "/journeys/" + f.twoVersionJourney() + "/migrate",
                    "{'from_version': 1, 'to_version': 2, 'mapping': {'a': 'a'}}")).otherOrg(404),
            route("POST /api/v1/journeys/{id}/enroll", f -> post(V1 + "/journeys/" + f.journey + "/enroll", "{'module': 'Leads', 'record_id': '"
                    + f.newLead() + "'}")).ok(201).otherOrg(404),
            route("POST /api/v1/journeys/{id}/simulate", f -> post(V1 + "/journeys/" + f.journey + "/simulate",
                    "{'state': 'a', 'signals': [{'type': 'email.opened'}]}")).otherOrg(404),
            route("GET /api/v1/journeys/{id}/instances", f -> get(V1 + "/journeys/" + f.journey + "/instances")).otherOrg(404),
            route("GET /api/v1/journeys/{id}/analytics", f -> get(V1 + "/journeys/" + f.journey + "/analytics")).otherOrg(404),
            route("GET /api/v1/blueprints", f -> get(V1 + "/blueprints")),
            route("POST /api/v1/blueprints", f -> post(V1 + "/blueprints", Fixture.blueprint("B" + f.unique(), "Contacted"))).ok(201),
            route("GET /api/v1/blueprints/{id}", f -> get(V1 + "/blueprints/" + f.blueprint)).otherOrg(404),
            route("PATCH /api/v1/blueprints/{id}", f -> patch(V1 + "/blueprints/" + f.blueprint, "{'active': true}")).otherOrg(404),
            route("DELETE /api/v1/blueprints/{id}", f -> delete(V1 + "/blueprints/" + f.newBlueprint())).ok(204).otherOrg(404),
            route("GET /api/v1/blueprints/{id}/versions/{version}", f -> get(V1 + "/blueprints/" + f.blueprint + "/versions/1")).otherOrg(404),
            route("POST /api/v1/blueprints/{id}/migrate", f -> post(V1 + "/blueprints/" + f.blueprint + "/migrate", "{'from_version': 1}"))
                    .otherOrg(404),
            route("GET /api/v1/records/{module}/{id}/blueprint", f -> get(V1 + "/records/Leads/" + f.leadInBlueprint() + "/blueprint"))
                    .otherOrg(404).hidden(404),
            route("POST /api/v1/records/{module}/{id}/blueprint/transitions/{transition}", f -> post(V1 + "/records/Leads/"
                    + f.leadInBlueprint() + "/blueprint/transitions/Contact", null)).otherOrg(404).hidden(404),
            route("GET /api/v1/approval-processes", f -> get(V1 + "/approval-processes")),
            route("POST /api/v1/approval-processes", f -> post(V1 + "/approval-processes", Fixture.approvalProcess("A" + f.unique(), f.team.ceoRole))).ok(201),
            route("GET /api/v1/approval-processes/{id}", f -> get(V1 + "/approval-processes/" + f.approvalProcess)).otherOrg(404),
            route("PATCH /api/v1/approval-processes/{id}", f -> patch(V1 + "/approval-processes/" + f.approvalProcess, "{'active': true}")).otherOrg(404),
            route("DELETE /api/v1/approval-processes/{id}", f -> delete(V1 + "/approval-processes/" + f.newApprovalProcess())).ok(204).otherOrg(404),
            route("GET /api/v1/approvals/{id}", f -> get(V1 + "/approvals/" + f.pendingApproval())).otherOrg(404).hidden(404).forbidden(404),
            route("POST /api/v1/approvals/{id}/approve", f -> post(V1 + "/approvals/" + f.pendingApproval() + "/approve", "{}")).otherOrg(404).hidden(404).forbidden(404),
            route("POST /api/v1/approvals/{id}/reject", f -> post(V1 + "/approvals/" + f.pendingApproval() + "/reject", "{'comment': 'no'}"))
                    .otherOrg(404).hidden(404).forbidden(404),
            route("POST /api/v1/approvals/{id}/delegate", f -> post(V1 + "/approvals/" + f.pendingApproval() + "/delegate",
                    "{'to': '" + f.team.manager.userId() + "'}")).otherOrg(404).hidden(404).forbidden(404),
            route("POST /api/v1/approvals/{id}/recall", f -> post(V1 + "/approvals/" + f.pendingApproval() + "/recall", "{}")).otherOrg(404).hidden(404).forbidden(404),
            route("GET /api/v1/records/{module}/{id}/approvals", f -> get(V1 + "/records/Leads/" + f.leadWithApproval() + "/approvals"))
                    .otherOrg(404).hidden(404),
            route("GET /api/v1/review-processes", f -> get(V1 + "/review-processes")),
            route("POST /api/v1/review-processes", f -> post(V1 + "/review-processes", Fixture.reviewProcess("R" + f.unique(), f.team.ceoRole))).ok(201),
            route("GET /api/v1/review-processes/{id}", f -> get(V1 + "/review-processes/" + f.reviewProcess)).otherOrg(404),
            route("PATCH /api/v1/review-processes/{id}", f -> patch(V1 + "/review-processes/" + f.reviewProcess, "{'active': true}")).otherOrg(404),
            route("DELETE /api/v1/review-processes/{id}", f -> delete(V1 + "/review-processes/" + f.newReviewProcess())).ok(204).otherOrg(404),
            route("GET /api/v1/reviews", f -> get(V1 + "/reviews")).open(),
            route("GET /api/v1/reviews/{id}", f -> get(V1 + "/reviews/" + f.pendingReview())).otherOrg(404).hidden(404).forbidden(404),
            route("POST /api/v1/reviews/{id}/decision", f -> post(V1 + "/reviews/" + f.pendingReview() + "/decision",
                    "{'verdicts': {'Last_Name': {'verdict': 'rejected', 'reason': 'a made-up name'}}}")).otherOrg(404).hidden(404).forbidden(404),
            route("POST /api/v1/reviews/{id}/resubmit", f -> post(V1 + "/reviews/" + f.rejectedReview() + "/resubmit", "{}"))
                    .otherOrg(404).hidden(404).forbidden(404),
            route("GET /api/v1/records/{module}/{id}/review", f -> get(V1 + "/records/Leads/" + f.leadUnderReview() + "/review"))
                    .otherOrg(404).hidden(404),
            route("GET /api/v1/my-jobs", f -> get(V1 + "/my-jobs")).open(),
            route("GET /api/v1/records/{module}/{id}/blueprint/history", f -> get(V1 + "/records/Leads/" + f.leadInBlueprint() + "/blueprint/history"))
                    .otherOrg(404).hidden(404),
            route("GET /api/v1/cadences", f -> get(V1 + "/cadences")),
            route("POST /api/v1/cadences", f -> post(V1 + "/cadences", Fixture.cadence("C" + f.unique()))).ok(201),
            route("GET /api/v1/cadences/enrollments/{enrollment}", f -> get(V1 + "/cadences/enrollments/" + f.enrollment)).otherOrg(404),
            route("POST /api/v1/cadences/enrollments/{enrollment}/unenroll", f -> post(V1 + "/cadences/enrollments/" + f.newEnrollment(false)
                    + "/unenroll", null)).otherOrg(404),
            route("POST /api/v1/cadences/enrollments/{enrollment}/pause", f -> post(V1 + "/cadences/enrollments/" + f.newEnrollment(false)
                    + "/pause", null)).otherOrg(404),
            route("POST /api/v1/cadences/enrollments/{enrollment}/resume", f -> post(V1 + "/cadences/enrollments/" + f.newEnrollment(true)
                    + "/resume", null)).otherOrg(404),
            route("POST /api/v1/cadences/enrollments/{enrollment}/calls/{follow_up}", f -> post(V1 + "/cadences/enrollments/" + f.newCallEnrollment()
                    + "/calls/call", "{'outcome': 'Interested'}")).otherOrg(404),
            route("POST /api/v1/cadences/{id}/pause", f -> post(V1 + "/cadences/" + f.newCadenceOn("Contacts", true) + "/pause", null)).otherOrg(404),
            route("POST /api/v1/cadences/{id}/resume", f -> post(V1 + "/cadences/" + f.newPausedCadence() + "/resume", null)).otherOrg(404),
            route("POST /api/v1/cadences/{id}/migrate", f -> post(V1 + "/cadences/" + f.twoVersionCadence() + "/migrate",
                    "{'from_version': 1, 'to_version': 2, 'mapping': {'a': 'a'}}")).otherOrg(404),
            route("GET /api/v1/cadences/{id}", f -> get(V1 + "/cadences/" + f.cadence)).otherOrg(404),
            route("PUT /api/v1/cadences/{id}", f -> put(V1 + "/cadences/" + f.newCadence(false), Fixture.cadence("Edited " + f.unique()))).otherOrg(404),
            route("POST /api/v1/cadences/{id}/publish", f -> post(V1 + "/cadences/" + f.newCadence(false) + "/publish", null)).otherOrg(404),
            route("GET /api/v1/cadences/{id}/versions/{version}", f -> get(V1 + "/cadences/" + f.cadence + "/versions/1")).otherOrg(404),
            route("POST /api/v1/cadences/{id}/enroll", f -> post(V1 + "/cadences/" + f.cadence + "/enroll", "{'record_ids': ['"
                    + f.newLead() + "']}")).otherOrg(404),
            route("GET /api/v1/cadences/{id}/enrollments", f -> get(V1 + "/cadences/" + f.cadence + "/enrollments")).otherOrg(404),
            route("GET /api/v1/cadences/{id}/analytics", f -> get(V1 + "/cadences/" + f.cadence + "/analytics")).otherOrg(404),

            route("GET /api/v1/kiosks", f -> get(V1 + "/kiosks")).open(),
            route("POST /api/v1/kiosks", f -> post(V1 + "/kiosks", Fixture.kiosk("K" + f.unique()))).ok(201),
            route("GET /api/v1/kiosks/{id}", f -> get(V1 + "/kiosks/" + f.kiosk)).open().otherOrg(404),
            route("PUT /api/v1/kiosks/{id}", f -> put(V1 + "/kiosks/" + f.kiosk, Fixture.kiosk("Lead desk"))).otherOrg(404),
            route("PATCH /api/v1/kiosks/{id}", f -> patch(V1 + "/kiosks/" + f.kiosk, "{'active': true}")).otherOrg(404),
            route("GET /api/v1/kiosks/{id}/versions", f -> get(V1 + "/kiosks/" + f.kiosk + "/versions")).open().otherOrg(404),
            route("POST /api/v1/kiosks/{id}/runs", f -> post(V1 + "/kiosks/" + f.kiosk + "/runs", "{'record_id': '" + f.hiddenLead + "'}"))
                    .ok(201).otherOrg(404).hidden(404),
            route("GET /api/v1/kiosk-runs/{id}", f -> get(V1 + "/kiosk-runs/" + f.newKioskRun())).open().otherOrg(404),
            route("POST /api/v1/kiosk-runs/{id}/submit", f -> post(V1 + "/kiosk-runs/" + f.newKioskRun() + "/submit", "{'button': 'done'}"))
                    .open().otherOrg(404),
            route("DELETE /api/v1/kiosk-runs/{id}", f -> delete(V1 + "/kiosk-runs/" + f.newKioskRun())).ok(204).open().otherOrg(404),

            route("GET /api/v1/wizards", f -> get(V1 + "/wizards")).open(),
            route("POST /api/v1/wizards", f -> post(V1 + "/wizards", Fixture.wizard("W" + f.unique()))).ok(201),
            route("GET /api/v1/wizards/{id}", f -> get(V1 + "/wizards/" + f.wizard)).open().otherOrg(404),
            route("PUT /api/v1/wizards/{id}", f -> put(V1 + "/wizards/" + f.wizard, Fixture.wizard("New lead"))).otherOrg(404),
            route("PATCH /api/v1/wizards/{id}", f -> patch(V1 + "/wizards/" + f.wizard, "{'active': true}")).otherOrg(404),
            route("POST /api/v1/wizards/{id}/runs", f -> post(V1 + "/wizards/" + f.wizard + "/runs", "{}")).ok(201).otherOrg(404),
            route("GET /api/v1/wizard-runs", f -> get(V1 + "/wizard-runs")).open(),
            route("GET /api/v1/wizard-runs/{id}", f -> get(V1 + "/wizard-runs/" + f.newWizardRun())).open().otherOrg(404),
            route("POST /api/v1/wizard-runs/{id}/submit", f -> post(V1 + "/wizard-runs/" + f.newWizardRun() + "/submit",
                    "{'button': 'save_draft', 'values': {'Last_Name': 'Drafted'}}")).open().otherOrg(404),
            route("DELETE /api/v1/wizard-runs/{id}", f -> delete(V1 + "/wizard-runs/" + f.newWizardRun())).ok(204).open().otherOrg(404));

    /** The organisation under test, its team and objects, and every kind of caller. */
    static final class Fixture {
        static final String PASSWORD = "matrix password 1";
        final Api admin;
        final Api rep;
        final Api nobody;
        final Api other;
        final Api expired;
        final Api revoked;
        final Api anonymous;
        final Waymark engine;
        final Team team;
        final UUID hiddenLead;
        final UUID account;
        final UUID group;
        final String loginEmail;
        final UUID kiosk;
        final UUID rule;
        final UUID contact;
        final UUID template;
        final UUID message;
        final String unsubscribed;
        final UUID webhook;
        final UUID endpoint;
        final String endpointKey;
        final UUID form;
        final UUID dataset;
        final UUID journey;
        final UUID instance;
        final UUID blueprint;
        final UUID approvalProcess;
        final UUID reviewProcess;
        final UUID cadence;
        final UUID enrollment;
        final UUID wizard;
        final List<String> markers = new ArrayList<>();
        private final AtomicInteger counter = new AtomicInteger();

        Fixture(Api api) {
            admin = api;
            engine = api.running().engine();
            team = Team.of(engine, api.admin());
            rep = api.withToken(engine.users().createToken(team.rep1, json("{'name': 'rep'}")).secret());
            nobody = api.withToken(engine.users().createToken(team.nobody, json("{'name': 'nobody'}")).secret());
            String expiring = engine.users().createToken(api.admin(), json("{'name': 'soon', 'expires_at': '2026-01-05T09:30:00Z'}")).secret();
            var old = engine.users().createToken(api.admin(), json("{'name': 'old'}"));
            engine.users().revokeToken(api.admin(), old.token().id());
            expired = api.withToken(expiring);
            revoked = api.withToken(old.secret());
            anonymous = api.withToken(null);
            other = api.otherOrg();
            api.clock().advance(Duration.ofHours(1));
            Record lead = engine.records().create(api.admin(), "Leads", json("{'Last_Name': 'ZZSECRETA', 'Company': 'Hidden Co'}"));
            hiddenLead = lead.id();
            account = engine.records().create(api.admin(), "Accounts", json("{'Account_Name': 'ZZSECRETACCOUNT'}")).id();
            engine.records().create(api.admin(), "Contacts", json("{'Last_Name': 'ZZSECRETCONTACT', 'Account_Name': '" + account + "'}"));
            group = engine.groups().create(api.admin(), json("{'name': 'Approvers'}")).id();
            loginEmail = "login@example.com";
            engine.users().create(api.admin(), json("{'email': '" + loginEmail + "', 'name': 'Login', 'password': '" + PASSWORD + "', 'role': '"
                    + team.repRole + "'}"));
            rule = newWorkflowRule();
            contact = engine.records().create(api.admin(), "Contacts", json("{'Last_Name': 'ZZSECRETMAIL', 'Email': 'asha@example.com'}")).id();
            template = newTemplate();
            message = send(contact).id();
            unsubscribed = newUnsubscribed();
            webhook = newWebhook();
            var ep = engine.signalEndpoints().create(api.admin(), json(endpoint("Chat")));
            endpoint = ep.id();
            endpointKey = ep.secret();
            form = newForm();
            dataset = newDataset();
            journey = newJourney(true);
            instance = newInstance();
            // A blueprint on Leads at version 2 (so that version 1 can be migrated); new leads in state New enter it.
            blueprint = UUID.fromString(engine.blueprints().create(api.admin(), json(blueprint("Lead flow", "Contacted"))).get("id").asText());
            approvalProcess = UUID.fromString(engine.approvals().create(api.admin(), json(approvalProcess("Big deals", team.ceoRole))).get("id").asText());
            reviewProcess = UUID.fromString(engine.reviews().create(api.admin(), json(reviewProcess("Reviewed leads", team.ceoRole))).get("id").asText());
            engine.blueprints().update(api.admin(), blueprint, json("{'active': true, 'transitions': [{'name': 'Contact', 'from': 'New', 'to': 'Contacted'},"
                    + " {'name': 'Lose', 'from': 'Contacted', 'to': 'Lost Lead'}]}"));
            cadence = newCadence(true);
            enrollment = newEnrollment(false);
            kiosk = UUID.fromString(engine.kiosks().create(api.admin(), json(kiosk("Lead desk"))).get("id").asText());
            wizard = UUID.fromString(engine.wizards().create(api.admin(), json(wizard("New lead"))).get("id").asText());
            markers.addAll(List.of("ZZSECRETA", "ZZSECRETACCOUNT", "ZZSECRETCONTACT", hiddenLead.toString(), account.toString(),
                    api.admin().orgId().toString(), api.admin().userId().toString(), team.rep1.userId().toString(), team.repRole.toString()));
        }

        static String rule(String name) {
            return "{'name': '" + name + "', 'module': 'Deals', 'trigger': {'type': 'create'}, 'rules': [{'actions': ["
                    + "{'type': 'field_update', 'config': {'field': 'Probability', 'value': 10}}]}]}";
        }

        /** Leads of "Approval Co" need the admin's approval (the admin's leads are hidden from reps). */
        static String approvalProcess(String name, UUID role) {
            return "{'name': '" + name + "', 'module': 'Leads', 'trigger': ['create'], 'criteria': '(Company:equals:Approval Co)',"
                    + " 'steps': [{'approvers': [{'type': 'role', 'id': '" + role + "'}]}]}";
        }

        UUID newApprovalProcess() {
            return UUID.fromString(engine.approvals().create(admin.admin(), json(approvalProcess("A" + unique(), team.ceoRole)))
                    .get("id").asText());
        }

        UUID leadWithApproval() {
            return engine.records().create(admin.admin(), "Leads", json("{'Last_Name': 'Needs approval', 'Company': 'Approval Co'}")).id();
        }

        /** A pending request on a new lead of the admin's, which the admin (CEO role) approves. */
        UUID pendingApproval() {
            UUID lead = leadWithApproval();
            return UUID.fromString(engine.approvals().ofRecord(admin.admin(), "Leads", lead).get(0).get("id").asText());
        }

        /** Leads of "Review Co" created through the API are held for review by the CEO role (the admin). */
        static String reviewProcess(String name, UUID role) {
            return "{'name': '" + name + "', 'module': 'Leads', 'sources': ['api'], 'criteria': '(Company:equals:Review Co)',"
                    + " 'reviewers': [{'type': 'role', 'id': '" + role + "'}]}";
        }

        UUID newReviewProcess() {
            return UUID.fromString(engine.reviews().create(admin.admin(), json("{'name': 'R" + unique() + "', 'module': 'Leads', 'sources': ['form'],"
                    + " 'active': false, 'reviewers': [{'type': 'role', 'id': '" + team.ceoRole + "'}]}")).get("id").asText());
        }

        /** A new attachment of the hidden lead, added by the admin. */
        UUID attachment() {
            return engine.attachments().add(admin.admin(), "Leads", hiddenLead, "passport.txt", "text/plain",
                    "K1234567".getBytes(java.nio.charset.StandardCharsets.UTF_8)).id();
        }

        UUID leadUnderReview() {
            return engine.records().create(admin.admin(), "Leads", json("{'Last_Name': 'Under review', 'Company': 'Review Co'}")).id();
        }

        /** A pending review of a new lead of the admin's, which the admin (CEO role) reviews. */
        UUID pendingReview() {
            return UUID.fromString(engine.reviews().ofRecord(admin.admin(), "Leads", leadUnderReview()).get("id").asText());
        }

        /** A review the admin rejected, waiting for the admin (its submitter) to resubmit. */
        UUID rejectedReview() {
            UUID id = pendingReview();
            engine.reviews().decide(admin.admin(), id, json("{'verdicts': {'Company': {'verdict': 'rejected', 'reason': 'check it'}}}"));
            return id;
        }

        static String blueprint(String name, String to) {
            return "{'name': '" + name + "', 'module': 'Leads', 'field': 'Lead_Status', 'transitions': [{'name': 'Contact', 'from': 'New', 'to': '"
                    + to + "'}, {'name': 'Drop', 'from': '" + to + "', 'to': 'Junk Lead'}], 'active': false}";
        }

        UUID newBlueprint() {
            return UUID.fromString(engine.blueprints().create(admin.admin(), json(blueprint("B" + unique(), "Contacted"))).get("id").asText());
        }

        /** A lead of the admin's (hidden from reps) that entered the Leads blueprint in state New. */
        UUID leadInBlueprint() {
            return engine.records().create(admin.admin(), "Leads", json("{'Last_Name': 'Flowing', 'Lead_Status': 'New'}")).id();
        }

        UUID newWorkflowRule() {
            return UUID.fromString(engine.workflowRules().create(admin.admin(), json(rule("R" + unique()))).get("id").asText());
        }

        /** A pending entry: an update of a lead that nobody has run yet. */
        UUID outboxEntry() {
            return enqueue(newLead());
        }

        /** An entry that failed for good: the lead it updates was deleted before it ran. */
        UUID failedOutboxEntry() {
            UUID lead = newLead();
            engine.records().delete(admin.admin(), "Leads", lead, null);
            UUID id = enqueue(lead);
            engine.outbox().runDue();
            return id;
        }

        private UUID enqueue(UUID lead) {
            var action = new io.waymark.action.ActionDefinition("field_update", (com.fasterxml.jackson.databind.node.ObjectNode)
                    json("{'field': 'Company', 'value': 'Queued'}"));
            return engine.outbox().enqueue(List.of(new io.waymark.action.Outbox.NewAction(admin.admin().orgId(), "matrix", action, "Leads",
                    lead, lead.toString(), null, 0))).get(0).id();
        }

        static String template(String name) {
            return "{'name': '" + name + "', 'module': 'Contacts', 'subject': 'Hello {{Contacts.Last_Name}}',"
                    + " 'html': '<p>Hi</p><a href=\\\"https://zylker.com/bali\\\">Bali</a>'}";
        }

        static String webhook(String name) {
            return "{'name': '" + name + "', 'module': 'Contacts', 'url': 'https://93.184.216.34/hook', 'timeout_ms': 200}";
        }

        static String endpoint(String name) {
            return "{'name': '" + name + "', 'signal_type': 'chat.started', 'params': [{'name': 'email', 'type': 'email', 'required': true}]}";
        }

        static String form(String name) {
            return "{'name': '" + name + "', 'title': 'Where to?', 'module': 'Leads', 'match_field': 'Email',"
                    + " 'fields': [{'field': 'Last_Name', 'required': true}, {'field': 'Email', 'required': true}]}";
        }

        UUID newTemplate() {
            return engine.email().templates().create(admin.admin(), json(template("T" + unique()))).id();
        }

        io.waymark.email.EmailMessage send(UUID to) {
            return engine.email().send(admin.admin(), new io.waymark.email.Email.SendRequest(template, "Contacts", to, null, null));
        }

        /** An address that unsubscribed through the link of a message sent to it. */
        String newUnsubscribed() {
            String address = "gone" + unique().toLowerCase() + "@example.com";
            UUID c = engine.records().create(admin.admin(), "Contacts", json("{'Last_Name': 'Gone', 'Email': '" + address + "'}")).id();
            assertThat(engine.email().unsubscribe(token(send(c), "u"))).isTrue();
            return address;
        }

        String trackingToken(String kind) {
            return token(send(contact), kind);
        }

        private static String token(io.waymark.email.EmailMessage m, String kind) {
            java.util.regex.Matcher x = java.util.regex.Pattern.compile("/t/" + kind + "/([A-Za-z0-9_-]+)").matcher(m.html());
            assertThat(x.find()).as("a /t/" + kind + "/ link in " + m.html()).isTrue();
            return x.group(1);
        }

        UUID newWebhook() {
            return engine.webhooks().create(admin.admin(), json(webhook("H" + unique()))).id();
        }

        UUID newEndpoint() {
            return engine.signalEndpoints().create(admin.admin(), json(endpoint("E" + unique()))).id();
        }

        static String journey(String name) {
            return "{'name': '" + name + "', 'entry': [{'type': 'api'}], 'states': [{'key': 'a', 'module': 'Leads',"
                    + " 'transitions': [{'signal': 'email.opened', 'to': 'b'}]}, {'key': 'b', 'module': 'Leads',"
                    + " 'transitions': [{'signal': 'email.clicked', 'to': 'c'}]}, {'key': 'c', 'end': 'success'}]}";
        }

        UUID newJourney(boolean published) {
            UUID id = UUID.fromString(engine.journeys().create(admin.admin(), json(journey("J" + unique()))).get("id").asText());
            if (published) {
                engine.journeys().publish(admin.admin(), id);
            }
            return id;
        }

        static String cadence(String name) {
            return "{'name': '" + name + "', 'module': 'Leads', 'follow_ups': [{'key': 'a', 'type': 'task', 'subject': 'Call back', 'after': {'days': 1}}]}";
        }

        UUID newCadence(boolean published) {
            UUID id = UUID.fromString(engine.cadences().create(admin.admin(), json(cadence("C" + unique()))).get("id").asText());
            if (published) {
                engine.cadences().publish(admin.admin(), id);
            }
            return id;
        }

        private UUID callCadence;

        /** A cadence on another module than the fixture's, so that these do not count against the Leads limit of active cadences. */
        UUID newCadenceOn(String module, boolean published) {
            UUID id = UUID.fromString(engine.cadences().create(admin.admin(), json(cadence("C" + unique()).replace("'Leads'", "'" + module + "'")))
                    .get("id").asText());
            if (published) {
                engine.cadences().publish(admin.admin(), id);
            }
            return id;
        }

        UUID newPausedCadence() {
            UUID id = newCadenceOn("Contacts", false);
            engine.cadences().setCadencePaused(admin.admin(), id, true);
            engine.cadences().publish(admin.admin(), id);
            return id;
        }

        UUID twoVersionCadence() {
            UUID id = newCadenceOn("Deals", true);
            engine.cadences().update(admin.admin(), id, json(cadence("C" + unique()).replace("'Leads'", "'Deals'")), null);
            engine.cadences().publish(admin.admin(), id);
            return id;
        }

        /** An enrollment whose call follow-up has been scheduled. */
        UUID newCallEnrollment() {
            if (callCadence == null) {
                callCadence = UUID.fromString(engine.cadences().create(admin.admin(), json("{'name': 'Calls " + unique() + "', 'module': 'Leads',"
                        + " 'follow_ups': [{'key': 'call', 'type': 'call', 'subject': 'Call'}]}")).get("id").asText());
                engine.cadences().publish(admin.admin(), callCadence);
            }
            UUID id = UUID.fromString(engine.cadences().enroll(admin.admin(), callCadence, json("{'record_ids': ['" + newLead() + "']}"))
                    .get("enrolled").get(0).get("id").asText());
            engine.runPending();
            return id;
        }

        UUID newEnrollment(boolean paused) {
            UUID id = UUID.fromString(engine.cadences().enroll(admin.admin(), cadence, json("{'record_ids': ['" + newLead() + "']}"))
                    .get("enrolled").get(0).get("id").asText());
            if (paused) {
                engine.cadences().setPaused(admin.admin(), id, true);
            }
            return id;
        }

        UUID twoVersionJourney() {
            UUID id = newJourney(true);
            engine.journeys().update(admin.admin(), id, json(journey("J" + unique())), null);
            engine.journeys().publish(admin.admin(), id);
            return id;
        }

        UUID newInstance() {
            return UUID.fromString(engine.journeys().enroll(admin.admin(), journey, json("{'module': 'Leads', 'record_id': '" + newLead() + "'}"))
                    .get("id").asText());
        }

        UUID newDataset() {
            byte[] csv = "c,a,t\n1,Visit,2026-01-01T10:00:00Z\n1,Book,2026-01-02T10:00:00Z\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            return engine.pathFinder().importLog(admin.admin(), "D" + unique(), new io.waymark.pathfinder.PathFinder.Csv(
                    new io.waymark.pathfinder.CsvMapping("c", "a", "t", null, ',')), new java.io.ByteArrayInputStream(csv)).id();
        }

        UUID newForm() {
            return engine.webForms().create(admin.admin(), json(form("W" + unique()))).id();
        }

        static String kiosk(String name) {
            return "{'name': '" + name + "', 'context_module': 'Leads', 'start': 's', 'elements': [{'id': 's', 'type': 'screen', 'components': ["
                    + "{'type': 'text', 'text': 'Lead {{record.Last_Name}}'}, {'type': 'button', 'name': 'done', 'next': 'e'}]},"
                    + " {'id': 'e', 'type': 'end', 'message': 'Done'}]}";
        }

        static String wizard(String name) {
            return "{'name': '" + name + "', 'module': 'Leads', 'mode': 'create', 'screens': [{'id': 'a', 'buttons': ['save', 'save_draft'],"
                    + " 'sections': [{'name': 'Who', 'fields': ['Last_Name', 'Company']}]}]}";
        }

        UUID newKioskRun() {
            return UUID.fromString(engine.kiosks().start(admin.admin(), kiosk, json("{'record_id': '" + hiddenLead + "'}")).get("id").asText());
        }

        UUID newWizardRun() {
            return UUID.fromString(engine.wizards().start(admin.admin(), wizard, json("{}")).get("id").asText());
        }

        String unique() {
            return "X" + counter.incrementAndGet();
        }

        UUID newLead() {
            return engine.records().create(admin.admin(), "Leads", json("{'Last_Name': 'Disposable'}")).id();
        }

        String newField() {
            String name = "F" + unique();
            engine.metadata().addField(admin.admin(), "Leads", json("{'api_name': '" + name + "', 'type': 'text'}"));
            return name;
        }

        String deletedField() {
            String name = newField();
            engine.metadata().deleteField(admin.admin(), "Leads", name);
            return name;
        }

        String newLayout() {
            String name = "L" + unique();
            engine.metadata().saveLayout(admin.admin(), "Leads", json("{'name': '" + name + "', 'sections': [{'name': 'B', 'fields': ['Last_Name']}]}"));
            return name;
        }

        UUID newSession() {
            return engine.users().login(loginEmail, PASSWORD, null).sessionId();
        }

        UUID newToken() {
            return engine.users().createToken(team.rep2, json("{'name': 'disposable'}")).token().id();
        }

        UUID newRole() {
            return engine.roles().create(admin.admin(), json("{'name': 'R" + unique() + "'}")).id();
        }

        UUID newGroup() {
            return engine.groups().create(admin.admin(), json("{'name': 'G" + unique() + "'}")).id();
        }

        UUID newProfile() {
            return engine.profiles().create(admin.admin(), json("{'name': 'P" + unique() + "', 'permissions': {}}")).id();
        }

        UUID newRule() {
            return engine.sharingRules().create(admin.admin(), json("{'module': 'Cases', 'grantee_type': 'group', 'grantee_id': '" + group
                    + "', 'access': 'read_only'}")).id();
        }

        Api.Response send(Api as, Call c) {
            return as.send(c.method(), c.path(), c.body());
        }

        Api.Response sendAsSession(Call c) {
            Actor a = new Actor(admin.admin().orgId(), admin.admin().userId());
            var login = engine.users().login(loginEmail, PASSWORD, null);
            assertThat(login.actor().orgId()).isEqualTo(a.orgId());
            return anonymous.send(c.method(), c.path(), c.body(), "Cookie", Authentication.SESSION_COOKIE + "=" + login.secret(),
                    Authentication.CSRF_HEADER, login.csrfToken());
        }

        /** Every row of the organisation in every table that has an org_id (the audit log aside), and its org row. */
        String state() {
            DataSource ds = admin.running().store().dataSource();
            UUID org = admin.admin().orgId();
            StringBuilder out = new StringBuilder();
            try (Connection c = ds.getConnection()) {
                List<String> tables = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT table_name FROM information_schema.columns "
                        + "WHERE LOWER(column_name) = 'org_id' AND LOWER(table_schema) = 'public' ORDER BY table_name");
                     ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        tables.add(rs.getString(1));
                    }
                }
                assertThat(tables).contains("users", "signals", "id_roles");
                tables.remove("id_audit");
                for (String t : tables) {
                    String rows = rows(c, "SELECT * FROM " + t + " WHERE org_id = ?", org);
                    // Another organisation's new module adds a table: only rows count.
                    if (!rows.equals("[]")) {
                        out.append(t).append(rows);
                    }
                }
                out.append("orgs").append(rows(c, "SELECT * FROM orgs WHERE id = ?", org));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            return out.toString();
        }

        private static String rows(Connection c, String sql, UUID org) throws SQLException {
            TreeSet<String> rows = new TreeSet<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setObject(1, org);
                try (ResultSet rs = ps.executeQuery()) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        StringBuilder row = new StringBuilder();
                        for (int i = 1; i <= n; i++) {
                            Object v = rs.getObject(i);
                            // Binary columns (a dataset's log) compare by content, not by the array's identity.
                            String text = v instanceof byte[] b ? java.util.Base64.getEncoder().encodeToString(b) : rs.getString(i);
                            row.append(rs.getMetaData().getColumnName(i)).append('=').append(text).append(';');
                        }
                        rows.add(row.toString());
                    }
                }
            }
            return rows.toString();
        }
    }

    @Test
    void everyRouteHasAMatrixEntry() {
        List<String> entries = ENTRIES.stream().map(e -> e.route).toList();
        assertThat(entries).as("each route once").doesNotHaveDuplicates();
        assertThat(entries).as("a matrix entry for every route of WaymarkServer.routes() (add one to ENTRIES), and none for a route that is gone")
                .containsExactlyInAnyOrderElementsOf(WaymarkServer.routes());
    }

    @BothServers
    void everyRouteAllowsWhomItShouldAndDeniesEveryoneElseWithoutChangingAnything(Api api) {
        Fixture f = new Fixture(api);
        Map<String, String> failures = new LinkedHashMap<>();
        for (Entry e : ENTRIES) {
            try {
                check(f, e, failures);
            } catch (RuntimeException | AssertionError ex) {
                failures.put(e.route, "threw " + ex);
            }
        }
        assertThat(failures).as(failures.entrySet().stream().map(x -> x.getKey() + ": " + x.getValue()).collect(Collectors.joining("\n"))).isEmpty();
    }

    /** Where two state snapshots part, with a little context, so a failure says what changed. */
    static String firstDifference(String before, String after) {
        int i = 0;
        while (i < before.length() && i < after.length() && before.charAt(i) == after.charAt(i)) {
            i++;
        }
        int from = Math.max(0, i - 200);
        return "before …" + before.substring(from, Math.min(before.length(), i + 200)) + "… after …" + after.substring(from, Math.min(after.length(), i + 200)) + "…";
    }

    private static void check(Fixture f, Entry e, Map<String, String> failures) {
        Call call = e.call.apply(f);
        if (!e.isPublic) {
            // One snapshot before and one after all denied calls: a change by any of them shows.
            String before = f.state();
            denied(f, e, call, "no credentials", f.anonymous, 401, failures);
            denied(f, e, call, "an expired token", f.expired, 401, failures);
            denied(f, e, call, "a revoked token", f.revoked, 401, failures);
            if (!e.open) {
                denied(f, e, call, "a user without the permission", f.nobody, e.forbidden, failures);
            }
            if (e.hidden != 0) {
                denied(f, e, call, "a user whose role cannot see the record", f.rep, e.hidden, failures);
            }
            if (e.hiddenLeak) {
                Api.Response r = f.send(f.rep, call);
                if (r.status() != 200 || r.body().contains(f.hiddenLead.toString()) || r.body().contains("ZZSECRETA")
                        || call.path().endsWith("/count") && r.json().get("count").asLong() != 0) {
                    failures.put(e.route, "a rep saw a record of a higher role: " + r);
                }
            }
            Api.Response r = f.send(f.other, call);
            if (e.otherOrg != 0 && r.status() != e.otherOrg) {
                failures.put(e.route, "another organisation's admin got " + r + ", expected " + e.otherOrg);
            }
            for (String m : f.markers) {
                // An id the caller sent may be echoed back ("no record has id …"); anything else is a leak.
                if (r.body().contains(m) && !call.path().contains(m) && (call.body() == null || !call.body().contains(m))) {
                    failures.put(e.route, "another organisation's admin saw " + m + " in " + r);
                }
            }
            String after = f.state();
            if (!before.equals(after)) {
                failures.merge(e.route, "a denied call (see the callers above) changed this organisation: " + firstDifference(before, after),
                        (a, b) -> a + "; " + b);
            }
        }
        Call fresh = e.call.apply(f);
        Api.Response ok = e.session ? f.sendAsSession(fresh) : f.send(f.admin, fresh);
        if (ok.status() != e.ok) {
            failures.put(e.route, "the allowed call got " + ok + ", expected " + e.ok);
        }
    }

    private static void denied(Fixture f, Entry e, Call call, String who, Api as, int status, Map<String, String> failures) {
        Api.Response r = f.send(as, call);
        if (r.status() != status) {
            failures.merge(e.route, who + " got " + r + ", expected " + status, (a, b) -> a + "; " + b);
        }
    }
}

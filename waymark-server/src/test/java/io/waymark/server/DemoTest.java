package io.waymark.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;
import java.util.ArrayList;
import java.util.List;

/** The demo loader, at a smaller size: every definition of the story exists, and the history gives analytics and Path Finder something to show. */
class DemoTest {

    private static List<String> names(JsonNode list) {
        List<String> out = new ArrayList<>();
        (list.has("data") ? list.get("data") : list).forEach(n -> out.add(n.path("name").asText()));
        return out;
    }

    private static JsonNode ok(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isBetween(200, 299);
        return r.json();
    }

    @BothServers
    void theDemoLoadsEveryDefinitionAndAHistoryOnceAndOnlyOnce(Api api) {
        var engine = api.running().engine();
        long started = System.nanoTime();
        assertThat(Demo.load(engine, api.admin(), api.clock()::set, 200, 100)).isTrue();
        System.out.printf("Demo with 200 customers over 100 days on %s loaded in %d ms%n", api.kind(), (System.nanoTime() - started) / 1_000_000);
        assertThat(api.clock().instant()).as("the clock is back at the present").isEqualTo(io.waymark.store.testing.TestDb.START);

        assertThat(names(ok(api.get("/api/v1/wizards")))).containsExactly("New traveller");
        assertThat(names(ok(api.get("/api/v1/email/templates")))).contains("Welcome", "Destination survey", "Next Steps", "Trip feedback",
                "Refer a friend", "New trip dates");
        assertThat(names(ok(api.get("/api/v1/cadences")))).containsExactly("Next Steps");
        assertThat(names(ok(api.get("/api/v1/journeys")))).containsExactly("Customer Journey Optimization");
        assertThat(names(ok(api.get("/api/v1/blueprints")))).containsExactlyInAnyOrder("Trip Management", "Case handling");
        assertThat(names(ok(api.get("/api/v1/approval-processes")))).containsExactly("Discount over 12%");
        assertThat(names(ok(api.get("/api/v1/kiosks")))).containsExactly("Trip desk");
        assertThat(ok(api.get("/api/v1/pathfinder/touchpoints")).get("touchpoints").toString()).contains("booking_site.visit", "chat.missed");
        assertThat(ok(api.get("/api/v1/users")).toString()).contains(ZylkerTravels.MANAGER_EMAIL, ZylkerTravels.REP1_EMAIL,
                ZylkerTravels.REP2_EMAIL, ZylkerTravels.SUPPORT_EMAIL);
        // The demo users log in with the published password.
        Api.Response login = api.withToken(null).post("/api/v1/sessions", "{'email': '" + ZylkerTravels.MANAGER_EMAIL + "', 'password': '"
                + ZylkerTravels.DEMO_PASSWORD + "', 'org': '" + api.admin().orgId() + "'}");
        assertThat(login.status()).as(login.toString()).isBetween(200, 201);

        String cadence = ok(api.get("/api/v1/cadences")).get("data").get(0).get("id").asText();
        JsonNode cad = ok(api.get("/api/v1/cadences/" + cadence + "/analytics"));
        assertThat(cad.get("enrolled").asInt()).isGreaterThan(30);
        assertThat(cad.get("ended").get("goal_reached").asInt()).isPositive();
        String journey = ok(api.get("/api/v1/journeys")).get("data").get(0).get("id").asText();
        JsonNode an = ok(api.get("/api/v1/journeys/" + journey + "/analytics"));
        assertThat(an.get("started").asInt()).isGreaterThan(10);
        assertThat(an.get("active").asInt()).as("some are still on their way").isPositive();
        int ended = 0;
        for (var it = an.get("ends").fields(); it.hasNext(); ) {
            ended += it.next().getValue().get("count").asInt();
        }
        assertThat(ended).as("some journeys ended").isPositive();
        assertThat(JourneysApiTest.state(an, "trip_planned").at("/time_in_state_seconds/median").asDouble()).as("days, not seconds").isGreaterThan(86_400);
        assertThat(ok(api.get("/api/v1/records/Trips/count")).get("count").asLong()).isEqualTo(an.get("started").asLong());
        assertThat(ok(api.get("/api/v1/records/Trips/count?Status=Completed")).get("count").asLong()).isPositive();
        long pending = ok(api.get("/api/v1/records/Trips/count?Status=Documents%20Pending")).get("count").asLong();
        long underway = ok(api.get("/api/v1/records/Trips/count?Status=Logistics")).get("count").asLong()
                + ok(api.get("/api/v1/records/Trips/count?Status=Ready")).get("count").asLong()
                + ok(api.get("/api/v1/records/Trips/count?Status=Documents%20Received")).get("count").asLong();
        assertThat(pending + underway).as("trips still on their way at the present").isPositive();
        assertThat(JourneysApiTest.state(an, "feedback").at("/time_in_state_seconds/p90").asDouble()).as("at most the 14 days of no answer")
                .isLessThanOrEqualTo(14 * 86_400);
        assertThat(ok(api.get("/api/v1/journeys/" + journey + "/instances?state=feedback&limit=100")).get("data")).allSatisfy(i ->
                assertThat(java.time.Instant.parse(i.get("started_at").asText())).isBefore(io.waymark.store.testing.TestDb.START));

        JsonNode map = ok(api.post("/api/v1/pathfinder/live/map", "{'goal': {'module': 'Trips', 'field': 'Status', 'value': 'Completed'}}"));
        assertThat(map.get("cases").asInt()).isGreaterThan(150);
        assertThat(map.get("map_edges")).isNotEmpty();
        assertThat(map.get("conversion").get("converted").asInt()).isPositive();
        assertThat(map.get("conversion").get("drop_offs")).isNotEmpty();

        long leads = ok(api.get("/api/v1/records/Leads/count")).get("count").asLong();
        long signals = ok(api.get("/api/v1/signals?limit=1")).get("data").size();
        assertThat(Demo.load(engine, api.admin(), api.clock()::set, 200, 100)).as("a second start changes nothing").isFalse();
        assertThat(ok(api.get("/api/v1/records/Leads/count")).get("count").asLong()).isEqualTo(leads);
        assertThat(signals).isPositive();
    }
}

package io.waymark.store;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.error.NotFoundException;
import io.waymark.error.ValidationException;
import io.waymark.pathfinder.Classifier;
import io.waymark.pathfinder.CsvMapping;
import io.waymark.pathfinder.Dataset;
import io.waymark.pathfinder.EventLog;
import io.waymark.pathfinder.LogFormatException;
import io.waymark.pathfinder.MapRequest;
import io.waymark.pathfinder.PathFinder;
import io.waymark.pathfinder.PathMap;
import io.waymark.pathfinder.TouchpointConfig;
import io.waymark.record.Record;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

class PathFinderTest {
    private static final String CONFIG = """
            {'touchpoints': [
               {'type': 'web.visit', 'label': 'Website', 'attribute': 'page'},
               {'type': 'form.submitted', 'label': 'Form'},
               {'type': 'email.*'},
               {'type': 'chat.missed', 'label': 'Chat missed'}],
             'identifiers': [
               {'kind': 'email', 'attribute': 'email', 'field': 'Email'},
               {'kind': 'visitor_id', 'attribute': 'visitor_id'}]}""";

    private static void signal(TestDb db, String json) {
        db.clock().advance(Duration.ofMinutes(10));
        db.engine().signals().ingest(db.admin(), List.of(json(json)));
    }

    private static List<String> paths(PathMap m) {
        return m.variants().stream().map(v -> String.join(" > ", v.activities())).toList();
    }

    @BothDatabases
    void aVisitorWhoBecomesALeadAndThenAContactIsOnePath(TestDb db) {
        PathFinder pf = db.engine().pathFinder();
        pf.configure(db.admin(), TouchpointConfig.fromJson(json(CONFIG)));
        signal(db, "{'type': 'web.visit', 'subject': 'anon-1', 'payload': {'visitor_id': 'anon-1', 'page': '/tours/bali'}}");
        signal(db, "{'type': 'web.visit', 'subject': 'anon-2', 'payload': {'visitor_id': 'anon-2', 'page': '/'}}");
        db.clock().advance(Duration.ofMinutes(10));
        Record lead = db.engine().records().create(db.admin(), "Leads", json("{'Last_Name': 'Patel', 'Email': 'asha@example.com'}"));
        signal(db, "{'type': 'form.submitted', 'module': 'Leads', 'record_id': '" + lead.id() + "', 'payload': {'visitor_id': 'anon-1'}}");
        // The mailer knows her only by her address, in another case.
        signal(db, "{'type': 'email.opened', 'subject': 'mailer-77', 'payload': {'email': 'ASHA@example.com '}}");
        db.clock().advance(Duration.ofMinutes(10));
        Record contact = db.engine().records().convertLead(db.admin(), lead.id(), null).contact();
        signal(db, "{'type': 'web.visit', 'module': 'Contacts', 'record_id': '" + contact.id() + "', 'payload': {'page': '/pricing'}}");
        signal(db, "{'type': 'chat.missed', 'subject': 'someone-else'}");

        PathMap m = pf.discoverLive(db.admin(), MapRequest.all(Classifier.NAME));
        assertThat(m.cases()).isEqualTo(3);
        assertThat(paths(m)).containsExactlyInAnyOrder("Website: /tours/bali > Form > email.opened > Website: /pricing", "Website: /", "Chat missed");
        EventLog live = pf.liveLog(db.admin(), MapRequest.all(Classifier.NAME));
        List<String> ids = new java.util.ArrayList<>();
        for (int c = 0; c < live.caseCount(); c++) {
            ids.add(live.caseId(c));
        }
        assertThat(ids).contains(lead.subject(), "anon-2", "someone-else");
        PathMap.Edge toForm = m.edges().stream().filter(e -> e.to().equals("Form")).findFirst().orElseThrow();
        assertThat(toForm.from()).isEqualTo("Website: /tours/bali");
        assertThat(toForm.duration().medianMs()).isEqualTo(Duration.ofMinutes(30).toMillis());
    }

    @BothDatabases
    void withoutTheIdentifiersThePathsStayApart(TestDb db) {
        PathFinder pf = db.engine().pathFinder();
        pf.configure(db.admin(), TouchpointConfig.fromJson(json("{'touchpoints': [{'type': 'web.visit'}, {'type': 'form.submitted'}]}")));
        Record lead = db.engine().records().create(db.admin(), "Leads", json("{'Last_Name': 'Patel'}"));
        signal(db, "{'type': 'web.visit', 'subject': 'anon-1', 'payload': {'visitor_id': 'anon-1'}}");
        signal(db, "{'type': 'form.submitted', 'module': 'Leads', 'record_id': '" + lead.id() + "', 'payload': {'visitor_id': 'anon-1'}}");
        assertThat(pf.discoverLive(db.admin(), MapRequest.all(Classifier.NAME)).cases()).isEqualTo(2);
    }

    @BothDatabases
    void recordStateGoalsCustomerCriteriaAndTimeWindows(TestDb db) {
        PathFinder pf = db.engine().pathFinder();
        pf.configure(db.admin(), TouchpointConfig.fromJson(json(CONFIG)));
        Record bali = db.engine().records().create(db.admin(), "Leads", json("{'Last_Name': 'A', 'City': 'Bali', 'Lead_Status': 'New'}"));
        Record rome = db.engine().records().create(db.admin(), "Leads", json("{'Last_Name': 'B', 'City': 'Rome', 'Lead_Status': 'New'}"));
        var start = db.clock().instant();
        signal(db, "{'type': 'web.visit', 'module': 'Leads', 'record_id': '" + bali.id() + "', 'payload': {'page': '/bali'}}");
        signal(db, "{'type': 'email.opened', 'module': 'Leads', 'record_id': '" + bali.id() + "'}");
        db.clock().advance(Duration.ofMinutes(5));
        db.engine().records().update(db.admin(), "Leads", bali.id(), json("{'Lead_Status': 'Contacted'}"), null);
        signal(db, "{'type': 'chat.missed', 'module': 'Leads', 'record_id': '" + bali.id() + "'}");
        signal(db, "{'type': 'web.visit', 'module': 'Leads', 'record_id': '" + rome.id() + "', 'payload': {'page': '/rome'}}");
        signal(db, "{'type': 'chat.missed', 'module': 'Leads', 'record_id': '" + rome.id() + "'}");

        PathMap m = pf.discoverLive(db.admin(), MapRequest.fromJson(json("{'goal': {'module': 'Leads', 'field': 'Lead_Status', 'value': 'Contacted'}}")));
        PathMap.Conversion c = m.conversion();
        assertThat(c.converted()).isEqualTo(1);
        assertThat(c.paths()).extracting(p -> String.join(" > ", p.activities()) + " " + p.converted())
                .containsExactlyInAnyOrder("Website: /bali > email.opened 1", "Website: /rome > Chat missed 0");
        assertThat(c.dropOffs()).containsExactly(new PathMap.DropOff("Chat missed", 1, 1.0));

        PathMap onlyBali = pf.discoverLive(db.admin(), MapRequest.fromJson(json("{'customers': {'module': 'Leads', 'criteria': '(City:equals:bali)'}}")));
        assertThat(paths(onlyBali)).containsExactly("Website: /bali > email.opened > Chat missed");

        PathMap early = pf.discoverLive(db.admin(), MapRequest.fromJson(json("{'from': '" + start + "', 'to': '" + start.plus(Duration.ofMinutes(21))
                + "'}")));
        assertThat(paths(early)).containsExactly("Website: /bali > email.opened");

        assertThatThrownBy(() -> pf.discoverLive(db.admin(), MapRequest.fromJson(json("{'customers': {'module': 'Leads', 'criteria': '(Nope:equals:x)'}}"))))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors().get(0).field()).isEqualTo("customers.criteria"));
        assertThatThrownBy(() -> pf.discoverLive(db.admin(), MapRequest.fromJson(json("{'goal': {'module': 'Leads', 'field': 'Nope', 'value': 'x'}}"))))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors().get(0).field()).isEqualTo("goal.field"));
    }

    @BothDatabases
    void configurationIsValidatedKeptAndPerOrganisation(TestDb db) {
        PathFinder pf = db.engine().pathFinder();
        assertThat(pf.touchpoints(db.admin())).isEqualTo(TouchpointConfig.defaults());
        assertThatThrownBy(() -> TouchpointConfig.fromJson(json("{'touchpoints': [{'type': 'Web Visit'}, {'type': 'a.b', 'attribute': 'x y'}],"
                + " 'identifiers': [{'kind': 'shoe_size', 'attribute': 'x'}, {'kind': 'email'}]}")))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).extracting(f -> f.field())
                        .containsExactlyInAnyOrder("touchpoints[0].type", "touchpoints[1].attribute", "identifiers[0].kind", "identifiers[1]"));
        TouchpointConfig config = TouchpointConfig.fromJson(json(CONFIG));
        pf.configure(db.admin(), config);
        assertThat(pf.touchpoints(db.admin())).isEqualTo(config);
        pf.configure(db.admin(), TouchpointConfig.fromJson(json("{'touchpoints': [{'type': 'web.*'}]}")));
        assertThat(pf.touchpoints(db.admin()).touchpoints()).hasSize(1);
        assertThat(pf.touchpoints(db.otherOrg().admin())).isEqualTo(TouchpointConfig.defaults());
    }

    @BothDatabases
    void importedLogsAreKeptForAnalysisAndABadFileStoresNothing(TestDb db) throws Exception {
        PathFinder pf = db.engine().pathFinder();
        String csv = "case,activity,time\n1,Web,2026-01-01T10:00:00Z\n1,Booked,2026-01-01T11:00:00Z\n2,Web,2026-01-02T10:00:00Z\n";
        Dataset d = pf.importLog(db.admin(), "Bookings", PathFinder.LogSource.csv(CsvMapping.of("case", "activity", "time")),
                new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)));
        assertThat(d.cases()).isEqualTo(2);
        assertThat(d.events()).isEqualTo(3);
        assertThat(pf.datasets(db.admin())).containsExactly(d);
        PathMap m = pf.discover(db.admin(), d.id(), MapRequest.fromJson(json("{'goal': {'touchpoint': 'Booked'}}")));
        assertThat(m.conversion().rate()).isEqualTo(0.5);
        assertThatThrownBy(() -> pf.discover(db.admin(), d.id(), MapRequest.fromJson(json("{'customers': {'module': 'Leads', 'criteria': '(City:equals:x)'}}"))))
                .isInstanceOf(ValidationException.class);

        assertThatThrownBy(() -> pf.importLog(db.admin(), "Broken", PathFinder.LogSource.xes(),
                new ByteArrayInputStream("<log><trace><event>".getBytes(StandardCharsets.UTF_8)))).isInstanceOf(LogFormatException.class);
        assertThat(pf.datasets(db.admin())).hasSize(1);

        var other = db.otherOrg().admin();
        assertThat(pf.datasets(other)).isEmpty();
        assertThatThrownBy(() -> pf.discover(other, d.id(), MapRequest.all(Classifier.NAME))).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> pf.deleteDataset(other, d.id())).isInstanceOf(NotFoundException.class);
        pf.deleteDataset(db.admin(), d.id());
        assertThat(pf.datasets(db.admin())).isEmpty();
    }
}

package io.waymark.store.integration;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.waymark.error.FieldError;
import io.waymark.error.NotFoundException;
import io.waymark.error.TooManyRequestsException;
import io.waymark.error.ValidationException;
import io.waymark.inbound.SignalEndpoint;
import io.waymark.inbound.WebForm;
import io.waymark.inbound.WebForms;
import io.waymark.record.Record;
import io.waymark.signal.Signal;
import io.waymark.signal.SignalQuery;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import java.time.Duration;
import java.util.List;
import java.util.Map;

class InboundTest {

    static SignalEndpoint bookings(TestDb db) {
        return db.engine().signalEndpoints().create(db.admin(), json("{'name': 'Bookings', 'signal_type': 'booking.requested', "
                + "'params': [{'name': 'email', 'type': 'email', 'required': true}, {'name': 'nights', 'type': 'number'}, "
                + "{'name': 'vip', 'type': 'boolean'}, {'name': 'arrival', 'type': 'date'}], "
                + "'match': {'param': 'email', 'module': 'Contacts', 'field': 'Email'}}"));
    }

    static WebForm signup(TestDb db) {
        return db.engine().webForms().create(db.admin(), json("{'name': 'Newsletter', 'module': 'Leads', 'match_field': 'Email', "
                + "'fields': [{'field': 'Last_Name', 'required': true}, {'field': 'Email', 'required': true}, {'field': 'First_Name'}, "
                + "{'field': 'No_of_Employees'}, {'field': 'Email_Opt_Out'}]}"));
    }

    static List<Signal> ofType(TestDb db, String type) {
        return db.engine().signals().query(db.admin(), new SignalQuery(null, null, type, null, null, 1000, null)).signals();
    }

    @BothDatabases
    void anEndpointCallBecomesATypedSignalOnTheMatchingRecord(TestDb db) {
        SignalEndpoint e = bookings(db);
        assertThat(e.secret()).startsWith("wsk_");
        assertThat(db.engine().signalEndpoints().get(db.admin(), e.id()).secret()).as("the key is shown once").isNull();
        Record c = db.engine().records().create(db.admin(), "Contacts", json("{'Last_Name': 'Patel', 'Email': 'asha@example.com'}"));
        Signal s = db.engine().signalEndpoints().receive(e.id(), e.secret(),
                Map.of("email", "ASHA@example.com", "nights", "3", "vip", "yes", "arrival", "2026-03-01", "key", e.secret()), "203.0.113.9");
        assertThat(s.type()).isEqualTo("booking.requested");
        assertThat(s.recordId()).isEqualTo(c.id());
        assertThat(s.subject()).isEqualTo(c.subject());
        assertThat(s.payload().get("nights").decimalValue()).isEqualByComparingTo("3");
        assertThat(s.payload().get("vip").asBoolean()).isTrue();
        assertThat(s.payload().get("arrival").asText()).isEqualTo("2026-03-01");
        assertThat(s.payload().get("endpoint").asText()).isEqualTo("Bookings");

        Signal stranger = db.engine().signalEndpoints().receive(e.id(), e.secret(), Map.of("email", "new@example.com"), "203.0.113.9");
        assertThat(stranger.recordId()).isNull();
        assertThat(stranger.subject()).isEqualTo("email:new@example.com");
    }

    @BothDatabases
    void aWrongKeyOrBadParametersStoreNothing(TestDb db) {
        SignalEndpoint e = bookings(db);
        assertThatThrownBy(() -> db.engine().signalEndpoints().receive(e.id(), "wsk_wrong", Map.of("email", "a@b.co"), "x"))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> db.engine().signalEndpoints().receive(e.id(), null, Map.of("email", "a@b.co"), "x"))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> db.engine().signalEndpoints().receive(e.id(), e.secret(),
                Map.of("nights", "many", "vip", "maybe", "arrival", "March", "colour", "red"), "x"))
                .isInstanceOfSatisfying(ValidationException.class, ex -> assertThat(ex.errors()).extracting(FieldError::field)
                        .containsExactlyInAnyOrder("email", "nights", "vip", "arrival", "colour"));
        assertThat(ofType(db, "booking.requested")).isEmpty();
        assertThatThrownBy(() -> db.engine().signalEndpoints().create(db.admin(), json("{'name': 'X', 'signal_type': 'email.opened', "
                + "'params': [{'name': 'a'}, {'name': 'a'}, {'name': 'Bad Name'}, {'name': 'c', 'type': 'blob'}, {'name': 'd'}, {'name': 'e'}]}")))
                .isInstanceOfSatisfying(ValidationException.class, ex -> assertThat(ex.errors()).extracting(FieldError::field)
                        .containsExactlyInAnyOrder("signal_type", "params"));
        assertThatThrownBy(() -> db.engine().signalEndpoints().create(db.admin(), json("{'name': 'X', 'signal_type': 'chat.started', "
                + "'params': [{'name': 'a'}, {'name': 'a'}, {'name': 'c', 'type': 'blob'}], 'match': {'param': 'zz', 'module': 'Contacts', 'field': 'Nope'}}")))
                .isInstanceOfSatisfying(ValidationException.class, ex -> assertThat(ex.errors()).extracting(FieldError::field)
                        .containsExactlyInAnyOrder("params[1].name", "params[2].type", "match.param", "match.field"));
    }

    @BothDatabases
    void aFormSubmissionCreatesThenUpdatesByTheMatchField(TestDb db) {
        WebForm f = signup(db);
        WebForms.Submission first = db.engine().webForms().submit(f.id(), Map.of("Last_Name", List.of("Patel"), "Email", List.of("asha@example.com"),
                "No_of_Employees", List.of("12"), "Email_Opt_Out", List.of("on"), "submit", List.of("Send")), "198.51.100.1");
        assertThat(first.created()).isTrue();
        Record lead = first.record();
        assertThat(lead.owner()).isEqualTo(db.admin().userId());
        assertThat(lead.values()).containsEntry("No_of_Employees", 12L).containsEntry("Email_Opt_Out", true);
        WebForms.Submission second = db.engine().webForms().submit(f.id(), Map.of("Last_Name", List.of("Patel"), "Email", List.of("ASHA@example.com"),
                "First_Name", List.of("Asha")), "198.51.100.1");
        assertThat(second.created()).isFalse();
        assertThat(second.record().id()).isEqualTo(lead.id());
        assertThat(second.record().values()).containsEntry("First_Name", "Asha").containsEntry("No_of_Employees", 12L);
        List<Signal> submitted = ofType(db, "form.submitted");
        assertThat(submitted).extracting(s -> s.payload().get("created").asBoolean()).containsExactly(true, false);
        assertThat(submitted).allSatisfy(s -> assertThat(s.recordId()).isEqualTo(lead.id()));
        assertThat(db.engine().records().count(db.admin(), "Leads", null)).isEqualTo(1);
    }

    @BothDatabases
    void aBadSubmissionStoresNothingAndNamesTheFields(TestDb db) {
        WebForm f = signup(db);
        assertThatThrownBy(() -> db.engine().webForms().submit(f.id(), Map.of("First_Name", List.of("A")), "x"))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).extracting(FieldError::field)
                        .containsExactlyInAnyOrder("Last_Name", "Email"));
        assertThatThrownBy(() -> db.engine().webForms().submit(f.id(), Map.of("Last_Name", List.of("P"), "Email", List.of("not-an-email"),
                "No_of_Employees", List.of("lots")), "x"))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).extracting(FieldError::field)
                        .contains("Email", "No_of_Employees"));
        assertThat(db.engine().records().count(db.admin(), "Leads", null)).isZero();
        assertThat(ofType(db, "form.submitted")).isEmpty();
        db.engine().webForms().update(db.admin(), f.id(), json("{'active': false}"), null);
        assertThatThrownBy(() -> db.engine().webForms().submit(f.id(), Map.of("Last_Name", List.of("P"), "Email", List.of("a@b.co")), "x"))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> db.engine().webForms().create(db.admin(), json("{'name': 'Bad', 'module': 'Leads', 'match_field': 'Phone', "
                + "'fields': [{'field': 'Email'}, {'field': 'Owner'}, {'field': 'Nope'}, {'field': 'Email'}]}")))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).extracting(FieldError::field)
                        .containsExactlyInAnyOrder("fields[1].field", "fields[2].field", "fields[3].field", "fields", "match_field"));
    }

    @BothDatabases
    void aSubmissionFloodIsLimitedPerSourceAndRecoversWithTime(TestDb db) {
        WebForm f = signup(db);
        Map<String, List<String>> values = Map.of("Last_Name", List.of("Flood"), "Email", List.of("flood@example.com"));
        for (int i = 0; i < 5; i++) {
            db.engine().webForms().submit(f.id(), values, "192.0.2.1");
        }
        assertThatThrownBy(() -> db.engine().webForms().submit(f.id(), values, "192.0.2.1"))
                .isInstanceOfSatisfying(TooManyRequestsException.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.retryAfter().toSeconds()).isBetween(1L, 6L);
                });
        db.engine().webForms().submit(f.id(), values, "192.0.2.2");
        db.clock().advance(Duration.ofSeconds(6));
        db.engine().webForms().submit(f.id(), values, "192.0.2.1");
        assertThat(ofType(db, "form.submitted")).hasSize(7);
    }
}

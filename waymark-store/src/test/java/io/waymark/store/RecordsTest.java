package io.waymark.store;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.Actor;
import io.waymark.error.ConflictException;
import io.waymark.error.FieldError;
import io.waymark.error.NotFoundException;
import io.waymark.error.PayloadTooLargeException;
import io.waymark.error.ValidationException;
import io.waymark.record.Record;
import io.waymark.record.Records;
import io.waymark.signal.Signal;
import io.waymark.signal.SignalQuery;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

class RecordsTest {

    private static List<Signal> log(TestDb db, UUID recordId) {
        return db.engine().signals().query(db.admin(), new SignalQuery(null, recordId, null, null, null, 1000, null)).signals();
    }

    private static long leads(TestDb db) {
        return db.engine().records().count(db.admin(), "Leads", null);
    }

    @BothDatabases
    void createStoresTypedValuesOwnerAndASignal(TestDb db) {
        Records records = db.engine().records();
        Record lead = records.create(db.admin(), "Leads", json("{'First_Name': 'Asha', 'Last_Name': 'Patel', 'Email': 'asha@zylker.com',"
                + " 'Annual_Revenue': 1250000.5, 'No_of_Employees': 40, 'Lead_Status': 'New', 'Email_Opt_Out': false}"));

        Record stored = records.get(db.admin(), "Leads", lead.id());
        assertThat(stored.version()).isEqualTo(1);
        assertThat(stored.values()).containsEntry("Last_Name", "Patel").containsEntry("No_of_Employees", 40L)
                .containsEntry("Email_Opt_Out", false).containsEntry("Owner", db.admin().userId());
        assertThat((BigDecimal) stored.values().get("Annual_Revenue")).isEqualByComparingTo("1250000.5");
        assertThat(stored.createdAt()).isEqualTo(TestDb.START);
        List<Signal> signals = log(db, lead.id());
        assertThat(signals).singleElement().satisfies(s -> {
            assertThat(s.type()).isEqualTo("record.created");
            assertThat(s.subject()).isEqualTo(lead.subject());
            assertThat(s.actor()).isEqualTo(db.admin().userId());
            assertThat(s.payload().get("fields").get("Email").asText()).isEqualTo("asha@zylker.com");
        });
    }

    @BothDatabases
    void everyBadFieldIsNamedAndNothingIsStored(TestDb db) {
        long before = leads(db);
        assertThatThrownBy(() -> db.engine().records().create(db.admin(), "Leads",
                json("{'Email': 'not-an-email', 'No_of_Employees': 'many', 'Lead_Status': 'Sleeping', 'Shoe_Size': 42, 'Website': 'ftp://x'}")))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).extracting(FieldError::field)
                        .containsExactlyInAnyOrder("Email", "No_of_Employees", "Lead_Status", "Shoe_Size", "Website", "Last_Name"));
        assertThat(leads(db)).isEqualTo(before);
    }

    @BothDatabases
    void updateRecordsOldAndNewValuesAndBumpsTheVersion(TestDb db) {
        Records records = db.engine().records();
        Record lead = records.create(db.admin(), "Leads", json("{'Last_Name': 'Patel', 'Lead_Status': 'New'}"));
        db.clock().advance(Duration.ofMinutes(5));
        Record updated = records.update(db.admin(), "Leads", lead.id(), json("{'Lead_Status': 'Contacted', 'Company': 'Zylker'}"), 1L);

        assertThat(updated.version()).isEqualTo(2);
        assertThat(updated.modifiedAt()).isEqualTo(TestDb.START.plus(Duration.ofMinutes(5)));
        Signal change = log(db, lead.id()).get(1);
        assertThat(change.type()).isEqualTo("record.updated");
        assertThat(change.payload().get("changes")).containsExactlyInAnyOrder(
                json("{'field': 'Company', 'old': null, 'new': 'Zylker'}"),
                json("{'field': 'Lead_Status', 'old': 'New', 'new': 'Contacted'}"));
    }

    @BothDatabases
    void aStaleVersionIsRefusedWithConflictAndChangesNothing(TestDb db) {
        Records records = db.engine().records();
        Record lead = records.create(db.admin(), "Leads", json("{'Last_Name': 'Patel'}"));
        records.update(db.admin(), "Leads", lead.id(), json("{'Company': 'First'}"), 1L);

        assertThatThrownBy(() -> records.update(db.admin(), "Leads", lead.id(), json("{'Company': 'Second'}"), 1L))
                .isInstanceOf(ConflictException.class).hasMessageContaining("version 2");
        assertThat(records.get(db.admin(), "Leads", lead.id()).values()).containsEntry("Company", "First");
        assertThat(log(db, lead.id())).hasSize(2);
    }

    @BothDatabases
    void anUpdateThatChangesNothingWritesNothing(TestDb db) {
        Records records = db.engine().records();
        Record lead = records.create(db.admin(), "Leads", json("{'Last_Name': 'Patel', 'Company': 'Zylker'}"));
        Record same = records.update(db.admin(), "Leads", lead.id(), json("{'Company': 'Zylker'}"), null);
        assertThat(same.version()).isEqualTo(1);
        assertThat(log(db, lead.id())).hasSize(1);
    }

    @BothDatabases
    void clearingARequiredFieldIsRefused(TestDb db) {
        Records records = db.engine().records();
        Record lead = records.create(db.admin(), "Leads", json("{'Last_Name': 'Patel'}"));
        assertThatThrownBy(() -> records.update(db.admin(), "Leads", lead.id(), json("{'Last_Name': null}"), null))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).extracting(FieldError::field).containsExactly("Last_Name"));
    }

    @BothDatabases
    void bulkCreateIsAllOrNothingAndNamesTheIndex(TestDb db) {
        Records records = db.engine().records();
        long before = leads(db);
        List<JsonNode> batch = List.of(json("{'Last_Name': 'One'}"), json("{'Last_Name': 'Two', 'Email': 'broken'}"), json("{'Last_Name': 'Three'}"));
        assertThatThrownBy(() -> records.createAll(db.admin(), "Leads", batch))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).extracting(FieldError::field).containsExactly("[1].Email"));
        assertThat(leads(db)).isEqualTo(before);

        List<Record> created = records.createAll(db.admin(), "Leads", List.of(json("{'Last_Name': 'One'}"), json("{'Last_Name': 'Two'}")));
        assertThat(created).hasSize(2);
        assertThat(leads(db)).isEqualTo(before + 2);
    }

    @BothDatabases
    void aBatchOverTheLimitIsRefusedAsTooLarge(TestDb db) {
        List<JsonNode> batch = new ArrayList<>();
        for (int i = 0; i <= Records.MAX_BATCH; i++) {
            batch.add(json("{'Last_Name': 'L" + i + "'}"));
        }
        assertThatThrownBy(() -> db.engine().records().createAll(db.admin(), "Leads", batch)).isInstanceOf(PayloadTooLargeException.class)
                .hasMessageContaining("1000");
    }

    @BothDatabases
    void bulkUpdateIsAllOrNothing(TestDb db) {
        Records records = db.engine().records();
        List<Record> two = records.createAll(db.admin(), "Leads", List.of(json("{'Last_Name': 'A'}"), json("{'Last_Name': 'B'}")));
        List<JsonNode> update = List.of(json("{'id': '" + two.get(0).id() + "', 'Company': 'X'}"),
                json("{'id': '" + two.get(1).id() + "', 'No_of_Employees': 1.5}"));
        assertThatThrownBy(() -> records.updateAll(db.admin(), "Leads", update))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).extracting(FieldError::field).containsExactly("[1].No_of_Employees"));
        assertThat(records.get(db.admin(), "Leads", two.get(0).id()).values().get("Company")).isNull();

        records.updateAll(db.admin(), "Leads", List.of(json("{'id': '" + two.get(0).id() + "', 'Company': 'X'}"),
                json("{'id': '" + two.get(1).id() + "', 'version': 1, 'Company': 'Y'}")));
        assertThat(records.get(db.admin(), "Leads", two.get(1).id()).values()).containsEntry("Company", "Y");
    }

    /**
     * A bulk update writes every field type as a single update would: on PostgreSQL several
     * records go in one statement, their values as text cast to each column's type, so each
     * type's value (a date before year 1 or after 9999, a decimal's scale, a time's fraction, a multi-select's
     * list, text with quotes and backslashes) must come back as it went in, and a cleared value
     * must come back empty.
     */
    @BothDatabases
    void aBulkUpdateStoresEveryFieldTypeAsItIsGiven(TestDb db) {
        var metadata = db.engine().metadata();
        // Leads hold text, email, phone, url, currency, integer, boolean, long text, picklist and owner fields already.
        for (String field : List.of("{'api_name': 'Ratio', 'type': 'decimal'}", "{'api_name': 'Share', 'type': 'percent'}",
                "{'api_name': 'Born', 'type': 'date'}", "{'api_name': 'Seen', 'type': 'datetime'}",
                "{'api_name': 'Interests', 'type': 'multi_select', 'picklist_values': ['Beach', 'Mountains', 'City']}",
                "{'api_name': 'Referrer', 'type': 'lookup', 'lookup_module': 'Contacts'}")) {
            metadata.addField(db.admin(), "Leads", json(field));
        }
        Records records = db.engine().records();
        Record contact = records.create(db.admin(), "Contacts", json("{'Last_Name': 'Referrer'}"));
        List<Record> leads = records.createAll(db.admin(), "Leads", List.of(json("{'Last_Name': 'A'}"), json("{'Last_Name': 'B'}"),
                json("{'Last_Name': 'C', 'Company': 'Kept', 'No_of_Employees': 3}")));
        db.clock().advance(Duration.ofMinutes(1));

        com.fasterxml.jackson.databind.node.ObjectNode everything = (com.fasterxml.jackson.databind.node.ObjectNode) json("{'Email': 'a@zylker.example',"
                + " 'Website': 'https://zylker.example/x?y=1', 'Mobile': '+91 44 1234 5678', 'No_of_Employees': -9007199254740993,"
                + " 'Ratio': 12345678901234567.1234, 'Annual_Revenue': 0.1, 'Share': 100, 'Email_Opt_Out': true, 'Born': '0044-03-15',"
                + " 'Seen': '2026-01-05T09:00:00.123456Z', 'Interests': ['City', 'Beach'], 'Lead_Status': 'Contacted',"
                + " 'Referrer': '" + contact.id() + "', 'Owner': '" + db.admin().userId() + "'}");
        everything.put("id", leads.get(0).id().toString());
        everything.put("Company", "Zylker \"Travels\" 'Ltd', {1,2}");
        everything.put("Description", "line one\nline two, \\ and NULL");
        List<Record> returned = records.updateAll(db.admin(), "Leads", List.of(everything,
                json("{'id': '" + leads.get(1).id() + "', 'version': 1, 'Born': '-0044-03-15', 'Email_Opt_Out': false, 'Seen': '+10000-01-01T00:00:00Z'}"),
                json("{'id': '" + leads.get(2).id() + "', 'Company': null, 'No_of_Employees': null}")));

        for (Record r : returned) {
            Record stored = records.get(db.admin(), "Leads", r.id());
            assertThat(stored.version()).isEqualTo(2);
            assertThat(stored.modifiedAt()).isEqualTo(TestDb.START.plus(Duration.ofMinutes(1)));
            assertThat(stored.values().keySet()).isEqualTo(r.values().keySet());
            r.values().forEach((field, value) -> {
                if (value instanceof BigDecimal d) {
                    assertThat((BigDecimal) stored.values().get(field)).as(field).isEqualByComparingTo(d);
                } else {
                    assertThat(stored.values().get(field)).as(field).isEqualTo(value);
                }
            });
        }
        Record first = records.get(db.admin(), "Leads", leads.get(0).id());
        assertThat(first.values()).containsEntry("Company", "Zylker \"Travels\" 'Ltd', {1,2}").containsEntry("Description", "line one\nline two, \\ and NULL")
                .containsEntry("No_of_Employees", -9007199254740993L).containsEntry("Email_Opt_Out", true).containsEntry("Born", LocalDate.of(44, 3, 15))
                .containsEntry("Seen", java.time.Instant.parse("2026-01-05T09:00:00.123456Z")).containsEntry("Interests", List.of("Beach", "City"))
                .containsEntry("Referrer", contact.id()).containsEntry("Owner", db.admin().userId());
        assertThat((BigDecimal) first.values().get("Ratio")).isEqualByComparingTo("12345678901234567.1234");
        assertThat(records.get(db.admin(), "Leads", leads.get(1).id()).values()).containsEntry("Born", LocalDate.of(-44, 3, 15))
                .containsEntry("Email_Opt_Out", false).containsEntry("Seen", java.time.Instant.parse("+10000-01-01T00:00:00Z")).containsEntry("Last_Name", "B");
        // Later years, earlier times, and a fraction finer than a microsecond (rounded half up, as a bound value is).
        List<Record> again = records.updateAll(db.admin(), "Leads", List.of(
                json("{'id': '" + leads.get(0).id() + "', 'Born': '+12345-06-07', 'Seen': '-0099-02-03T04:05:06.0000005Z'}"),
                json("{'id': '" + leads.get(1).id() + "', 'Born': '0001-01-01', 'Seen': '2026-01-05T09:00:00.1234565Z'}")));
        assertThat(again).extracting(r -> records.get(db.admin(), "Leads", r.id()).values().get("Born"))
                .containsExactly(LocalDate.of(12345, 6, 7), LocalDate.of(1, 1, 1));
        assertThat(again).extracting(r -> records.get(db.admin(), "Leads", r.id()).values().get("Seen"))
                .containsExactly(java.time.Instant.parse("-0099-02-03T04:05:06.000001Z"), java.time.Instant.parse("2026-01-05T09:00:00.123457Z"));
        assertThat(records.get(db.admin(), "Leads", leads.get(2).id()).values()).containsEntry("Company", null).containsEntry("No_of_Employees", null)
                .containsEntry("Last_Name", "C");
    }

    /**
     * A record changed by someone else between the read and the write of a batch is not
     * overwritten: the write names it, and the transaction it ran in keeps nothing of the batch.
     */
    @BothDatabases
    void aBatchWriteOverARecordChangedMeanwhileFailsAndKeepsNothing(TestDb db) {
        Records records = db.engine().records();
        List<Record> three = records.createAll(db.admin(), "Leads", List.of(json("{'Last_Name': 'A'}"), json("{'Last_Name': 'B'}"),
                json("{'Last_Name': 'C'}")));
        JdbcTransactor tx = (JdbcTransactor) db.store().transactor();
        JdbcRecordStore store = new JdbcRecordStore(tx, db.store().dialect());
        io.waymark.record.Module leads = db.engine().metadata().catalog(db.admin().orgId()).get("Leads");
        // The second lead moves to version 2 meanwhile; the batch was drafted from version 1.
        records.update(db.admin(), "Leads", three.get(1).id(), json("{'Company': 'Theirs'}"), 1L);
        List<Record> drafts = three.stream().map(r -> {
            java.util.Map<String, Object> values = new java.util.LinkedHashMap<>(r.values());
            values.put("Company", "Mine");
            return new Record(r.id(), r.module(), r.layoutId(), r.subject(), 2, r.createdAt(), r.createdBy(), TestDb.START, db.admin().userId(), values);
        }).toList();

        assertThatThrownBy(() -> tx.run(() -> store.update(db.admin().orgId(), leads, drafts)))
                .isInstanceOfSatisfying(io.waymark.record.RecordStore.StaleVersionException.class, e -> assertThat(e.id()).isEqualTo(three.get(1).id()));
        assertThat(three).extracting(r -> records.get(db.admin(), "Leads", r.id()).values().get("Company")).containsExactly(null, "Theirs", null);

        // A batch written in the name of another organisation finds none of these records.
        assertThatThrownBy(() -> tx.run(() -> store.update(db.otherOrg().admin().orgId(), leads, List.of(drafts.get(0), drafts.get(2)))))
                .isInstanceOfSatisfying(io.waymark.record.RecordStore.StaleVersionException.class, e -> assertThat(e.id()).isEqualTo(three.get(0).id()));
        assertThat(three).extracting(r -> records.get(db.admin(), "Leads", r.id()).values().get("Company")).containsExactly(null, "Theirs", null);

        tx.run(() -> {
            store.update(db.admin().orgId(), leads, List.of(drafts.get(0), drafts.get(2)));
            if (db.kind().equals("postgresql")) {
                // The planner's switches, turned off for the one statement, are back for the rest of the transaction.
                assertThat(tx.query("SELECT current_setting('enable_seqscan') || current_setting('enable_hashjoin')", rs -> rs.getString(1)))
                        .containsExactly("onon");
            }
        });
        assertThat(three).extracting(r -> records.get(db.admin(), "Leads", r.id()).values().get("Company")).containsExactly("Mine", "Theirs", "Mine");
    }

    @BothDatabases
    void lookupsMustPointAtRecordsOfTheSameOrganisation(TestDb db) {
        Records records = db.engine().records();
        Actor other = db.otherOrg().admin();
        Record foreignAccount = records.create(other, "Accounts", json("{'Account_Name': 'Elsewhere Ltd'}"));
        assertThatThrownBy(() -> records.create(db.admin(), "Contacts", json("{'Last_Name': 'Patel', 'Account_Name': '" + foreignAccount.id() + "'}")))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).extracting(FieldError::field).containsExactly("Account_Name"));
        assertThatThrownBy(() -> records.get(db.admin(), "Accounts", foreignAccount.id())).isInstanceOf(NotFoundException.class);
    }

    @BothDatabases
    void aDealJoinsTheHistoryOfItsContact(TestDb db) {
        Records records = db.engine().records();
        Record contact = records.create(db.admin(), "Contacts", json("{'Last_Name': 'Patel'}"));
        Record deal = records.create(db.admin(), "Deals", json("{'Deal_Name': 'Bali trip', 'Contact_Name': {'id': '" + contact.id() + "'}}"));
        assertThat(deal.subject()).isEqualTo(contact.subject());
        List<Signal> history = db.engine().signals().query(db.admin(), new SignalQuery(contact.subject(), null, null, null, null, 100, null)).signals();
        assertThat(history).extracting(Signal::recordId).containsExactly(contact.id(), deal.id());
    }

    @BothDatabases
    void uniqueFieldsRefuseARepeatedValue(TestDb db) {
        db.engine().metadata().addField(db.admin(), "Contacts", json("{'api_name': 'Passport_No', 'type': 'text', 'unique': true}"));
        Records records = db.engine().records();
        records.create(db.admin(), "Contacts", json("{'Last_Name': 'A', 'Passport_No': 'P123'}"));
        assertThatThrownBy(() -> records.create(db.admin(), "Contacts", json("{'Last_Name': 'B', 'Passport_No': 'P123'}")))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).extracting(FieldError::field).containsExactly("Passport_No"));
        assertThatThrownBy(() -> records.createAll(db.admin(), "Contacts",
                List.of(json("{'Last_Name': 'C', 'Passport_No': 'P9'}"), json("{'Last_Name': 'D', 'Passport_No': 'P9'}"))))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).extracting(FieldError::field).containsExactly("[1].Passport_No"));
    }

    @BothDatabases
    void aBulkUpdateToARepeatedUniqueValueIsRefusedByNameAndChangesNothing(TestDb db) {
        db.engine().metadata().addField(db.admin(), "Contacts", json("{'api_name': 'Passport_No', 'type': 'text', 'unique': true}"));
        Records records = db.engine().records();
        List<Record> three = records.createAll(db.admin(), "Contacts", List.of(json("{'Last_Name': 'A', 'Passport_No': 'P1'}"),
                json("{'Last_Name': 'B', 'Passport_No': 'P2'}"), json("{'Last_Name': 'C'}")));
        assertThatThrownBy(() -> records.updateAll(db.admin(), "Contacts", List.of(json("{'id': '" + three.get(0).id() + "', 'Title': 'Dr'}"),
                json("{'id': '" + three.get(2).id() + "', 'Passport_No': 'P2'}"))))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).extracting(FieldError::field).containsExactly("[1].Passport_No"));
        assertThat(three).extracting(r -> records.get(db.admin(), "Contacts", r.id()).version()).containsExactly(1L, 1L, 1L);
        assertThat(records.get(db.admin(), "Contacts", three.get(0).id()).values().get("Title")).isNull();

        // The same write reaching the database (as when two writers race past the check above):
        // the database's refusal comes back naming the field, not as a failure of the statement.
        JdbcTransactor tx = (JdbcTransactor) db.store().transactor();
        JdbcRecordStore store = new JdbcRecordStore(tx, db.store().dialect());
        io.waymark.record.Module contacts = db.engine().metadata().catalog(db.admin().orgId()).get("Contacts");
        List<Record> drafts = List.of(three.get(0), three.get(2)).stream().map(r -> {
            java.util.Map<String, Object> values = new java.util.LinkedHashMap<>(r.values());
            values.put("Passport_No", r == three.get(2) ? "P2" : "P1");
            values.put("Title", "Dr");
            return new Record(r.id(), r.module(), r.layoutId(), r.subject(), 2, r.createdAt(), r.createdBy(), TestDb.START, db.admin().userId(), values);
        }).toList();
        assertThatThrownBy(() -> tx.run(() -> store.update(db.admin().orgId(), contacts, drafts)))
                .isInstanceOfSatisfying(io.waymark.record.RecordStore.DuplicateValueException.class, e -> assertThat(e.field()).isEqualTo("Passport_No"));
        assertThat(three).extracting(r -> records.get(db.admin(), "Contacts", r.id()).version()).containsExactly(1L, 1L, 1L);
    }

    @BothDatabases
    void deleteKeepsTheTimeline(TestDb db) {
        Records records = db.engine().records();
        Record lead = records.create(db.admin(), "Leads", json("{'Last_Name': 'Patel'}"));
        assertThatThrownBy(() -> records.delete(db.admin(), "Leads", lead.id(), 7L)).isInstanceOf(ConflictException.class);
        records.delete(db.admin(), "Leads", lead.id(), 1L);
        assertThatThrownBy(() -> records.get(db.admin(), "Leads", lead.id())).isInstanceOf(NotFoundException.class);
        assertThat(records.timeline(db.admin(), "Leads", lead.id(), 50, null).signals()).extracting(Signal::type)
                .containsExactly("record.created", "record.deleted");
    }

    @BothDatabases
    void convertingALeadMakesContactAccountAndDealAndKeepsOneHistory(TestDb db) {
        Records records = db.engine().records();
        Record lead = records.create(db.admin(), "Leads", json("{'First_Name': 'Asha', 'Last_Name': 'Patel', 'Email': 'asha@example.com', 'Company': 'Patel Family Travel', 'Lead_Source': 'Chat'}"));
        Records.Conversion c = records.convertLead(db.admin(), lead.id(),
                json("{'deal': {'Deal_Name': 'Honeymoon in Bali', 'Amount': 4200, 'Closing_Date': '2026-03-01', 'Stage': 'Qualification'}}"));

        assertThat(c.contact().values()).containsEntry("Last_Name", "Patel").containsEntry("Email", "asha@example.com")
                .containsEntry("Lead_Source", "Chat").containsEntry("Account_Name", c.account().id()).containsEntry("Converted_From", lead.id());
        assertThat(c.account().values()).containsEntry("Account_Name", "Patel Family Travel");
        assertThat(c.deal().values()).containsEntry("Contact_Name", c.contact().id()).containsEntry("Closing_Date", LocalDate.parse("2026-03-01"));
        assertThat(c.contact().subject()).isEqualTo(lead.subject());
        assertThat(c.deal().subject()).isEqualTo(lead.subject());
        Record converted = records.get(db.admin(), "Leads", lead.id());
        assertThat(converted.values()).containsEntry("Is_Converted", true).containsEntry("Converted_Contact", c.contact().id())
                .containsEntry("Converted_Deal", c.deal().id());
        List<Signal> history = db.engine().signals().query(db.admin(), new SignalQuery(lead.subject(), null, null, null, null, 100, null)).signals();
        assertThat(history).extracting(Signal::type).containsExactly("record.created", "record.created", "record.created", "lead.converted");
        assertThatThrownBy(() -> records.convertLead(db.admin(), lead.id(), null)).isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> records.update(db.admin(), "Leads", lead.id(), json("{'Company': 'x'}"), null)).isInstanceOf(ConflictException.class);
    }

    @BothDatabases
    void aConversionWithABadDealChangesNothing(TestDb db) {
        Records records = db.engine().records();
        Record lead = records.create(db.admin(), "Leads", json("{'Last_Name': 'Patel', 'Company': 'P'}"));
        long contacts = records.count(db.admin(), "Contacts", null);
        assertThatThrownBy(() -> records.convertLead(db.admin(), lead.id(), json("{'deal': {'Amount': 'lots'}}")))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).extracting(FieldError::field)
                        .containsExactlyInAnyOrder("deal.Amount", "deal.Deal_Name"));
        assertThat(records.count(db.admin(), "Contacts", null)).isEqualTo(contacts);
        assertThat(records.get(db.admin(), "Leads", lead.id()).values().get("Is_Converted")).isNull();
    }
}

package io.waymark.store;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.waymark.error.ConflictException;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.record.Metadata;
import io.waymark.record.Record;
import io.waymark.record.Records;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import java.util.List;

class MetadataTest {

    private static final String TRIPS = "{'api_name': 'Trips', 'singular_label': 'Trip', 'display_fields': ['Trip_Name'], 'subject_field': 'Contact_Name',"
            + " 'fields': [{'api_name': 'Trip_Name', 'type': 'text', 'required': true},"
            + " {'api_name': 'Status', 'type': 'picklist', 'picklist_values': ['Documents Pending', 'Logistics', 'Completed'], 'default': 'Documents Pending'},"
            + " {'api_name': 'Discount', 'type': 'percent', 'min': 0, 'max': 100},"
            + " {'api_name': 'Contact_Name', 'type': 'lookup', 'lookup_module': 'Contacts'}]}";

    @BothDatabases
    void aCustomModuleTakesRecordsWithDefaultsAndJoinsItsContactsHistory(TestDb db) {
        db.engine().metadata().createModule(db.admin(), json(TRIPS));
        Records records = db.engine().records();
        Record contact = records.create(db.admin(), "Contacts", json("{'Last_Name': 'Patel'}"));
        Record trip = records.create(db.admin(), "Trips", json("{'Trip_Name': 'Bali', 'Discount': 15, 'Contact_Name': '" + contact.id() + "'}"));
        assertThat(trip.values()).containsEntry("Status", "Documents Pending");
        assertThat(trip.subject()).isEqualTo(contact.subject());
        assertThat(records.render(db.admin(), records.module(db.admin(), "Trips"), List.of(trip)).get(0).get("Contact_Name").get("name").asText())
                .isEqualTo("Patel");
    }

    @BothDatabases
    void anInvalidModuleDefinitionNamesEachMistake(TestDb db) {
        assertThatThrownBy(() -> db.engine().metadata().createModule(db.admin(), json("{'api_name': 'trips', 'fields': [{'api_name': 'X', 'type': 'colour'},"
                + " {'api_name': 'L', 'type': 'lookup', 'lookup_module': 'Nowhere'}]}")))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).extracting(FieldError::field)
                        .contains("api_name", "fields[0].type", "fields[1].lookup_module"));
        assertThat(db.engine().metadata().catalog(db.admin().orgId()).find("trips")).isEmpty();
    }

    @BothDatabases
    void hidingAndRestoringAFieldKeepsItsValues(TestDb db) {
        Metadata metadata = db.engine().metadata();
        metadata.addField(db.admin(), "Leads", json("{'api_name': 'Budget', 'type': 'currency'}"));
        Records records = db.engine().records();
        Record lead = records.create(db.admin(), "Leads", json("{'Last_Name': 'Patel', 'Budget': 3000}"));
        metadata.deleteField(db.admin(), "Leads", "Budget");
        assertThat(records.get(db.admin(), "Leads", lead.id()).values()).doesNotContainKey("Budget");
        assertThatThrownBy(() -> records.update(db.admin(), "Leads", lead.id(), json("{'Budget': 1}"), null)).isInstanceOf(ValidationException.class);
        records.update(db.admin(), "Leads", lead.id(), json("{'Company': 'Still here'}"), null);
        metadata.restoreField(db.admin(), "Leads", "Budget");
        assertThat(records.get(db.admin(), "Leads", lead.id()).values().get("Budget").toString()).isEqualTo("3000");
    }

    @BothDatabases
    void renamingAPicklistValueUpdatesRecordsAndAValueInUseCannotBeDropped(TestDb db) {
        Metadata metadata = db.engine().metadata();
        metadata.createModule(db.admin(), json(TRIPS));
        Records records = db.engine().records();
        Record trip = records.create(db.admin(), "Trips", json("{'Trip_Name': 'Bali', 'Status': 'Logistics'}"));
        metadata.updateField(db.admin(), "Trips", "Status", json("{'rename': {'Logistics': 'Travel Logistics'}}"));
        assertThat(records.get(db.admin(), "Trips", trip.id()).values()).containsEntry("Status", "Travel Logistics");
        assertThatThrownBy(() -> metadata.updateField(db.admin(), "Trips", "Status", json("{'picklist_values': ['Documents Pending', 'Completed']}")))
                .isInstanceOf(ConflictException.class).hasMessageContaining("Travel Logistics");
        assertThat(records.get(db.admin(), "Trips", trip.id()).values()).containsEntry("Status", "Travel Logistics");
    }

    @BothDatabases
    void aFieldCannotBecomeUniqueWhileValuesRepeat(TestDb db) {
        Metadata metadata = db.engine().metadata();
        metadata.addField(db.admin(), "Contacts", json("{'api_name': 'Member_No', 'type': 'text'}"));
        db.engine().records().createAll(db.admin(), "Contacts", List.of(json("{'Last_Name': 'A', 'Member_No': 'M1'}"), json("{'Last_Name': 'B', 'Member_No': 'M1'}")));
        assertThatThrownBy(() -> metadata.updateField(db.admin(), "Contacts", "Member_No", json("{'unique': true}"))).isInstanceOf(ConflictException.class);
        assertThat(metadata.catalog(db.admin().orgId()).get("Contacts").field("Member_No").orElseThrow().unique()).isFalse();
    }

    @BothDatabases
    void aFieldOffTheRecordsLayoutCannotBeSet(TestDb db) {
        Metadata metadata = db.engine().metadata();
        metadata.saveLayout(db.admin(), "Leads", json("{'name': 'Quick', 'sections': [{'name': 'Basics', 'fields': ['First_Name', 'Last_Name', 'Email']}]}"));
        Records records = db.engine().records();
        assertThatThrownBy(() -> records.create(db.admin(), "Leads", json("{'layout': 'Quick', 'Last_Name': 'P', 'Company': 'X'}")))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors().get(0).message()).contains("layout 'Quick'"));
        Record quick = records.create(db.admin(), "Leads", json("{'layout': 'Quick', 'Last_Name': 'P'}"));
        assertThat(records.render(db.admin(), records.module(db.admin(), "Leads"), List.of(quick)).get(0).get("layout").asText()).isEqualTo("Quick");
    }

    @BothDatabases
    void deletingALayoutMovesItsRecordsToTheDefaultAndTheDefaultStays(TestDb db) {
        Metadata metadata = db.engine().metadata();
        metadata.saveLayout(db.admin(), "Leads", json("{'name': 'Quick', 'sections': [{'name': 'Basics', 'fields': ['Last_Name']}]}"));
        Records records = db.engine().records();
        Record quick = records.create(db.admin(), "Leads", json("{'layout': 'Quick', 'Last_Name': 'P'}"));
        metadata.deleteLayout(db.admin(), "Leads", "Quick");
        var leads = records.module(db.admin(), "Leads");
        assertThat(records.get(db.admin(), "Leads", quick.id()).layoutId()).isEqualTo(leads.defaultLayout().id());
        assertThat(leads.layout("Quick")).isEmpty();
        assertThatThrownBy(() -> metadata.deleteLayout(db.admin(), "Leads", "Standard")).isInstanceOf(ConflictException.class);
    }

    @BothDatabases
    void typeChangesThatCouldLoseDataAreRefused(TestDb db) {
        assertThatThrownBy(() -> db.engine().metadata().updateField(db.admin(), "Leads", "Company", json("{'type': 'integer'}")))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors().get(0).field()).isEqualTo("type"));
    }
}

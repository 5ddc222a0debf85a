package io.waymark.store.integration;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.waymark.email.EmailTemplate;
import io.waymark.email.EmailTemplates;
import io.waymark.error.ConflictException;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.record.Record;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import java.util.Map;

class EmailTemplatesTest {

    static EmailTemplate welcome(TestDb db) {
        return db.engine().email().templates().create(db.admin(), json("{'name': 'Welcome', 'module': 'Contacts', "
                + "'subject': 'Welcome, {{Contacts.First_Name}}!', "
                + "'html': '<p>Hi {{Contacts.First_Name}} of {{Contacts.Account_Name}} ({{Contacts.Account_Name.Industry}}).</p>"
                + "<p>Your guide: {{Owner.Name}} &lt;{{Owner.Email}}&gt;</p><a href=\\\"https://zylker.com/tours?a=1&amp;b=2\\\">Tours</a>', "
                + "'text': 'Hi {{Contacts.First_Name}}, write to {{Owner.Email}}. {{Org.Name}}'}"));
    }

    @BothDatabases
    void mergeFieldsReachTheRecordItsLookupsAndItsOwner(TestDb db) {
        EmailTemplate t = welcome(db);
        Record account = db.engine().records().create(db.admin(), "Accounts", json("{'Account_Name': 'Zylker & Co', 'Industry': 'Travel'}"));
        Record contact = db.engine().records().create(db.admin(), "Contacts", json("{'First_Name': 'Asha <b>', 'Last_Name': 'Patel', "
                + "'Email': 'asha@example.com', 'Account_Name': '" + account.id() + "'}"));
        EmailTemplates.Rendered r = db.engine().email().templates().render(db.admin(), t, contact.id(), Map.of());
        assertThat(r.subject()).isEqualTo("Welcome, Asha <b>!");
        assertThat(r.html()).contains("Hi Asha &lt;b&gt; of Zylker &amp; Co (Travel).").contains("Your guide: Ada Admin &lt;admin@example.com&gt;");
        assertThat(r.text()).startsWith("Hi Asha <b>, write to admin@example.com. Test org");
    }

    @BothDatabases
    void aTemplateNamingAnUnknownFieldOrModuleIsRefusedWithTheFieldNamed(TestDb db) {
        assertThatThrownBy(() -> db.engine().email().templates().create(db.admin(), json("{'name': 'Bad', 'module': 'Contacts', "
                + "'subject': 'Hi {{Contacts.Frist_Name}}', 'html': '{{Trips.Destination}} {{Contacts.Account_Name.Nope}} {{Contacts.Email.X}}', "
                + "'text': '{{> partial}} {{Owner.Phone}}'}")))
                .isInstanceOfSatisfying(ValidationException.class, e -> {
                    assertThat(e.errors()).extracting(FieldError::field).containsExactlyInAnyOrder("subject", "html", "html", "html", "text", "text");
                    assertThat(e.errors()).extracting(FieldError::message).anyMatch(m -> m.contains("{{Contacts.Frist_Name}}")
                            && m.contains("Contacts has no field Frist_Name"));
                    assertThat(e.errors()).extracting(FieldError::message).anyMatch(m -> m.contains("no module named Trips"));
                    assertThat(e.errors()).extracting(FieldError::message).anyMatch(m -> m.contains("Accounts (through Account_Name) has no field Nope"));
                });
        assertThatThrownBy(() -> db.engine().email().templates().create(db.admin(), json("{'name': 'Bad', 'module': 'Trips', 'subject': 'x', 'text': 'y'}")))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).extracting(FieldError::field).containsExactly("module"));
        assertThatThrownBy(() -> db.engine().email().templates().create(db.admin(), json("{'name': 'Bad', 'module': 'Contacts', 'subject': '{{#x}}'}")))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).extracting(FieldError::field).contains("subject", "html"));
        assertThat(db.engine().email().templates().list(db.admin(), 50, null).items()).isEmpty();
    }

    @BothDatabases
    void templatesAreUpdatedWithVersionsAndNamesStayUnique(TestDb db) {
        EmailTemplate t = welcome(db);
        EmailTemplate changed = db.engine().email().templates().update(db.admin(), t.id(), json("{'subject': 'Hello {{Contacts.Last_Name}}'}"), 1L);
        assertThat(changed.version()).isEqualTo(2);
        assertThat(changed.subject()).isEqualTo("Hello {{Contacts.Last_Name}}");
        assertThat(changed.html()).isEqualTo(t.html());
        assertThatThrownBy(() -> db.engine().email().templates().update(db.admin(), t.id(), json("{'subject': 'x'}"), 1L))
                .isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> db.engine().email().templates().update(db.admin(), t.id(), json("{'text': '{{Contacts.Nope}}'}"), null))
                .isInstanceOf(ValidationException.class);
        assertThat(db.engine().email().templates().get(db.admin(), t.id()).version()).isEqualTo(2);
        assertThatThrownBy(() -> welcome(db)).isInstanceOfSatisfying(ConflictException.class,
                e -> assertThat(e.errors()).extracting(FieldError::field).containsExactly("name"));
        db.engine().email().templates().delete(db.admin(), t.id());
        assertThat(db.engine().email().templates().list(db.admin(), 50, null).items()).isEmpty();
    }
}

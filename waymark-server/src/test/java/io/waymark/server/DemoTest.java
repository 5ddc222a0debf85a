package io.waymark.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.waymark.email.EmailMessage;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;

class DemoTest {

    @BothDatabases
    void theDemoLoadsOnceWithItsTemplatesFormAndCaughtWelcomeEmails(TestDb db) {
        assertThat(Demo.load(db.engine(), db.admin())).isTrue();
        assertThat(db.engine().email().templates().list(db.admin(), 50, null).items()).hasSize(3);
        assertThat(db.engine().webForms().list(db.admin(), 50, null).items()).singleElement()
                .satisfies(f -> assertThat(f.name()).isEqualTo("Destination survey"));
        assertThat(db.engine().email().messages(db.admin(), null, 50, null).items()).hasSize(3)
                .allSatisfy(m -> {
                    assertThat(m.status()).isEqualTo("caught");
                    assertThat(m.subjectLine()).startsWith("Welcome to Zylker Travels, ");
                    assertThat(m.links()).containsExactly("https://www.zylker.example/destinations");
                });
        assertThat(Demo.load(db.engine(), db.admin())).isFalse();
        assertThat(db.engine().email().messages(db.admin(), null, 50, null).items()).extracting(EmailMessage::id).hasSize(3);
    }
}

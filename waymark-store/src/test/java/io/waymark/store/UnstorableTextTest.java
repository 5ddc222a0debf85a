package io.waymark.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;

/**
 * Text PostgreSQL cannot store (a NUL character) that reaches the database through the engine's
 * Java API, past the checks of the HTTP layer, is refused as bad input there, not reported as a
 * database fault; nothing of the transaction stays. H2 stores such text.
 */
class UnstorableTextTest {

    private static ObjectNode journey(String name) {
        ObjectNode j = (ObjectNode) Json.read("""
                {"entry": [{"type": "api"}], "states": [
                  {"key": "Nurturing", "module": "Leads", "transitions": [{"key": "opened", "signal": "email.opened", "to": "Done"}]},
                  {"key": "Done", "end": "success"}]}""");
        return j.put("name", name);
    }

    @BothDatabases
    void aDefinitionNamedWithANulIsBadInputOnPostgresql(TestDb db) {
        var journeys = db.engine().journeys();
        journeys.create(db.admin(), journey("Fine"));
        if (db.kind().equals("postgresql")) {
            assertThatThrownBy(() -> journeys.create(db.admin(), journey("Nurture\u0000")))
                    .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).extracting(FieldError::field).containsExactly("body"));
            assertThat(journeys.list(db.admin())).hasSize(1);
        } else {
            journeys.create(db.admin(), journey("Nurture\u0000"));
            assertThat(journeys.list(db.admin())).hasSize(2);
        }
    }
}

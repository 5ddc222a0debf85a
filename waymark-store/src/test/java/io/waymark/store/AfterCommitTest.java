package io.waymark.store;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import io.waymark.tx.Transactor;
import java.util.ArrayList;
import java.util.List;

/**
 * What a transaction asks to run after its commit (the outbox wakes its workers so): it runs once
 * the outermost transaction has committed, with the writes visible; once however often it was
 * asked for; not at all when the transaction rolls back; and at once outside a transaction.
 */
class AfterCommitTest {
    @BothDatabases
    void runsOnceAfterTheOutermostCommitAndNeverAfterARollback(TestDb db) {
        Transactor tx = db.store().transactor();
        List<String> seen = new ArrayList<>();
        String[] lead = new String[1];
        Runnable look = () -> seen.add(db.engine().records().get(db.admin(), "Leads", java.util.UUID.fromString(lead[0])).values().get("Last_Name").toString());
        tx.run(() -> {
            lead[0] = db.engine().records().create(db.admin(), "Leads", json("{'Last_Name': 'Visible'}")).id().toString();
            tx.run(() -> tx.afterCommit(look));
            tx.afterCommit(look);
            assertThat(seen).isEmpty();
        });
        assertThat(seen).containsExactly("Visible");

        assertThatThrownBy(() -> tx.run(() -> {
            tx.afterCommit(() -> seen.add("rolled back"));
            throw new IllegalStateException("no");
        })).hasMessage("no");
        assertThat(seen).containsExactly("Visible");

        tx.afterCommit(() -> seen.add("outside"));
        assertThat(seen).containsExactly("Visible", "outside");
    }
}

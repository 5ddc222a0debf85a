package io.waymark.store;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.Waymark;
import io.waymark.signal.NewSignal;
import io.waymark.signal.Signal;
import io.waymark.signal.SignalQuery;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import java.util.ArrayList;
import java.util.List;

/**
 * A failure half-way through a write — here the signal log failing after the records were
 * written — must leave neither the records nor any signal behind.
 */
class AtomicityTest {

    private static Waymark failingSignals(TestDb db) {
        JdbcTransactor tx = (JdbcTransactor) db.store().transactor();
        JdbcSignalStore real = new JdbcSignalStore(tx, db.kind().equals("h2") ? Dialect.H2 : Dialect.POSTGRESQL, db.clock());
        io.waymark.signal.SignalStore failing = new io.waymark.signal.SignalStore() {
            @Override
            public List<Signal> append(List<NewSignal> signals) {
                real.append(signals.subList(0, signals.size() / 2));
                throw new IllegalStateException("power cut");
            }

            @Override
            public List<Signal> appendOnce(List<NewSignal> signals) {
                return append(signals);
            }

            @Override
            public io.waymark.signal.SignalPage query(java.util.UUID orgId, SignalQuery q) {
                return real.query(orgId, q);
            }

            @Override
            public java.util.Map<Integer, Long> heads() {
                return real.heads();
            }

            @Override
            public List<Signal> read(int p, long after, int limit) {
                return real.read(p, after, limit);
            }

            @Override
            public java.util.OptionalLong claim(String c, int p) {
                return real.claim(c, p);
            }

            @Override
            public void advance(String c, int p, long seq) {
                real.advance(c, p, seq);
            }

            @Override
            public void deadLetter(String c, Signal s, int a, String e) {
                real.deadLetter(c, s, a, e);
            }

            @Override
            public java.util.Map<Integer, Long> checkpoints(String c) {
                return real.checkpoints(c);
            }
        };
        // Every port of the store, the signal log replaced by the failing one.
        return db.store().engineBuilder(db.clock()).signalStore(failing).build();
    }

    @BothDatabases
    void aBulkCreateThatFailsHalfWayLeavesNoRecordAndNoSignal(TestDb db) {
        Waymark broken = failingSignals(db);
        List<JsonNode> batch = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            batch.add(json("{'Last_Name': 'Crash " + i + "'}"));
        }
        long before = db.engine().records().count(db.admin(), "Leads", null);
        assertThatThrownBy(() -> broken.records().createAll(db.admin(), "Leads", batch)).hasMessageContaining("power cut");
        assertThat(db.engine().records().count(db.admin(), "Leads", null)).isEqualTo(before);
        assertThat(db.engine().signals().query(db.admin(), new SignalQuery(null, null, "record.created", null, null, 1000, null)).signals())
                .isEmpty();
    }

    @BothDatabases
    void aConversionThatFailsHalfWayLeavesTheLeadAsItWas(TestDb db) {
        var lead = db.engine().records().create(db.admin(), "Leads", json("{'Last_Name': 'Patel', 'Company': 'P'}"));
        assertThatThrownBy(() -> failingSignals(db).records().convertLead(db.admin(), lead.id(), json("{'deal': {'Deal_Name': 'D'}}")))
                .hasMessageContaining("power cut");
        assertThat(db.engine().records().get(db.admin(), "Leads", lead.id()).version()).isEqualTo(1);
        assertThat(db.engine().records().count(db.admin(), "Contacts", null)).isZero();
        assertThat(db.engine().records().count(db.admin(), "Accounts", null)).isZero();
    }
}

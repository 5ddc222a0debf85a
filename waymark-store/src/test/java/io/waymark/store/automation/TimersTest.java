package io.waymark.store.automation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.waymark.json.Json;
import io.waymark.signal.Signal;
import io.waymark.signal.SignalQuery;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import io.waymark.timer.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

class TimersTest {

    static Timer timer(TestDb db, String key, String subject, Duration in) {
        return new Timer(db.admin().orgId(), key, "test", db.clock().instant().plus(in), subject, null, null, Json.object().put("note", key));
    }

    static List<Signal> fired(TestDb db, String subject) {
        return db.engine().signals().query(db.admin(), new SignalQuery(subject, null, "timer.fired", null, null, 100, null)).signals();
    }

    @BothDatabases
    void aTimerFiresAsASignalWhenTheEngineClockReachesItsTime(TestDb db) {
        String subject = "cust-" + UUID.randomUUID();
        db.engine().timers().schedule(timer(db, "reminder", subject, Duration.ofDays(14)));
        db.engine().timers().runDue();
        db.clock().advance(Duration.ofDays(14).minusSeconds(1));
        db.engine().timers().runDue();
        assertThat(fired(db, subject)).isEmpty();
        assertThat(db.engine().timers().find(db.admin().orgId(), "reminder")).isPresent();

        db.clock().advance(Duration.ofSeconds(1));
        assertThat(db.engine().timers().runDue()).isGreaterThanOrEqualTo(1);
        List<Signal> fired = fired(db, subject);
        assertThat(fired).singleElement().satisfies(s -> {
            assertThat(s.payload().path("key").asText()).isEqualTo("reminder");
            assertThat(s.payload().path("data").path("note").asText()).isEqualTo("reminder");
            assertThat(s.occurredAt()).isEqualTo(TestDb.START.plus(Duration.ofDays(14)));
        });
        // Fired timers are gone; running again fires nothing twice.
        assertThat(db.engine().timers().find(db.admin().orgId(), "reminder")).isEmpty();
        db.clock().advance(Duration.ofDays(1));
        db.engine().timers().runDue();
        assertThat(fired(db, subject)).hasSize(1);
    }

    @BothDatabases
    void aCancelledTimerNeverFiresAndReschedulingMovesIt(TestDb db) {
        String subject = "cust-" + UUID.randomUUID();
        db.engine().timers().schedule(timer(db, "a", subject, Duration.ofHours(1)));
        db.engine().timers().schedule(timer(db, "b", subject, Duration.ofHours(1)));
        assertThat(db.engine().timers().cancel(db.admin(), "a")).isTrue();
        assertThat(db.engine().timers().cancel(db.admin(), "a")).isFalse();
        db.engine().timers().schedule(timer(db, "b", subject, Duration.ofHours(3)));
        db.clock().advance(Duration.ofHours(2));
        db.engine().timers().runDue();
        assertThat(fired(db, subject)).isEmpty();
        db.clock().advance(Duration.ofHours(1));
        db.engine().timers().runDue();
        assertThat(fired(db, subject)).extracting(s -> s.payload().path("key").asText()).containsExactly("b");
    }

    @BothDatabases
    void aTimerSetInATransactionThatRollsBackIsNotSet(TestDb db) {
        String subject = "cust-" + UUID.randomUUID();
        assertThatThrownBy(() -> db.engine().transactor().run(() -> {
            db.engine().timers().schedule(timer(db, "doomed", subject, Duration.ofMinutes(5)));
            throw new IllegalStateException("the decision failed");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(db.engine().timers().find(db.admin().orgId(), "doomed")).isEmpty();
        db.engine().transactor().run(() -> db.engine().timers().schedule(timer(db, "kept", subject, Duration.ofMinutes(5))));
        assertThat(db.engine().timers().find(db.admin().orgId(), "kept")).isPresent();
    }

    @BothDatabases
    void timersOfOneOrganisationAreInvisibleToAnother(TestDb db) {
        db.engine().timers().schedule(timer(db, "same-key", "s", Duration.ofHours(1)));
        UUID other = db.otherOrg().admin().orgId();
        assertThat(db.engine().timers().find(other, "same-key")).isEmpty();
        assertThat(db.engine().timers().cancel(other, List.of("same-key"))).isZero();
        assertThat(db.engine().timers().pending(db.admin().orgId(), "same", 10)).hasSize(1);
    }

    @BothDatabases
    void manyDueTimersFireInOnePass(TestDb db) {
        String subject = "bulk-" + UUID.randomUUID();
        List<Timer> many = new java.util.ArrayList<>();
        Instant due = db.clock().instant().plusSeconds(60);
        for (int i = 0; i < 300; i++) {
            many.add(new Timer(db.admin().orgId(), "bulk-" + i, "test", due.plusMillis(i), subject, null, null, Json.object()));
        }
        db.engine().timers().schedule(many);
        db.clock().advance(Duration.ofMinutes(2));
        db.engine().timers().runDue();
        assertThat(db.engine().signals().query(db.admin(), new SignalQuery(subject, null, "timer.fired", null, null, 1000, null)).signals())
                .hasSize(300);
    }
}

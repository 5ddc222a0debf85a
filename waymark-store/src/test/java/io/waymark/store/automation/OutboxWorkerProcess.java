package io.waymark.store.automation;

import io.waymark.Waymark;
import io.waymark.store.JdbcStore;
import java.time.Clock;
import java.time.Duration;

/**
 * A separate JVM that runs outbox workers on a database until it is killed: the victim of
 * {@link OutboxKillTest}. Arguments: JDBC URL, user, password.
 */
public final class OutboxWorkerProcess {
    private OutboxWorkerProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        JdbcStore store = JdbcStore.open(args[0], args[1], args.length > 2 ? args[2] : "");
        Waymark engine = store.engine(Clock.systemUTC());
        engine.outbox().start(2, Duration.ofMillis(5));
        System.out.println("worker started");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}

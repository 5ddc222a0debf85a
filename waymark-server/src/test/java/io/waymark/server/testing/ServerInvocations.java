package io.waymark.server.testing;

import io.waymark.Waymark;
import io.waymark.clock.SettableClock;
import io.waymark.server.ServerConfig;
import io.waymark.server.WaymarkServer;
import io.waymark.store.JdbcStore;
import io.waymark.store.testing.PerDatabase;
import io.waymark.store.testing.TestDatabases;
import io.waymark.store.testing.TestDb;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One running server per database kind per JVM; each test gets its own organisation. */
public final class ServerInvocations extends PerDatabase<Api> {
    /** A server with its engine and clock. */
    public record Running(JdbcStore store, Waymark engine, SettableClock clock, WaymarkServer server) {
    }

    private static final Map<String, Running> RUNNING = new ConcurrentHashMap<>();

    public static synchronized Running running(String kind) {
        return RUNNING.computeIfAbsent(kind, k -> {
            JdbcStore store = TestDatabases.get(k);
            SettableClock clock = new SettableClock(TestDb.START);
            Waymark engine = store.engine(clock);
            // Tests hold the clock still, so buckets never refill: a generous limit (RateLimitTest checks the real one).
            WaymarkServer server = new WaymarkServer(store, engine,
                    ServerConfig.ofPort(0).withRateLimit(new ServerConfig.RateLimit(1_000_000, java.time.Duration.ofMinutes(1))));
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
            return new Running(store, engine, clock, server);
        });
    }

    public ServerInvocations() {
        super(Api.class);
    }

    @Override
    protected Api fixture(String kind) {
        Running r = running(kind);
        r.clock().set(TestDb.START);
        return new Api(kind, r);
    }
}

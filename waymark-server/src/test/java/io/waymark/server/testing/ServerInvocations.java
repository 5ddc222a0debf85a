package io.waymark.server.testing;

import io.waymark.Waymark;
import io.waymark.clock.SettableClock;
import io.waymark.server.ServerConfig;
import io.waymark.server.WaymarkServer;
import io.waymark.store.JdbcStore;
import io.waymark.store.testing.TestDatabases;
import io.waymark.store.testing.TestDb;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/** One running server per database kind per JVM; each test gets its own organisation. */
public final class ServerInvocations implements TestTemplateInvocationContextProvider {
    /** A server with its engine and clock. */
    public record Running(JdbcStore store, Waymark engine, SettableClock clock, WaymarkServer server) {
    }

    private static final Map<String, Running> RUNNING = new ConcurrentHashMap<>();

    public static synchronized Running running(String kind) {
        return RUNNING.computeIfAbsent(kind, k -> {
            JdbcStore store = TestDatabases.get(k);
            SettableClock clock = new SettableClock(TestDb.START);
            Waymark engine = store.engine(clock);
            WaymarkServer server = new WaymarkServer(store, engine, ServerConfig.ofPort(0));
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
            return new Running(store, engine, clock, server);
        });
    }

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return true;
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        return Stream.of(invocation(TestDatabases.H2), invocation(TestDatabases.POSTGRESQL));
    }

    private static TestTemplateInvocationContext invocation(String kind) {
        return new TestTemplateInvocationContext() {
            @Override
            public String getDisplayName(int index) {
                return "[" + kind + "]";
            }

            @Override
            public List<Extension> getAdditionalExtensions() {
                Api[] holder = new Api[1];
                BeforeEachCallback before = ctx -> {
                    TestDatabases.assumeAvailable(kind);
                    Running r = running(kind);
                    r.clock().set(TestDb.START);
                    holder[0] = new Api(kind, r);
                };
                ParameterResolver resolver = new ParameterResolver() {
                    @Override
                    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
                        return p.getParameter().getType() == Api.class;
                    }

                    @Override
                    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
                        return holder[0];
                    }
                };
                return List.of(before, resolver);
            }
        };
    }
}

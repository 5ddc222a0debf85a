package io.waymark.store.testing;

import io.waymark.store.JdbcStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The databases every store test runs on: an in-memory H2 and a PostgreSQL database created for
 * this test run on 127.0.0.1:5432 (user postgres, or WAYMARK_TEST_PG_URL / _USER / _PASSWORD),
 * dropped when the JVM exits. One of each per JVM; tests isolate themselves by organisation.
 *
 * <p>When PostgreSQL does not answer, its tests are skipped with the reason — unless
 * {@code WAYMARK_REQUIRE_POSTGRES=true} (set by {@code .ci/run}), which turns the skip into a failure.
 */
public final class TestDatabases {
    public static final String H2 = "h2";
    public static final String POSTGRESQL = "postgresql";
    private static final Map<String, JdbcStore> OPEN = new ConcurrentHashMap<>();
    private static volatile String postgresProblem;

    private TestDatabases() {
    }

    public static boolean postgresRequired() {
        String v = System.getenv("WAYMARK_REQUIRE_POSTGRES");
        if (v == null) {
            v = System.getProperty("waymark.requirePostgres");
        }
        return "true".equalsIgnoreCase(v);
    }

    static String adminUrl() {
        String url = System.getenv("WAYMARK_TEST_PG_URL");
        return url != null ? url : "jdbc:postgresql://127.0.0.1:5432/postgres";
    }

    static String user() {
        String u = System.getenv("WAYMARK_TEST_PG_USER");
        return u != null ? u : "postgres";
    }

    static String password() {
        String p = System.getenv("WAYMARK_TEST_PG_PASSWORD");
        return p != null ? p : "";
    }

    /** Why PostgreSQL cannot be used, or null when it can. */
    public static synchronized String postgresUnavailable() {
        if (OPEN.containsKey(POSTGRESQL)) {
            return null;
        }
        if (postgresProblem != null) {
            return postgresProblem;
        }
        DriverManager.setLoginTimeout(3);
        try (Connection c = DriverManager.getConnection(adminUrl() + "?connectTimeout=3", user(), password())) {
            return c.isValid(2) ? null : (postgresProblem = "PostgreSQL at " + adminUrl() + " does not answer");
        } catch (SQLException e) {
            postgresProblem = "PostgreSQL at " + adminUrl() + " is not reachable: " + e.getMessage();
            return postgresProblem;
        }
    }

    /**
     * Before a test on {@code kind}: aborts it (a skip, with the reason printed) when PostgreSQL
     * is wanted but unavailable — or fails it when PostgreSQL is required.
     */
    public static void assumeAvailable(String kind) {
        if (!kind.equals(POSTGRESQL)) {
            return;
        }
        String problem = postgresUnavailable();
        if (problem != null) {
            if (postgresRequired()) {
                throw new IllegalStateException("PostgreSQL is required (WAYMARK_REQUIRE_POSTGRES=true) but " + problem);
            }
            System.out.println("SKIPPED on PostgreSQL: " + problem);
            org.junit.jupiter.api.Assumptions.abort("PostgreSQL unavailable: " + problem);
        }
    }

    /** The shared store of a database kind, created (and migrated) on first use. */
    public static synchronized JdbcStore get(String kind) {
        return OPEN.computeIfAbsent(kind, k -> k.equals(H2) ? openH2() : openPostgres());
    }

    /**
     * A store on a database of its own, for tests of what a deployment does once (its first
     * start). The caller closes it; a PostgreSQL one is dropped when the JVM exits.
     */
    public static JdbcStore fresh(String kind) {
        return kind.equals(H2) ? openH2() : openPostgres();
    }

    private static JdbcStore openH2() {
        return JdbcStore.open("jdbc:h2:mem:waymark_" + UUID.randomUUID().toString().substring(0, 8) + ";DB_CLOSE_DELAY=-1"
                + JdbcStore.h2Options(), "sa", "");
    }

    private static JdbcStore openPostgres() {
        String name = "waymark_test_" + ProcessHandle.current().pid() + "_" + UUID.randomUUID().toString().substring(0, 6);
        try (Connection c = DriverManager.getConnection(adminUrl(), user(), password()); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create test database " + name + ": " + e.getMessage(), e);
        }
        String base = adminUrl().substring(0, adminUrl().lastIndexOf('/') + 1);
        JdbcStore store = JdbcStore.open(base + name, user(), password());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            store.close();
            try (Connection c = DriverManager.getConnection(adminUrl(), user(), password()); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            } catch (SQLException e) {
                System.err.println("Could not drop test database " + name + ": " + e.getMessage());
            }
        }));
        return store;
    }
}

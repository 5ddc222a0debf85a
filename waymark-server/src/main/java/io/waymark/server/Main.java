package io.waymark.server;

import io.waymark.Waymark;
import io.waymark.identity.Orgs;
import io.waymark.store.JdbcStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line: {@code java -jar waymark.jar [--port N] [--data DIR] [--demo]} starts the
 * server; {@code java -jar waymark.jar pathfinder FILE …} analyses an event log without one
 * ({@link PathFinderCommand}).
 *
 * <p>The database is the embedded one in {@code --data}, unless {@code WAYMARK_DB_URL} names a
 * PostgreSQL database ({@code WAYMARK_DB_USER}, default postgres, and {@code WAYMARK_DB_PASSWORD}).
 * The first start creates the organisation and prints the administrator's API token once;
 * {@code WAYMARK_ADMIN_TOKEN} fixes that token instead.
 */
@Command(name = "waymark", mixinStandardHelpOptions = true, version = "Waymark 0.1.0",
        description = "Runs the Waymark server.", subcommands = PathFinderCommand.class)
public final class Main implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}; 0 = any free port)")
    int port;

    @Option(names = "--data", defaultValue = "./waymark-data", description = "Directory of the embedded database (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--demo", description = "Load the Zylker Travels demo data (once) on start")
    boolean demo;

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        // On success the server keeps running until the shutdown hook stops it.
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65_535) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--port must be between 0 and 65535");
        }
        JdbcStore store = openStore();
        WaymarkServer server;
        try {
            Waymark engine = store.engine(Clock.systemUTC());
            Orgs.Created org;
            try {
                org = engine.orgs().bootstrap(demo ? "Zylker Travels" : "My Organisation", env("WAYMARK_ADMIN_TOKEN"));
            } catch (IllegalArgumentException e) {
                // A bad WAYMARK_ADMIN_TOKEN is a configuration mistake: say so plainly, no stack trace.
                System.err.println("waymark: WAYMARK_ADMIN_TOKEN is not usable: " + e.getMessage());
                store.close();
                return 2;
            }
            if (org.token() != null) {
                System.out.println("==================================================================");
                System.out.println("Admin API token (shown once): " + org.token());
                System.out.println("==================================================================");
                System.out.flush();
            }
            if (demo) {
                Demo.load(engine, org.admin());
            }
            engine.dispatcher().start(Duration.ofSeconds(1));
            server = new WaymarkServer(store, engine, new ServerConfig(port)).start();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        WaymarkServer running = server;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                running.stop();
            } catch (RuntimeException e) {
                log.warn("Error while stopping the server", e);
            } finally {
                store.close();
                stopped.countDown();
            }
        }, "waymark-shutdown"));
        stopped.await();
        return 0;
    }

    private JdbcStore openStore() {
        String url = env("WAYMARK_DB_URL");
        if (url != null) {
            String user = env("WAYMARK_DB_USER");
            String password = env("WAYMARK_DB_PASSWORD");
            log.info("Using the database at {}", url);
            return JdbcStore.open(url, user == null ? "postgres" : user, password == null ? "" : password);
        }
        log.info("Using the embedded database in {}", data.toAbsolutePath().normalize());
        return JdbcStore.embedded(data);
    }

    private static String env(String name) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? null : v;
    }
}

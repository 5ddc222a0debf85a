package io.waymark.server;

import io.waymark.Waymark;
import io.waymark.email.MailTransport;
import io.waymark.identity.Orgs;
import io.waymark.integration.IntegrationSettings;
import io.waymark.server.mail.ImapMailbox;
import io.waymark.server.mail.SmtpTransport;
import java.net.URI;
import java.util.List;
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
 *
 * <p>Email and integrations (each option also reads the environment variable named in its help):
 * with no SMTP host, every email is kept by the embedded mail catcher (see
 * {@code GET /api/v1/email/messages}); with an IMAP host, the reply mailbox is polled for replies
 * and bounces. Passwords and the tracking secret come only from the environment
 * ({@code WAYMARK_SMTP_PASSWORD}, {@code WAYMARK_IMAP_PASSWORD}, {@code WAYMARK_SECRET}).
 */
@Command(name = "waymark", mixinStandardHelpOptions = true, version = "Waymark 0.1.0",
        description = "Runs the Waymark server.", subcommands = PathFinderCommand.class)
public final class Main implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}; 0 = any free port)")
    int port;

    @Option(names = "--data", defaultValue = "./waymark-data", description = "Directory of the embedded database (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--rate-limit", defaultValue = "1200",
            description = "API requests per minute per token or session (default: ${DEFAULT-VALUE}; 0 = no limit)")
    long rateLimit;

    @Option(names = "--demo", description = "Load the Zylker Travels demo data (once) on start")
    boolean demo;

    @Option(names = "--demo-customers", defaultValue = "2000", description = "Customers in the demo's history (default: ${DEFAULT-VALUE})")
    int demoCustomers;

    @Option(names = "--public-url", defaultValue = "${env:WAYMARK_PUBLIC_URL}",
            description = "Base URL of tracking, unsubscribe, form and incoming-signal links (WAYMARK_PUBLIC_URL; default http://localhost:PORT)")
    String publicUrl;

    @Option(names = "--mail-from", defaultValue = "${env:WAYMARK_MAIL_FROM}", description = "Sender address of emails (WAYMARK_MAIL_FROM)")
    String mailFrom;

    @Option(names = "--mail-from-name", defaultValue = "${env:WAYMARK_MAIL_FROM_NAME}", description = "Sender name of emails (WAYMARK_MAIL_FROM_NAME)")
    String mailFromName;

    @Option(names = "--smtp-host", defaultValue = "${env:WAYMARK_SMTP_HOST}",
            description = "SMTP server (WAYMARK_SMTP_HOST); without one, emails are kept by the embedded mail catcher")
    String smtpHost;

    @Option(names = "--smtp-port", defaultValue = "${env:WAYMARK_SMTP_PORT:-587}", description = "SMTP port (WAYMARK_SMTP_PORT, default ${DEFAULT-VALUE})")
    int smtpPort;

    @Option(names = "--smtp-security", defaultValue = "${env:WAYMARK_SMTP_SECURITY:-starttls}",
            description = "none, starttls or tls (WAYMARK_SMTP_SECURITY, default ${DEFAULT-VALUE})")
    String smtpSecurity;

    @Option(names = "--smtp-user", defaultValue = "${env:WAYMARK_SMTP_USER}", description = "SMTP user (WAYMARK_SMTP_USER); password from WAYMARK_SMTP_PASSWORD")
    String smtpUser;

    @Option(names = "--imap-host", defaultValue = "${env:WAYMARK_IMAP_HOST}", description = "Reply mailbox IMAP server (WAYMARK_IMAP_HOST)")
    String imapHost;

    @Option(names = "--imap-port", defaultValue = "${env:WAYMARK_IMAP_PORT:-993}", description = "IMAP port (WAYMARK_IMAP_PORT, default ${DEFAULT-VALUE})")
    int imapPort;

    @Option(names = "--imap-ssl", defaultValue = "${env:WAYMARK_IMAP_SSL:-true}", arity = "1",
            description = "IMAPS instead of plain IMAP (WAYMARK_IMAP_SSL, default ${DEFAULT-VALUE})")
    boolean imapSsl;

    @Option(names = "--imap-user", defaultValue = "${env:WAYMARK_IMAP_USER}", description = "IMAP user (WAYMARK_IMAP_USER); password from WAYMARK_IMAP_PASSWORD")
    String imapUser;

    @Option(names = "--imap-folder", defaultValue = "${env:WAYMARK_IMAP_FOLDER:-INBOX}", description = "Folder to read (default ${DEFAULT-VALUE})")
    String imapFolder;

    @Option(names = "--imap-poll-seconds", defaultValue = "${env:WAYMARK_IMAP_POLL_SECONDS:-60}", description = "Seconds between mailbox polls (default ${DEFAULT-VALUE})")
    int imapPollSeconds;

    @Option(names = "--webhook-allow", defaultValue = "${env:WAYMARK_WEBHOOK_ALLOW}", split = ",",
            description = "Hosts, IPs or CIDR ranges webhooks may reach although private or loopback (WAYMARK_WEBHOOK_ALLOW, comma-separated)")
    List<String> webhookAllow;

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
        if (rateLimit < 0) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--rate-limit must be 0 (no limit) or more");
        }
        IntegrationSettings settings;
        MailTransport transport;
        try {
            settings = integrationSettings();
            transport = mailTransport();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
        }
        JdbcStore store = openStore();
        WaymarkServer server;
        ImapMailbox mailbox = null;
        try {
            // With --demo the clock is pinned while the demo's months of history are played, then runs on the system's.
            Demo.DemoClock demoClock = demo ? new Demo.DemoClock(Clock.systemUTC()) : null;
            Waymark engine = store.engineBuilder(demo ? demoClock : Clock.systemUTC()).mailTransport(transport).integrationSettings(settings).build();
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
                try {
                    Demo.load(engine, org.admin(), demoClock, demoCustomers);
                } finally {
                    demoClock.release();
                }
            }
            // Signals, timers and outbox workers run until the shutdown hook stops the server (and with it the engine).
            engine.start(Duration.ofSeconds(1), 2);
            housekeeping(engine);
            mailbox = mailbox(engine);
            server = new WaymarkServer(store, engine,
                    new ServerConfig(port).withRateLimit(new ServerConfig.RateLimit(rateLimit, Duration.ofMinutes(1))), mailbox).start();
            log.info("Email: {}; public links at {}", transport == MailTransport.CATCHER ? "kept by the embedded mail catcher (no SMTP host)"
                    : "SMTP " + smtpHost + ":" + smtpPort, settings.publicBaseUrl());
            if (mailbox != null) {
                mailbox.start(Duration.ofSeconds(Math.max(5, imapPollSeconds)));
            }
        } catch (RuntimeException e) {
            if (mailbox != null) {
                mailbox.close();
            }
            store.close();
            throw e;
        }
        ImapMailbox runningMailbox = mailbox;
        CountDownLatch stopped = new CountDownLatch(1);
        WaymarkServer running = server;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                // Stops HTTP first, then the engine's workers (outbox, timers, dispatcher), then the database.
                if (runningMailbox != null) {
                    runningMailbox.close();
                }
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

    private IntegrationSettings integrationSettings() {
        IntegrationSettings s = IntegrationSettings.defaults()
                .withPublicBaseUrl(URI.create(publicUrl == null || publicUrl.isBlank() ? "http://localhost:" + port : publicUrl.strip()));
        if (!s.publicBaseUrl().isAbsolute() || s.publicBaseUrl().getHost() == null) {
            throw new IllegalArgumentException("--public-url must be an absolute http(s) URL, got " + publicUrl);
        }
        String secret = env("WAYMARK_SECRET");
        if (secret != null) {
            if (secret.length() < 32) {
                throw new IllegalArgumentException("WAYMARK_SECRET must have at least 32 characters");
            }
            s = s.withSecret(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        if (mailFrom != null && !mailFrom.isBlank()) {
            s = s.withFrom(mailFrom.strip(), mailFromName == null || mailFromName.isBlank() ? null : mailFromName.strip());
        } else if (smtpHost != null && !smtpHost.isBlank()) {
            throw new IllegalArgumentException("--mail-from (WAYMARK_MAIL_FROM) is required with an SMTP host");
        }
        if (webhookAllow != null) {
            s = s.withWebhookAllowList(webhookAllow.stream().map(String::strip).filter(x -> !x.isEmpty()).toList());
        }
        return s;
    }

    private MailTransport mailTransport() {
        if (smtpHost == null || smtpHost.isBlank()) {
            return MailTransport.CATCHER;
        }
        SmtpTransport.Security security;
        try {
            security = SmtpTransport.Security.parse(smtpSecurity);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--smtp-security must be none, starttls or tls, got " + smtpSecurity);
        }
        return new SmtpTransport(new SmtpTransport.Settings(smtpHost.strip(), smtpPort, security,
                smtpUser == null || smtpUser.isBlank() ? null : smtpUser.strip(), env("WAYMARK_SMTP_PASSWORD"), Duration.ofSeconds(30)));
    }

    private ImapMailbox mailbox(Waymark engine) {
        if (imapHost == null || imapHost.isBlank()) {
            return null;
        }
        if (imapUser == null || imapUser.isBlank()) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--imap-user (WAYMARK_IMAP_USER) is required with an IMAP host");
        }
        return new ImapMailbox(new ImapMailbox.Settings(imapHost.strip(), imapPort, imapSsl, imapUser.strip(), env("WAYMARK_IMAP_PASSWORD"),
                imapFolder, Duration.ofSeconds(30)), engine.email());
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

    /** Marks kiosk runs left idle past their timeout as expired, every five minutes (a run also expires when next touched). */
    private static void housekeeping(Waymark engine) {
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "waymark-housekeeping");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                int n = engine.kiosks().expireIdleRuns();
                if (n > 0) {
                    log.info("Expired {} idle kiosk runs", n);
                }
            } catch (RuntimeException e) {
                log.warn("Housekeeping failed; trying again later", e);
            }
        }, 5, 5, java.util.concurrent.TimeUnit.MINUTES);
    }
}

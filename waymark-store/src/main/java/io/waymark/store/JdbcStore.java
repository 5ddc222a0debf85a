package io.waymark.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.waymark.Waymark;
import io.waymark.tx.Transactor;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/**
 * Opens a database (H2 or PostgreSQL), brings its schema up to date and builds the engine on
 * it. The one entry point of the store module.
 *
 * <pre>{@code
 * try (JdbcStore store = JdbcStore.open("jdbc:postgresql://127.0.0.1:5432/waymark", "postgres", "")) {
 *     Waymark waymark = store.engine(Clock.systemUTC());
 * }
 * }</pre>
 */
public final class JdbcStore implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final Dialect dialect;
    private final JdbcTransactor transactor;

    private JdbcStore(HikariDataSource dataSource, Dialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.transactor = new JdbcTransactor(Jdbi.create(dataSource), dataSource);
    }

    /** The embedded database in {@code dir} (created if missing). */
    public static JdbcStore embedded(java.nio.file.Path dir) {
        return open(h2Url(dir), "sa", "");
    }

    /** The H2 URL of a file database in {@code dir}, in the mode Waymark runs it. */
    public static String h2Url(java.nio.file.Path dir) {
        // The server's shutdown hook stops work before the database closes; H2's own hook must not race it.
        return "jdbc:h2:file:" + dir.toAbsolutePath().resolve("waymark") + h2Options() + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    /** The options every H2 database is opened with. */
    public static String h2Options() {
        return ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
    }

    /**
     * Opens the database at {@code url}, migrating its schema.
     *
     * @param url a {@code jdbc:h2:} or {@code jdbc:postgresql:} URL
     */
    public static JdbcStore open(String url, String user, String password) {
        Dialect dialect = Dialect.of(url);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(dialect == Dialect.H2 && !url.contains("MODE=") ? url + h2Options() : url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(dialect == Dialect.H2 ? 8 : 16);
        config.setPoolName("waymark");
        if (dialect == Dialect.POSTGRESQL) {
            config.addDataSourceProperty("reWriteBatchedInserts", "true");
        }
        HikariDataSource ds = new HikariDataSource(config);
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").javaMigrations(new V18__Pending_only_indexes(), new V19__Failed_outbox_index(), new V20__Signal_subject_epochs(), new V21__Signal_position_key()).load().migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return new JdbcStore(ds, dialect);
    }

    /** The engine on this database, with the default settings (emails kept by the embedded catcher). */
    public Waymark engine(Clock clock) {
        return engineBuilder(clock).build();
    }

    /**
     * A builder of the engine on this database with every port set, for callers that add their
     * own action types ({@link Waymark.Builder#actionType}) or tune the outbox before building.
     */
    public Waymark.Builder engineBuilder(Clock clock) {
        return Waymark.builder()
                .clock(clock)
                .transactor(transactor)
                .metadataStore(new JdbcMetadataStore(transactor))
                .recordStore(new JdbcRecordStore(transactor, dialect))
                .signalStore(new JdbcSignalStore(transactor, dialect, clock))
                .identityStore(new JdbcIdentityStore(transactor))
                .flowStore(new JdbcFlowStore(transactor))
                .outboxStore(new JdbcOutboxStore(transactor, dialect))
                .workflowStore(new JdbcWorkflowStore(transactor))
                .timerScheduler(new DbSchedulerTimers(dataSource, transactor, dialect, clock, DbSchedulerTimers.Settings.defaults()))
                .integrationStore(new JdbcIntegrationStore(transactor))
                .pathFinderStore(new JdbcPathFinderStore(transactor, dialect))
                .journeyStore(new JdbcJourneyStore(transactor, dialect))
                .blueprintStore(new JdbcBlueprintStore(transactor))
                .approvalStore(new JdbcApprovalStore(transactor))
                .attachmentStore(new JdbcAttachmentStore(transactor))
                .reviewStore(new JdbcReviewStore(transactor))
                .cadenceStore(new JdbcCadenceStore(transactor, dialect));
    }

    public Transactor transactor() {
        return transactor;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    Dialect dialect() {
        return dialect;
    }

    /** "h2" or "postgresql". */
    public String databaseKind() {
        return dialect.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether the database answers a trivial query within a second. */
    public boolean healthy() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(1);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }
}

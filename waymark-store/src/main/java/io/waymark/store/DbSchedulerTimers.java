package io.waymark.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import io.waymark.json.Json;
import io.waymark.timer.Timer;
import io.waymark.timer.TimerScheduler;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persistent timers: rows of the {@code timers} table, written and deleted in the caller's
 * transaction, and fired by a sweeper that takes due rows in batches
 * ({@code FOR UPDATE SKIP LOCKED}), hands them to the handler (which appends their signals) and
 * deletes them, all in one transaction: a timer fires exactly once, and several nodes can sweep
 * at once without taking the same row.
 *
 * <p>db-scheduler runs the sweeper as a recurring task, so it is cluster-aware and reads time from
 * the engine's clock. A timer is not a db-scheduler execution of its own: one execution per timer
 * costs a pick, a transaction and a delete each, and measured here that bounded firing to a few
 * hundred per second on a loaded 2-core machine, where batches of 1,000 fire thousands.
 * {@link #runDue()} runs the sweep in the calling thread, for tests.
 */
final class DbSchedulerTimers implements TimerScheduler {
    static final String SWEEP_TASK = "waymark-timer-sweep";
    private static final Logger LOG = LoggerFactory.getLogger(DbSchedulerTimers.class);
    private static final String COLUMNS = "org_id, timer_key, purpose, due_at, subject, module, record_id, data";

    private final DataSource dataSource;
    private final JdbcTransactor tx;
    private final Dialect dialect;
    private final Clock clock;
    private final Settings settings;
    private volatile Consumer<List<Timer>> handler = t -> {
        throw new IllegalStateException("no timer handler");
    };
    private Scheduler background;

    /**
     * Tuning of the sweeper.
     *
     * @param batchSize    timers fired per transaction (default 1,000, or the system property {@code waymark.timerBatch})
     * @param pollInterval how often the sweeper looks for due timers (default 1 s)
     */
    record Settings(int batchSize, Duration pollInterval) {
        static Settings defaults() {
            return new Settings(Integer.getInteger("waymark.timerBatch", 1_000), Duration.ofSeconds(1));
        }
    }

    DbSchedulerTimers(DataSource dataSource, JdbcTransactor tx, Dialect dialect, Clock clock, Settings settings) {
        this.dataSource = dataSource;
        this.tx = tx;
        this.dialect = dialect;
        this.clock = clock;
        this.settings = settings;
    }

    @Override
    public void onFire(Consumer<List<Timer>> handler) {
        this.handler = handler;
    }

    private <T> T jdbc(JdbcTransactor.ConnectionWork<T> work) {
        return tx.jdbc(work);
    }

    @Override
    public void schedule(Collection<Timer> timers) {
        if (timers.isEmpty()) {
            return;
        }
        Map<String, Timer> unique = new LinkedHashMap<>();
        for (Timer t : timers) {
            unique.put(t.orgId() + "/" + t.key(), t);
        }
        tx.inTransaction(() -> {
            // Replace: drop what is pending under these keys, then insert the lot in one batch.
            Map<UUID, List<String>> byOrg = new LinkedHashMap<>();
            unique.values().forEach(t -> byOrg.computeIfAbsent(t.orgId(), k -> new ArrayList<>()).add(t.key()));
            byOrg.forEach(this::cancel);
            return jdbc(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO timers (" + COLUMNS + ", created_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, CAST(? AS JSONB), ?)")) {
                    Instant now = clock.instant();
                    for (Timer t : unique.values()) {
                        ps.setObject(1, t.orgId());
                        ps.setString(2, t.key());
                        ps.setString(3, t.purpose());
                        Columns.bind(ps, 4, t.dueAt());
                        ps.setString(5, t.subject());
                        ps.setString(6, t.module());
                        ps.setObject(7, t.recordId());
                        ps.setString(8, Json.write(t.data() == null ? Json.object() : t.data()));
                        Columns.bind(ps, 9, now);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return null;
            });
        });
    }

    @Override
    public int cancel(UUID orgId, Collection<String> keys) {
        if (keys.isEmpty()) {
            return 0;
        }
        return tx.inTransaction(() -> jdbc(c -> {
            // One primary-key delete per key, in one batch: an IN list over a table filled moments
            // before (no statistics yet) was planned as a scan of all its rows.
            int n = 0;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM timers WHERE org_id = ? AND timer_key = ?")) {
                for (String key : new java.util.LinkedHashSet<>(keys)) {
                    ps.setObject(1, orgId);
                    ps.setString(2, key);
                    ps.addBatch();
                }
                for (int count : ps.executeBatch()) {
                    n += Math.max(count, 0);
                }
            }
            return n;
        }));
    }

    @Override
    public Optional<Timer> find(UUID orgId, String key) {
        return jdbc(c -> query(c, "SELECT " + COLUMNS + " FROM timers WHERE org_id = ? AND timer_key = ?", orgId, key)).stream().findFirst();
    }

    @Override
    public List<Timer> pending(UUID orgId, String keyPrefix, int limit) {
        return jdbc(c -> query(c, "SELECT " + COLUMNS + " FROM timers WHERE org_id = ? AND timer_key LIKE ? ESCAPE '\\' "
                + "ORDER BY due_at, timer_key LIMIT ?", orgId, SqlCriteria.escapeLike(keyPrefix == null ? "" : keyPrefix) + "%", limit));
    }

    /** Fires every timer due now, batch by batch, each batch in one transaction; returns how many fired. */
    @Override
    public int runDue() {
        int total = 0;
        while (true) {
            int n = tx.inTransaction(() -> {
                List<Timer> due = jdbc(c -> query(c, "SELECT " + COLUMNS + " FROM timers WHERE due_at <= ? ORDER BY due_at LIMIT ?"
                        + dialect.lockSkipLocked(), clock.instant(), settings.batchSize()));
                if (due.isEmpty()) {
                    return 0;
                }
                handler.accept(due);
                jdbc(c -> {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM timers WHERE org_id = ? AND timer_key = ?")) {
                        for (Timer t : due) {
                            ps.setObject(1, t.orgId());
                            ps.setString(2, t.key());
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                    return null;
                });
                return due.size();
            });
            total += n;
            if (n < settings.batchSize()) {
                return total;
            }
        }
    }

    @Override
    public synchronized void start() {
        if (background != null) {
            return;
        }
        RecurringTask<Void> sweep = Tasks.recurring(SWEEP_TASK, FixedDelay.of(settings.pollInterval())).execute((instance, ctx) -> {
            try {
                runDue();
            } catch (RuntimeException e) {
                LOG.error("timer sweep failed; the timers stay pending and are tried again", e);
            }
        });
        background = Scheduler.create(dataSource).startTasks(sweep).clock(new EngineClock(clock)).threads(1)
                .pollingInterval(settings.pollInterval()).shutdownMaxWait(Duration.ofSeconds(10)).build();
        background.start();
        LOG.info("timer sweeper started (every {} ms)", settings.pollInterval().toMillis());
    }

    @Override
    public synchronized void close() {
        if (background != null) {
            background.stop();
            background = null;
        }
    }

    private static List<Timer> query(Connection c, String sql, Object... params) throws SQLException {
        List<Timer> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                Columns.bind(ps, i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    JsonNode data = Json.read(rs.getString("data"));
                    if (data.isTextual()) {
                        data = Json.read(data.textValue());
                    }
                    out.add(new Timer(rs.getObject("org_id", UUID.class), rs.getString("timer_key"), rs.getString("purpose"),
                            Columns.instant(rs, "due_at"), rs.getString("subject"), rs.getString("module"), rs.getObject("record_id", UUID.class),
                            data.isObject() ? (ObjectNode) data : Json.object()));
                }
            }
        }
        return out;
    }

    /** db-scheduler's clock, read from the engine's: a settable engine clock drives the scheduler too. */
    private static final class EngineClock implements com.github.kagkarlsson.scheduler.Clock {
        private final Clock clock;

        EngineClock(Clock clock) {
            this.clock = clock;
        }

        @Override
        public Instant now() {
            return clock.instant();
        }
    }
}

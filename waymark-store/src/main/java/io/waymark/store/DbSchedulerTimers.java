package io.waymark.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.serializer.Serializer;
import com.github.kagkarlsson.scheduler.task.SchedulableInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.testhelper.ManualScheduler;
import com.github.kagkarlsson.scheduler.testhelper.SettableClock;
import com.github.kagkarlsson.scheduler.testhelper.TestHelper;
import io.waymark.json.Json;
import io.waymark.timer.Timer;
import io.waymark.timer.TimerScheduler;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Timers on db-scheduler: one one-time task, {@code waymark-timer}, whose instance id is
 * {@code <org>/<key>} and whose data is the timer as JSON. Scheduling goes through db-scheduler's
 * client on a {@link TransactionAwareDataSource}, so it joins the caller's transaction; the
 * scheduler itself reads time from the engine's clock. In the background it polls with
 * lock-and-fetch on PostgreSQL (rows claimed with {@code SKIP LOCKED}: several nodes share the
 * work, and it keeps up far beyond 1,000 executions/s); on H2 with fetch-and-lock-on-execute.
 * {@link #runDue()} runs due timers in the calling thread through db-scheduler's manual scheduler,
 * for tests.
 */
final class DbSchedulerTimers implements TimerScheduler {
    static final String TASK = "waymark-timer";
    private static final Logger LOG = LoggerFactory.getLogger(DbSchedulerTimers.class);
    private static final Serializer TEXT = new Serializer() {
        @Override
        public byte[] serialize(Object data) {
            return data == null ? null : ((String) data).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T deserialize(Class<T> type, byte[] bytes) {
            return bytes == null ? null : (T) new String(bytes, StandardCharsets.UTF_8);
        }
    };

    private final DataSource dataSource;
    private final JdbcTransactor tx;
    private final Dialect dialect;
    private final Clock clock;
    private final Settings settings;
    private final OneTimeTask<String> task;
    private final SchedulerClient client;
    private final AtomicInteger fired = new AtomicInteger();
    private volatile Consumer<Timer> handler = t -> {
        throw new IllegalStateException("no timer handler");
    };
    private Scheduler background;
    private ManualScheduler manual;

    /**
     * Tuning of the background scheduler.
     *
     * @param threads      executor threads (default 8, or the system property {@code waymark.timerThreads}):
     *                     firing waits on the database, and concurrent firings share one commit
     * @param pollInterval how often to look for due timers when idle (default 1 s)
     */
    record Settings(int threads, Duration pollInterval) {
        static Settings defaults() {
            return new Settings(Integer.getInteger("waymark.timerThreads", 8), Duration.ofSeconds(1));
        }
    }

    DbSchedulerTimers(DataSource dataSource, JdbcTransactor tx, Dialect dialect, Clock clock, Settings settings) {
        this.dataSource = dataSource;
        this.tx = tx;
        this.dialect = dialect;
        this.clock = clock;
        this.settings = settings;
        this.task = Tasks.oneTime(TASK, String.class).execute((instance, ctx) -> {
            handler.accept(parse(instance.getData()));
            fired.incrementAndGet();
        });
        this.client = SchedulerClient.Builder.create(new TransactionAwareDataSource(dataSource, tx), task).serializer(TEXT).build();
    }

    @Override
    public void onFire(Consumer<Timer> handler) {
        this.handler = handler;
    }

    private static String instanceId(UUID orgId, String key) {
        return orgId + "/" + key;
    }

    @Override
    public void schedule(Collection<Timer> timers) {
        if (timers.isEmpty()) {
            return;
        }
        tx.inTransaction(() -> {
            // Replace: drop what is pending under these keys, then insert the lot in one batch.
            java.util.Map<UUID, List<String>> byOrg = new java.util.HashMap<>();
            for (Timer t : timers) {
                byOrg.computeIfAbsent(t.orgId(), k -> new ArrayList<>()).add(t.key());
            }
            byOrg.forEach(this::cancel);
            java.util.Map<String, Timer> unique = new java.util.LinkedHashMap<>();
            for (Timer t : timers) {
                unique.put(instanceId(t.orgId(), t.key()), t);
            }
            if (unique.size() == 1) {
                Timer t = unique.values().iterator().next();
                client.schedule(task.instance(instanceId(t.orgId(), t.key()), write(t)), t.dueAt());
                return null;
            }
            List<SchedulableInstance<?>> batch = new ArrayList<>(unique.size());
            unique.forEach((id, t) -> batch.add(SchedulableInstance.of(task.instance(id, write(t)), t.dueAt())));
            client.scheduleBatch(batch);
            return null;
        });
    }

    @Override
    public int cancel(UUID orgId, Collection<String> keys) {
        if (keys.isEmpty()) {
            return 0;
        }
        return tx.inTransaction(() -> jdbc(c -> {
            int n = 0;
            List<String> all = new ArrayList<>(keys);
            for (int from = 0; from < all.size(); from += 500) {
                List<String> chunk = all.subList(from, Math.min(all.size(), from + 500));
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM scheduled_tasks WHERE task_name = ? AND picked = FALSE AND task_instance IN (?"
                        + ", ?".repeat(chunk.size() - 1) + ")")) {
                    ps.setString(1, TASK);
                    for (int i = 0; i < chunk.size(); i++) {
                        ps.setString(i + 2, instanceId(orgId, chunk.get(i)));
                    }
                    n += ps.executeUpdate();
                }
            }
            return n;
        }));
    }

    @Override
    public Optional<Timer> find(UUID orgId, String key) {
        return jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT task_data FROM scheduled_tasks WHERE task_name = ? AND task_instance = ?")) {
                ps.setString(1, TASK);
                ps.setString(2, instanceId(orgId, key));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(parse(new String(rs.getBytes(1), StandardCharsets.UTF_8))) : Optional.<Timer>empty();
                }
            }
        });
    }

    @Override
    public List<Timer> pending(UUID orgId, String keyPrefix, int limit) {
        return jdbc(c -> {
            List<Timer> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT task_data FROM scheduled_tasks WHERE task_name = ? AND task_instance LIKE ? ESCAPE '\\' "
                    + "AND picked = FALSE ORDER BY execution_time, task_instance LIMIT ?")) {
                ps.setString(1, TASK);
                ps.setString(2, SqlCriteria.escapeLike(instanceId(orgId, keyPrefix == null ? "" : keyPrefix)) + "%");
                ps.setInt(3, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(parse(new String(rs.getBytes(1), StandardCharsets.UTF_8)));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public synchronized int runDue() {
        if (manual == null) {
            manual = (ManualScheduler) new TestHelper.ManualSchedulerBuilder(dataSource, List.of(task)).clock(new EngineClock(clock))
                    .serializer(TEXT).build();
        }
        int before = fired.get();
        int last = -1;
        // Each pass takes one batch of due executions; go on until a pass fires nothing new.
        while (last != fired.get()) {
            last = fired.get();
            manual.runAnyDueExecutions();
        }
        return fired.get() - before;
    }

    @Override
    public synchronized void start() {
        if (background != null) {
            return;
        }
        com.github.kagkarlsson.scheduler.SchedulerBuilder b = Scheduler.create(dataSource, task).serializer(TEXT)
                .clock(new EngineClock(clock)).threads(settings.threads()).pollingInterval(settings.pollInterval())
                .shutdownMaxWait(Duration.ofSeconds(10));
        b = dialect == Dialect.POSTGRESQL ? b.pollUsingLockAndFetch(0.5, 3.0) : b.pollUsingFetchAndLockOnExecute(0.5, 3.0);
        background = b.build();
        background.start();
        LOG.info("timer scheduler started ({} threads)", settings.threads());
    }

    @Override
    public synchronized void close() {
        if (background != null) {
            background.stop();
            background = null;
        }
    }

    private static String write(Timer t) {
        ObjectNode o = Json.object();
        o.put("org_id", t.orgId().toString());
        o.put("key", t.key());
        o.put("purpose", t.purpose());
        o.put("due_at", t.dueAt().toString());
        o.put("subject", t.subject());
        o.put("module", t.module());
        o.put("record_id", t.recordId() == null ? null : t.recordId().toString());
        o.set("data", t.data() == null ? Json.object() : t.data());
        return Json.write(o);
    }

    private static Timer parse(String text) {
        JsonNode o = Json.read(text);
        return new Timer(UUID.fromString(o.get("org_id").asText()), o.get("key").asText(), o.path("purpose").asText(null),
                Instant.parse(o.get("due_at").asText()), o.path("subject").asText(null), o.path("module").asText(null),
                o.hasNonNull("record_id") ? UUID.fromString(o.get("record_id").asText()) : null,
                o.path("data").isObject() ? (ObjectNode) o.get("data") : Json.object());
    }

    private <T> T jdbc(JdbcTransactor.ConnectionWork<T> work) {
        try {
            return tx.connection(work);
        } catch (SQLException e) {
            throw new IllegalStateException("Database error: " + e.getMessage(), e);
        }
    }

    /** db-scheduler's clock, read from the engine's: a settable engine clock drives the scheduler too. */
    private static final class EngineClock extends SettableClock {
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

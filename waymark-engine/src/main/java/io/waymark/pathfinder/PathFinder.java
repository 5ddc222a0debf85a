package io.waymark.pathfinder;

import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.criteria.CompactCriteria;
import io.waymark.criteria.Criteria;
import io.waymark.error.FieldError;
import io.waymark.error.NotFoundException;
import io.waymark.error.ValidationException;
import io.waymark.identity.Access;
import io.waymark.identity.Capability;
import io.waymark.record.Record;
import io.waymark.record.RecordStore;
import io.waymark.record.Records;
import io.waymark.tx.Transactor;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * Path Finder: discovers the paths customers take through touchpoints, over the live signal log
 * (configured with {@link TouchpointConfig}) or over imported XES and CSV logs kept as
 * {@link Dataset}s.
 *
 * <pre>{@code
 * PathFinder pf = waymark.pathFinder();
 * pf.configure(admin, TouchpointConfig.fromJson(json));
 * PathMap live = pf.discoverLive(admin, MapRequest.fromJson(request));
 * Dataset d = pf.importLog(admin, "Helpdesk", LogSource.xes(), in);
 * PathMap map = pf.discover(admin, d.id(), MapRequest.all(Classifier.NAME));
 * }</pre>
 */
public final class PathFinder {
    /** The most events one imported log may hold. */
    public static final long MAX_IMPORT_EVENTS = 50_000_000L;

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PathFinder.class);

    private final PathFinderStore store;
    private final Records records;
    private final Access access;
    private final Transactor tx;
    private final Clock clock;

    public PathFinder(PathFinderStore store, Records records, Access access, Transactor tx, Clock clock) {
        this.store = store;
        this.records = records;
        this.access = access;
        this.tx = tx;
        this.clock = clock;
    }

    // ------------------------------------------------------------------ configuration

    /** The organisation's touchpoint configuration ({@link TouchpointConfig#defaults()} until one is saved). */
    public TouchpointConfig touchpoints(Actor actor) {
        // Paths cross every record and customer of the organisation, whoever owns them: for Path Finder's users only.
        access.require(actor, Capability.MANAGE_PATH_FINDER);
        return store.config(actor.orgId()).orElse(TouchpointConfig.defaults());
    }

    /** Replaces the touchpoint configuration. Needs {@link Capability#MANAGE_PATH_FINDER}. */
    public TouchpointConfig configure(Actor actor, TouchpointConfig config) {
        access.require(actor, Capability.MANAGE_PATH_FINDER);
        tx.run(() -> store.saveConfig(actor.orgId(), config, actor.userId(), clock.instant()));
        return config;
    }

    // ------------------------------------------------------------------ datasets

    /** How an uploaded file is to be read. */
    public sealed interface LogSource {
        static LogSource xes() {
            return new Xes();
        }

        static LogSource csv(CsvMapping mapping) {
            return new Csv(mapping);
        }

        /** {@code xes} or {@code csv}. */
        String format();
    }

    /** An XES file, plain or gzip. */
    public record Xes() implements LogSource {
        @Override
        public String format() {
            return "xes";
        }
    }

    /** A CSV file read through a column mapping. */
    public record Csv(CsvMapping mapping) implements LogSource {
        @Override
        public String format() {
            return "csv";
        }
    }

    /** Reads a log file (streamed) and keeps it as a dataset. Needs {@link Capability#MANAGE_PATH_FINDER}. */
    public Dataset importLog(Actor actor, String name, LogSource source, InputStream in) {
        access.require(actor, Capability.MANAGE_PATH_FINDER);
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new ValidationException("A dataset needs a name", List.of(new FieldError("name", "is required, at most 200 characters")));
        }
        EventLog log;
        try {
            log = source instanceof Csv c ? new CsvReader(c.mapping(), MAX_IMPORT_EVENTS).read(in) : new XesReader(MAX_IMPORT_EVENTS).read(in);
        } catch (java.io.EOFException e) {
            throw new LogFormatException("The file ends too early (truncated or a damaged gzip stream)", -1);
        } catch (java.util.zip.ZipException e) {
            throw new LogFormatException("The gzip stream is damaged: " + e.getMessage(), -1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] bytes = compress(log);
        Dataset d = new Dataset(Ids.next(clock), actor.orgId(), name.strip(), source.format(), log.caseCount(), log.eventCount(),
                log.classCount(), log.hasLifecycle(), bytes.length, clock.instant(), actor.userId());
        tx.run(() -> store.insertDataset(d, bytes));
        return d;
    }

    public List<Dataset> datasets(Actor actor) {
        access.require(actor, Capability.MANAGE_PATH_FINDER);
        return store.datasets(actor.orgId());
    }

    public Dataset dataset(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_PATH_FINDER);
        return store.dataset(actor.orgId(), id).orElseThrow(() -> new NotFoundException("No dataset has id " + id));
    }

    /** Deletes a dataset. Needs {@link Capability#MANAGE_PATH_FINDER}. */
    public void deleteDataset(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_PATH_FINDER);
        if (!tx.inTransaction(() -> store.deleteDataset(actor.orgId(), id))) {
            throw new NotFoundException("No dataset has id " + id);
        }
    }

    /** The events of a dataset. */
    public EventLog datasetLog(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_PATH_FINDER);
        InputStream raw = store.datasetLog(actor.orgId(), id).orElseThrow(() -> new NotFoundException("No dataset has id " + id));
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(new InflaterInputStream(raw), 1 << 16))) {
            return EventLog.readFrom(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Discovers the map of a dataset. Customer criteria and record-state goals need the live log. */
    public PathMap discover(Actor actor, UUID datasetId, MapRequest request) {
        access.require(actor, Capability.MANAGE_PATH_FINDER);
        if (request.customers() != null) {
            throw new ValidationException("Customer criteria apply to the live signal log only",
                    List.of(new FieldError("customers", "applies to the live signal log only; an imported log has no records")));
        }
        if (request.goal() instanceof MapRequest.RecordStateGoal) {
            throw new ValidationException("A record-state goal applies to the live signal log only",
                    List.of(new FieldError("goal", "on an imported log the goal is a touchpoint: {\"touchpoint\": \"…\"}")));
        }
        return Discovery.discover(datasetLog(actor, datasetId), request);
    }

    static byte[] compress(EventLog log) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(
                new DeflaterOutputStream(bytes, new Deflater(Deflater.BEST_SPEED), 1 << 16), 1 << 16))) {
            log.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    // ------------------------------------------------------------------ live

    /** The customers' paths in the signal log, as an event log (one case per customer). */
    public EventLog liveLog(Actor actor, MapRequest request) {
        access.require(actor, Capability.MANAGE_PATH_FINDER);
        return live(actor, request).log();
    }

    /** Discovers the map of the live signal log under the organisation's touchpoint configuration. */
    public PathMap discoverLive(Actor actor, MapRequest request) {
        access.require(actor, Capability.MANAGE_PATH_FINDER);
        CustomerPaths.Result r = live(actor, request);
        return Discovery.discover(r.log(), request, r.scope());
    }

    private CustomerPaths.Result live(Actor actor, MapRequest request) {
        Set<String> subjects = request.customers() == null ? null : matchingSubjects(actor, request.customers());
        TouchpointConfig config = touchpoints(actor);
        CustomerPaths paths = new CustomerPaths(config, request.goal());
        if (request.goal() instanceof MapRequest.RecordStateGoal g) {
            try {
                records.module(actor, g.module()).field(g.field()).orElseThrow(() -> new ValidationException("Unknown goal field",
                        List.of(new FieldError("goal.field", "module " + g.module() + " has no field " + g.field()))));
            } catch (NotFoundException e) {
                throw new ValidationException("Unknown goal module", List.of(new FieldError("goal.module", e.getMessage())));
            }
        }
        long t0 = System.nanoTime();
        store.scanSignals(actor.orgId(), paths.scan(request.goal() instanceof MapRequest.RecordStateGoal), paths);
        long t1 = System.nanoTime();
        CustomerPaths.Result r = paths.build(subjects);
        log.debug("live paths: scan {} ms, stitching and ordering {} ms, {} customers, {} events", (t1 - t0) / 1_000_000,
                (System.nanoTime() - t1) / 1_000_000, r.log().caseCount(), r.log().eventCount());
        return r;
    }

    private Set<String> matchingSubjects(Actor actor, MapRequest.CustomerCriteria c) {
        Criteria criteria;
        try {
            criteria = CompactCriteria.parse(c.criteria());
        } catch (ValidationException e) {
            throw new ValidationException("Invalid customer criteria: " + e.getMessage(), List.of(new FieldError("customers.criteria", e.getMessage())));
        }
        Set<String> out = new HashSet<>();
        String cursor = null;
        do {
            RecordStore.RecordPage page;
            try {
                page = records.list(actor, c.module(), criteria, null, 1000, cursor);
            } catch (NotFoundException e) {
                throw new ValidationException("Unknown module", List.of(new FieldError("customers.module", e.getMessage())));
            } catch (ValidationException e) {
                throw new ValidationException("Invalid customer criteria: " + e.getMessage(),
                        List.of(new FieldError("customers.criteria", e.getMessage())));
            }
            for (Record r : page.records()) {
                out.add(r.subject());
            }
            cursor = page.next();
        } while (cursor != null);
        return out;
    }

    // ------------------------------------------------------------------ comparison

    /**
     * Two segments side by side: each one's map, and per activity and edge the share of cases in
     * each segment with the difference (B minus A), largest differences first.
     */
    public record Comparison(PathMap a, PathMap b, List<Difference> activities, List<Difference> edges) {
    }

    /** How common something is in each segment: the share of its cases that have it (0..1). */
    public record Difference(String name, double shareA, double shareB, double delta) {
    }

    public static Comparison compare(PathMap a, PathMap b) {
        java.util.Map<String, double[]> acts = new java.util.TreeMap<>();
        a.activities().forEach(x -> acts.computeIfAbsent(x.name(), k -> new double[2])[0] = Discovery.share(x.cases(), a.cases()));
        b.activities().forEach(x -> acts.computeIfAbsent(x.name(), k -> new double[2])[1] = Discovery.share(x.cases(), b.cases()));
        java.util.Map<String, double[]> edges = new java.util.TreeMap<>();
        a.edges().forEach(x -> edges.computeIfAbsent(x.from() + " -> " + x.to(), k -> new double[2])[0] = Discovery.share(x.cases(), a.cases()));
        b.edges().forEach(x -> edges.computeIfAbsent(x.from() + " -> " + x.to(), k -> new double[2])[1] = Discovery.share(x.cases(), b.cases()));
        return new Comparison(a, b, differences(acts), differences(edges));
    }

    private static List<Difference> differences(java.util.Map<String, double[]> m) {
        return m.entrySet().stream().map(e -> new Difference(e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[1] - e.getValue()[0]))
                .sorted(java.util.Comparator.comparingDouble((Difference d) -> -Math.abs(d.delta())).thenComparing(Difference::name))
                .toList();
    }
}

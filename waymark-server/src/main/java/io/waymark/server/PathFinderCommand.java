package io.waymark.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import io.waymark.pathfinder.Classifier;
import io.waymark.pathfinder.CsvMapping;
import io.waymark.pathfinder.CsvReader;
import io.waymark.pathfinder.Discovery;
import io.waymark.pathfinder.EventLog;
import io.waymark.pathfinder.MapExport;
import io.waymark.pathfinder.MapRequest;
import io.waymark.pathfinder.PathMap;
import io.waymark.pathfinder.XesReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code waymark pathfinder FILE}: discovery for an analyst who has a log file and nothing else
 * — no server, no database. Prints the summary (or, with {@code --json}, one JSON object) and
 * writes the map with {@code --out} in the format its extension names.
 */
@Command(name = "pathfinder", mixinStandardHelpOptions = true,
        description = "Discovers the paths in an XES (plain or gzip) or CSV event log and prints the summary.")
final class PathFinderCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "An XES log (.xes, .xes.gz) or a CSV log (.csv, .csv.gz)")
    Path file;

    @Option(names = "--classifier", defaultValue = "name", description = "name or name+lifecycle (default: ${DEFAULT-VALUE})")
    String classifier;

    @Option(names = "--json", description = "Print the summary as one JSON object")
    boolean json;

    @Option(names = "--out", paramLabel = "MAP", description = "Write the map to MAP; its extension picks the format: .json, .csv or .dot")
    Path out;

    @Option(names = "--case", defaultValue = "case", description = "CSV: the case id column (default: ${DEFAULT-VALUE})")
    String caseColumn;

    @Option(names = "--activity", defaultValue = "activity", description = "CSV: the activity column (default: ${DEFAULT-VALUE})")
    String activityColumn;

    @Option(names = "--timestamp", defaultValue = "timestamp", description = "CSV: the time column (default: ${DEFAULT-VALUE})")
    String timestampColumn;

    @Option(names = "--lifecycle", description = "CSV: the life-cycle column, if any")
    String lifecycleColumn;

    @Option(names = "--delimiter", defaultValue = ",", description = "CSV: the separator, one character or 'tab' (default: ${DEFAULT-VALUE})")
    String delimiter;

    @Option(names = "--top", defaultValue = "10", description = "How many edges and variants to list (default: ${DEFAULT-VALUE})")
    int top;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        Classifier c;
        MapExport.Format outFormat = null;
        try {
            c = Classifier.parse(classifier, "--classifier");
            if (out != null) {
                String name = out.getFileName().toString();
                int dot = name.lastIndexOf('.');
                outFormat = MapExport.Format.parse(dot < 0 ? "" : name.substring(dot + 1), "--out");
            }
        } catch (ValidationException e) {
            err.println("waymark pathfinder: " + e.errors().get(0).field() + " " + e.errors().get(0).message());
            return 2;
        }
        String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean csv = lower.endsWith(".csv") || lower.endsWith(".csv.gz");
        long began = System.nanoTime();
        EventLog log;
        try (InputStream in = Files.newInputStream(file)) {
            log = csv ? new CsvReader(new CsvMapping(caseColumn, activityColumn, timestampColumn, lifecycleColumn,
                    delimiter.equals("tab") ? '\t' : delimiter.charAt(0))).read(in) : new XesReader().read(in);
        } catch (NoSuchFileException e) {
            err.println("waymark pathfinder: no such file: " + file);
            return 2;
        } catch (ValidationException e) {
            err.println("waymark pathfinder: " + file + ": " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("waymark pathfinder: cannot read " + file + ": " + e.getMessage());
            return 1;
        }
        long read = System.nanoTime();
        PathMap map = Discovery.discover(log, MapRequest.all(c).withVariants(Math.max(top, 1)));
        if (out != null) {
            try {
                Files.writeString(out, MapExport.write(map, outFormat), StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("waymark pathfinder: cannot write " + out + ": " + e.getMessage());
                return 1;
            }
        }
        if (json) {
            stdout.println(Json.write(summary(map)));
        } else {
            print(stdout, map, (read - began) / 1e9);
            if (out != null) {
                stdout.println("Map written to " + out + " (" + outFormat.extension() + ")");
            }
        }
        stdout.flush();
        return 0;
    }

    private ObjectNode summary(PathMap m) {
        ObjectNode full = MapExport.json(m);
        ObjectNode o = Json.object();
        o.put("file", file.toString());
        for (String k : new String[] {"classifier", "cases", "events", "activities", "variants", "edges", "case_length"}) {
            o.set(k, full.get(k));
        }
        ArrayNode edges = o.putArray("top_edges");
        m.edges().stream().limit(top).forEach(e -> edges.addObject().put("from", e.from()).put("to", e.to()).put("count", e.frequency()));
        o.set("start_activities", full.get("start_activities"));
        o.set("end_activities", full.get("end_activities"));
        o.set("top_variants", full.get("top_variants"));
        return o;
    }

    private void print(PrintWriter p, PathMap m, double seconds) {
        p.printf(Locale.ROOT, "%s (classifier %s), read in %.2f s%n", file, m.classifier(), seconds);
        p.printf(Locale.ROOT, "Cases: %,d   Events: %,d   Activities: %,d   Variants: %,d   Edges: %,d%n", m.cases(), m.events(),
                m.activityCount(), m.variantCount(), m.edgeCount());
        p.printf(Locale.ROOT, "Case length: min %d, mean %.2f, max %d%n", m.lengths().min(), m.lengths().mean(), m.lengths().max());
        p.println("Start activities:");
        m.starts().forEach(s -> p.printf(Locale.ROOT, "  %,8d  %s%n", s.cases(), s.activity()));
        p.println("End activities:");
        m.ends().forEach(s -> p.printf(Locale.ROOT, "  %,8d  %s%n", s.cases(), s.activity()));
        p.println("Top edges:");
        m.edges().stream().limit(top).forEach(e -> p.printf(Locale.ROOT, "  %,8d  %s -> %s%s%n", e.frequency(), e.from(), e.to(),
                e.duration() == null ? "" : "  (median " + MapExport.human(e.duration().medianMs()) + ")"));
        p.println("Top variants:");
        m.variants().stream().limit(top).forEach(v -> p.printf(Locale.ROOT, "  %,8d  %5.1f%%  %s%n", v.cases(), v.share() * 100,
                String.join(" > ", v.activities())));
    }
}

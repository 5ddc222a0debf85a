package io.waymark.pathfinder;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes a {@link PathMap} as JSON, CSV (one row per activity, edge, start and end) or Graphviz DOT. */
public final class MapExport {
    private MapExport() {
    }

    /** The formats a map can be exported in. */
    public enum Format {
        JSON("application/json", "json"), CSV("text/csv", "csv"), DOT("text/vnd.graphviz", "dot");

        private final String mediaType;
        private final String extension;

        Format(String mediaType, String extension) {
            this.mediaType = mediaType;
            this.extension = extension;
        }

        public String mediaType() {
            return mediaType;
        }

        public String extension() {
            return extension;
        }

        /** {@code json}, {@code csv} or {@code dot}. */
        public static Format parse(String text, String field) {
            for (Format f : values()) {
                if (f.extension.equalsIgnoreCase(text == null ? "" : text.strip())) {
                    return f;
                }
            }
            throw new ValidationException("Unknown export format '" + text + "'", List.of(new FieldError(field, "must be json, csv or dot")));
        }
    }

    public static String write(PathMap map, Format format) {
        return switch (format) {
            case JSON -> Json.write(json(map));
            case CSV -> csv(map);
            case DOT -> dot(map);
        };
    }

    /** The map as a JSON object (snake_case keys; durations in milliseconds). */
    public static ObjectNode json(PathMap m) {
        ObjectNode o = Json.object();
        o.put("classifier", m.classifier());
        o.put("cases", m.cases());
        o.put("events", m.events());
        o.put("activities", m.activityCount());
        o.put("variants", m.variantCount());
        o.put("edges", m.edgeCount());
        ObjectNode len = o.putObject("case_length");
        len.put("min", m.lengths().min());
        len.put("mean", round(m.lengths().mean()));
        len.put("max", m.lengths().max());
        ObjectNode s = o.putObject("simplification");
        s.put("activities", m.simplification().activities());
        s.put("edges", m.simplification().edges());
        s.put("shown_activities", m.simplification().shownActivities());
        s.put("shown_edges", m.simplification().shownEdges());
        ArrayNode acts = o.putArray("map_activities");
        for (PathMap.Activity a : m.activities()) {
            acts.addObject().put("name", a.name()).put("frequency", a.frequency()).put("cases", a.cases());
        }
        ArrayNode edges = o.putArray("map_edges");
        for (PathMap.Edge e : m.edges()) {
            ObjectNode n = edges.addObject().put("from", e.from()).put("to", e.to()).put("frequency", e.frequency()).put("cases", e.cases());
            if (e.duration() != null) {
                n.putObject("duration_ms").put("mean", round(e.duration().meanMs())).put("median", round(e.duration().medianMs()))
                        .put("p90", e.duration().p90Ms());
            }
        }
        endpoints(o.putArray("start_activities"), m.starts());
        endpoints(o.putArray("end_activities"), m.ends());
        ArrayNode vs = o.putArray("top_variants");
        for (PathMap.Variant v : m.variants()) {
            ObjectNode n = vs.addObject();
            strings(n.putArray("activities"), v.activities());
            n.put("cases", v.cases()).put("share", round(v.share()));
        }
        if (m.conversion() != null) {
            PathMap.Conversion c = m.conversion();
            ObjectNode g = o.putObject("conversion");
            g.put("goal", c.goal()).put("cases", c.cases()).put("converted", c.converted()).put("rate", round(c.rate()));
            ArrayNode paths = g.putArray("paths");
            for (PathMap.PathConversion p : c.paths()) {
                ObjectNode n = paths.addObject();
                strings(n.putArray("activities"), p.activities());
                n.put("cases", p.cases()).put("converted", p.converted()).put("rate", round(p.rate()));
            }
            ArrayNode tps = g.putArray("touchpoints");
            for (PathMap.TouchpointConversion t : c.touchpoints()) {
                tps.addObject().put("activity", t.activity()).put("cases", t.cases()).put("converted", t.converted()).put("rate", round(t.rate()));
            }
            ArrayNode drops = g.putArray("drop_offs");
            for (PathMap.DropOff d : c.dropOffs()) {
                drops.addObject().put("activity", d.activity()).put("cases", d.cases()).put("share", round(d.share()));
            }
        }
        return o;
    }

    private static void endpoints(ArrayNode a, List<PathMap.Endpoint> list) {
        for (PathMap.Endpoint e : list) {
            a.addObject().put("activity", e.activity()).put("cases", e.cases());
        }
    }

    private static void strings(ArrayNode a, List<String> list) {
        list.forEach(a::add);
    }

    private static double round(double d) {
        return Math.round(d * 10_000) / 10_000.0;
    }

    /**
     * The map as CSV with the header
     * {@code kind,from,to,frequency,cases,mean_ms,median_ms,p90_ms}; {@code kind} is activity
     * (name in {@code from}), edge, start or end.
     */
    public static String csv(PathMap m) {
        StringBuilder b = new StringBuilder("kind,from,to,frequency,cases,mean_ms,median_ms,p90_ms\n");
        for (PathMap.Activity a : m.activities()) {
            b.append("activity,").append(cell(a.name())).append(",,").append(a.frequency()).append(',').append(a.cases()).append(",,,\n");
        }
        for (PathMap.Edge e : m.edges()) {
            b.append("edge,").append(cell(e.from())).append(',').append(cell(e.to())).append(',').append(e.frequency()).append(',')
                    .append(e.cases()).append(',');
            if (e.duration() != null) {
                b.append(Math.round(e.duration().meanMs())).append(',').append(Math.round(e.duration().medianMs())).append(',')
                        .append(e.duration().p90Ms());
            } else {
                b.append(",,");
            }
            b.append('\n');
        }
        for (PathMap.Endpoint s : m.starts()) {
            b.append("start,,").append(cell(s.activity())).append(',').append(s.cases()).append(',').append(s.cases()).append(",,,\n");
        }
        for (PathMap.Endpoint e : m.ends()) {
            b.append("end,").append(cell(e.activity())).append(",,").append(e.cases()).append(',').append(e.cases()).append(",,,\n");
        }
        return b.toString();
    }

    private static String cell(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** The map as a Graphviz digraph: boxes for activities, a start and an end node, edges labelled with counts and median times. */
    public static String dot(PathMap m) {
        StringBuilder b = new StringBuilder("digraph pathmap {\n  rankdir=TB;\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", fontname=\"Helvetica\"];\n"
                + "  edge [fontname=\"Helvetica\", fontsize=10];\n  \"__start\" [label=\"start\", shape=circle, fillcolor=\"#c8e6c9\"];\n"
                + "  \"__end\" [label=\"end\", shape=doublecircle, fillcolor=\"#ffcdd2\"];\n");
        Map<String, String> ids = new HashMap<>();
        int i = 0;
        long max = 1;
        for (PathMap.Edge e : m.edges()) {
            max = Math.max(max, e.frequency());
        }
        for (PathMap.Activity a : m.activities()) {
            String id = "a" + i++;
            ids.put(a.name(), id);
            b.append("  ").append(id).append(" [label=").append(quote(a.name() + "\n" + a.frequency())).append("];\n");
        }
        for (PathMap.Endpoint s : m.starts()) {
            b.append("  \"__start\" -> ").append(ids.get(s.activity())).append(" [label=").append(quote(String.valueOf(s.cases())))
                    .append(", style=dashed];\n");
        }
        for (PathMap.Edge e : m.edges()) {
            String label = e.frequency() + (e.duration() == null ? "" : "\n" + human(e.duration().medianMs()));
            double width = 1 + 4.0 * e.frequency() / max;
            b.append("  ").append(ids.get(e.from())).append(" -> ").append(ids.get(e.to())).append(" [label=").append(quote(label))
                    .append(", penwidth=").append(String.format(Locale.ROOT, "%.2f", width)).append("];\n");
        }
        for (PathMap.Endpoint e : m.ends()) {
            b.append("  ").append(ids.get(e.activity())).append(" -> \"__end\" [label=").append(quote(String.valueOf(e.cases())))
                    .append(", style=dashed];\n");
        }
        return b.append("}\n").toString();
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }

    /** A duration for a label: 45s, 12m, 3.5h, 2.1d. */
    public static String human(double ms) {
        double s = ms / 1000;
        if (s < 60) {
            return String.format(Locale.ROOT, "%.0fs", s);
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%.0fm", s / 60);
        }
        if (s < 86_400) {
            return String.format(Locale.ROOT, "%.1fh", s / 3600);
        }
        return String.format(Locale.ROOT, "%.1fd", s / 86_400);
    }
}

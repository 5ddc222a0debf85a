package io.waymark.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.error.FieldError;
import io.waymark.error.PayloadTooLargeException;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import io.waymark.pathfinder.CsvMapping;
import io.waymark.pathfinder.Dataset;
import io.waymark.pathfinder.MapExport;
import io.waymark.pathfinder.MapRequest;
import io.waymark.pathfinder.PathFinder;
import io.waymark.pathfinder.PathMap;
import io.waymark.pathfinder.TouchpointConfig;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * {@code /api/v1/pathfinder}: the touchpoint configuration, discovery over the live signal log,
 * and imported datasets (upload a file, discover on it as often as wanted, export the map).
 */
final class PathFinderApi {
    /** Uploads are streamed into the parser, so this bounds bytes read, not memory. */
    static final long MAX_UPLOAD = 4L * 1024 * 1024 * 1024;

    private final PathFinder pathFinder;
    private final long maxBody;

    PathFinderApi(PathFinder pathFinder, long maxBody) {
        this.pathFinder = pathFinder;
        this.maxBody = maxBody;
    }

    void touchpoints(Context ctx) {
        Responses.json(ctx, 200, pathFinder.touchpoints(Authentication.actor(ctx)).toJson());
    }

    void configure(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        TouchpointConfig config = TouchpointConfig.fromJson(JsonBody.required(ctx, maxBody));
        Responses.json(ctx, 200, pathFinder.configure(actor, config).toJson());
    }

    void liveMap(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        MapExport.Format format = format(ctx);
        MapRequest request = MapRequest.fromJson(JsonBody.optional(ctx, maxBody));
        send(ctx, pathFinder.discoverLive(actor, request), format);
    }

    void liveCompare(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        Segments s = segments(ctx);
        Responses.json(ctx, 200, comparison(PathFinder.compare(pathFinder.discoverLive(actor, s.a()), pathFinder.discoverLive(actor, s.b()))));
    }

    void upload(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        String name = Params.text(ctx, "name");
        String format = Params.text(ctx, "format");
        if (format == null) {
            String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
            format = type.startsWith("text/csv") || Params.text(ctx, "case") != null ? "csv" : "xes";
        }
        PathFinder.LogSource source;
        if (format.equalsIgnoreCase("xes")) {
            source = PathFinder.LogSource.xes();
        } else if (format.equalsIgnoreCase("csv")) {
            String delimiter = ctx.queryParam("delimiter");
            if (delimiter != null && delimiter.equals("tab")) {
                delimiter = "\t";
            }
            if (delimiter != null && delimiter.length() != 1) {
                throw Params.invalid("delimiter", "must be one character (or tab)");
            }
            source = PathFinder.LogSource.csv(new CsvMapping(Params.text(ctx, "case"), Params.text(ctx, "activity"), Params.text(ctx, "timestamp"),
                    Params.text(ctx, "lifecycle"), delimiter == null ? ',' : delimiter.charAt(0)).validated(""));
        } else {
            throw Params.invalid("format", "must be xes or csv");
        }
        if (ctx.req().getContentLengthLong() > MAX_UPLOAD) {
            throw new PayloadTooLargeException("A log file may have at most " + MAX_UPLOAD / (1024 * 1024 * 1024) + " GB");
        }
        try (InputStream in = new Limited(ctx.req().getInputStream(), MAX_UPLOAD)) {
            if (name == null) {
                throw Params.invalid("name", "is required: the dataset's name");
            }
            Dataset d = pathFinder.importLog(actor, name, source, in);
            ctx.header("Location", WaymarkServer.API + "/pathfinder/datasets/" + d.id());
            Responses.json(ctx, 201, dataset(d));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void datasets(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        Responses.json(ctx, 200, Responses.list(pathFinder.datasets(actor).stream().map(PathFinderApi::dataset).toList()));
    }

    void dataset(Context ctx) {
        Responses.json(ctx, 200, dataset(pathFinder.dataset(Authentication.actor(ctx), id(ctx))));
    }

    void deleteDataset(Context ctx) {
        pathFinder.deleteDataset(Authentication.actor(ctx), id(ctx));
        Responses.noContent(ctx);
    }

    void datasetMap(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        UUID id = id(ctx);
        MapExport.Format format = format(ctx);
        MapRequest request = MapRequest.fromJson(JsonBody.optional(ctx, maxBody));
        send(ctx, pathFinder.discover(actor, id, request), format);
    }

    void datasetCompare(Context ctx) {
        Actor actor = Authentication.actor(ctx);
        UUID id = id(ctx);
        Segments s = segments(ctx);
        Responses.json(ctx, 200, comparison(PathFinder.compare(pathFinder.discover(actor, id, s.a()), pathFinder.discover(actor, id, s.b()))));
    }

    private record Segments(MapRequest a, MapRequest b) {
    }

    private Segments segments(Context ctx) {
        JsonNode body = JsonBody.required(ctx, maxBody);
        if (!body.isObject() || !body.has("a") || !body.has("b") || body.size() != 2) {
            throw new ValidationException("A comparison needs two segments", List.of(new FieldError("body", "must be {\"a\": {…}, \"b\": {…}}, each a discovery request")));
        }
        return new Segments(prefixed(body.get("a"), "a"), prefixed(body.get("b"), "b"));
    }

    private static MapRequest prefixed(JsonNode node, String prefix) {
        try {
            return MapRequest.fromJson(node);
        } catch (ValidationException e) {
            throw new ValidationException(e.getMessage(), e.errors().stream().map(f -> f.prefixed(prefix)).toList());
        }
    }

    private static UUID id(Context ctx) {
        UUID id = Ids.parse(ctx.pathParam("id"));
        if (id == null) {
            throw Params.invalid("id", "must be a dataset id (a UUID)");
        }
        return id;
    }

    private static MapExport.Format format(Context ctx) {
        String f = Params.text(ctx, "format");
        return f == null ? MapExport.Format.JSON : MapExport.Format.parse(f, "format");
    }

    private static void send(Context ctx, PathMap map, MapExport.Format format) {
        if (format == MapExport.Format.JSON) {
            Responses.json(ctx, 200, MapExport.json(map));
            return;
        }
        ctx.status(200);
        ctx.contentType(format.mediaType() + "; charset=utf-8");
        ctx.header("Content-Disposition", "attachment; filename=\"pathmap." + format.extension() + "\"");
        ctx.result(MapExport.write(map, format));
    }

    static ObjectNode dataset(Dataset d) {
        ObjectNode o = Json.object();
        o.put("id", d.id().toString());
        o.put("name", d.name());
        o.put("format", d.format());
        o.put("cases", d.cases());
        o.put("events", d.events());
        o.put("event_classes", d.eventClasses());
        o.put("has_lifecycle", d.hasLifecycle());
        o.put("stored_bytes", d.storedBytes());
        o.put("created_at", d.createdAt().toString());
        o.put("created_by", d.createdBy() == null ? null : d.createdBy().toString());
        return o;
    }

    private static ObjectNode comparison(PathFinder.Comparison c) {
        ObjectNode o = Json.object();
        o.set("a", MapExport.json(c.a()));
        o.set("b", MapExport.json(c.b()));
        differences(o.putArray("activities"), c.activities());
        differences(o.putArray("edges"), c.edges());
        return o;
    }

    private static void differences(ArrayNode a, List<PathFinder.Difference> list) {
        for (PathFinder.Difference d : list) {
            a.addObject().put("name", d.name()).put("share_a", round(d.shareA())).put("share_b", round(d.shareB())).put("delta", round(d.delta()));
        }
    }

    private static double round(double d) {
        return Math.round(d * 10_000) / 10_000.0;
    }

    /** Stops reading past a limit with 413 rather than filling the disk or the parser forever. */
    private static final class Limited extends FilterInputStream {
        private final long max;
        private long read;

        Limited(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        private void count(long n) {
            if (n > 0 && (read += n) > max) {
                throw new PayloadTooLargeException("A log file may have at most " + max / (1024 * 1024 * 1024) + " GB");
            }
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count(b < 0 ? 0 : 1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            count(n);
            return n;
        }
    }
}

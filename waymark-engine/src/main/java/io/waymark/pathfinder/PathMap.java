package io.waymark.pathfinder;

import java.util.List;

/**
 * What discovery found: the directly-follows graph of touchpoints (activities) with frequencies
 * and times, start and end points, path variants, and — with a goal — conversion and drop-off.
 *
 * <p>{@code activities}, {@code edges}, {@code starts} and {@code ends} are the map as shown
 * (after simplification; {@code activityCount} and {@code edgeCount} count the whole graph).
 * Variants, trace lengths and conversion always describe the whole (filtered) log.
 *
 * @param cases         cases (customers) after filtering
 * @param events        events of those cases
 * @param activityCount distinct activities in the filtered log
 * @param edgeCount     distinct directly-follows pairs in the filtered log
 * @param variantCount  distinct variants in the filtered log
 * @param variants      the most frequent variants, most frequent first
 */
public record PathMap(
        String classifier,
        int cases,
        long events,
        int activityCount,
        int edgeCount,
        int variantCount,
        Lengths lengths,
        List<Activity> activities,
        List<Edge> edges,
        List<Endpoint> starts,
        List<Endpoint> ends,
        List<Variant> variants,
        Simplification simplification,
        Conversion conversion) {

    /** A touchpoint: how often it happened, and in how many cases. */
    public record Activity(String name, long frequency, int cases) {
    }

    /**
     * A directly-follows pair: {@code from} immediately followed by {@code to} in a case.
     *
     * @param frequency every occurrence of the pair
     * @param cases     cases with at least one occurrence
     * @param duration  time between the two (null when the log has no times)
     */
    public record Edge(String from, String to, long frequency, int cases, Durations duration) {
    }

    /**
     * Times between touchpoints, in milliseconds. The median of an even count is the mean of the
     * two middle values; p90 is the nearest-rank 90th percentile.
     */
    public record Durations(double meanMs, double medianMs, long p90Ms) {
    }

    /** A start or end point of paths, with how many cases start or end there. */
    public record Endpoint(String activity, int cases) {
    }

    /** One distinct path and how many cases took it; {@code share} is of all cases (0..1). */
    public record Variant(List<String> activities, int cases, double share) {
    }

    /** Case lengths in events. */
    public record Lengths(int min, double mean, int max) {
    }

    /** What simplification left out: shown versus all activities and edges, and the limits asked for. */
    public record Simplification(String activities, String edges, int shownActivities, int shownEdges) {
    }

    /**
     * Conversion against a goal: overall, per path (the touchpoints before the goal, or the whole
     * path of a case that never reached it), per touchpoint (cases that had it before the goal),
     * and the drop-off points (the last touchpoint of cases that never reached the goal).
     */
    public record Conversion(String goal, int cases, int converted, double rate, List<PathConversion> paths,
                             List<TouchpointConversion> touchpoints, List<DropOff> dropOffs) {
    }

    /** One path (the touchpoints before the goal, or all of them without it): cases, how many converted, and the rate (0..1). */
    public record PathConversion(List<String> activities, int cases, int converted, double rate) {
    }

    /** Cases that had a touchpoint before the goal (or at all, without it), how many of them converted, and the rate (0..1). */
    public record TouchpointConversion(String activity, int cases, int converted, double rate) {
    }

    /** {@code share} is of all cases that did not convert. */
    public record DropOff(String activity, int cases, double share) {
    }
}

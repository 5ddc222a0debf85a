package io.waymark.pathfinder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The real event logs of the workplace, in {@code ../shared/eventlogs} next to the repository
 * (see its README for the figures and the attribution: pm4py test data from 4TU.ResearchData —
 * WABO receipt phase, J.C.A.M. Buijs; road traffic fines, M. de Leoni and F. Mannhardt; helpdesk;
 * W.M.P. van der Aalst's running example). The small running example is also a test resource (see
 * its NOTICE), so its golden test always runs; a test needing a larger log that is not there is
 * skipped with the reason printed, as that folder's README asks.
 */
public final class EventLogs {
    private EventLogs() {
    }

    /** The shared folder, or null when this checkout has none beside it. */
    static Path dir() {
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("waymark-engine")) && Files.exists(p.resolve("pom.xml"))) {
                Path logs = p.resolve("../shared/eventlogs").normalize();
                return Files.isDirectory(logs) ? logs : null;
            }
        }
        return null;
    }

    public static Path file(String name) {
        Path dir = dir();
        if (dir != null && Files.isRegularFile(dir.resolve(name))) {
            return dir.resolve(name);
        }
        java.net.URL bundled = EventLogs.class.getResource("/eventlogs/" + name);
        if (bundled != null) {
            try {
                return Paths.get(bundled.toURI());
            } catch (java.net.URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        String reason = "Skipped: the real event log " + name + " is not here (expected in the workplace's shared/eventlogs folder"
                + " next to the repository" + (dir == null ? ", which this checkout does not have" : "") + ")";
        System.out.println(reason);
        org.junit.jupiter.api.Assumptions.abort(reason);
        return null;
    }
}

package io.waymark.pathfinder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The real event logs of the workplace, in {@code ../shared/eventlogs} next to the repository
 * (see its README for the figures and the attribution: pm4py test data from 4TU.ResearchData —
 * WABO receipt phase, J.C.A.M. Buijs; road traffic fines, M. de Leoni and F. Mannhardt; helpdesk;
 * W.M.P. van der Aalst's running example). They are not copied into the repository; a missing
 * folder fails the tests that need it, with this explanation, rather than skipping them quietly.
 */
public final class EventLogs {
    private EventLogs() {
    }

    public static Path dir() {
        Path here = Paths.get("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("waymark-engine")) && Files.exists(p.resolve("pom.xml"))) {
                Path logs = p.resolve("../shared/eventlogs").normalize();
                if (!Files.isDirectory(logs)) {
                    throw new AssertionError("The real event logs are missing: expected them in " + logs
                            + " (the workplace's shared/eventlogs folder, next to the repository). The golden tests need them.");
                }
                return logs;
            }
        }
        throw new AssertionError("Cannot find the repository root above " + here + " to locate ../shared/eventlogs");
    }

    public static Path file(String name) {
        Path f = dir().resolve(name);
        if (!Files.isRegularFile(f)) {
            throw new AssertionError("The event log " + f + " is missing from the workplace's shared/eventlogs folder");
        }
        return f;
    }
}

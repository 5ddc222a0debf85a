package io.waymark.pathfinder;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A log of cases (customers, tickets, orders) and their events, held compactly so that tens of
 * millions of events fit in memory: each distinct event class (a name and a life-cycle
 * transition) is interned to an int, a case is a range of two flat arrays (class ids and epoch
 * milliseconds), and case ids are kept once. Immutable once built; made by {@link Builder},
 * {@link XesReader}, {@link CsvReader} or from the signal log.
 *
 * <p>Events of a case are kept in the order they were given (file order for imports, time order
 * for the signal log).
 */
public final class EventLog {
    /** The time of an event that has none. */
    public static final long NO_TIME = Long.MIN_VALUE;

    private final String[] classNames;
    private final String[] classLifecycles;
    private final String[] caseIds;
    private final int[] caseStart; // length cases + 1
    private final int[] eventClass;
    private final long[] eventTime;

    private EventLog(String[] classNames, String[] classLifecycles, String[] caseIds, int[] caseStart, int[] eventClass, long[] eventTime) {
        this.classNames = classNames;
        this.classLifecycles = classLifecycles;
        this.caseIds = caseIds;
        this.caseStart = caseStart;
        this.eventClass = eventClass;
        this.eventTime = eventTime;
    }

    public int caseCount() {
        return caseIds.length;
    }

    public int eventCount() {
        return caseStart[caseIds.length];
    }

    public String caseId(int c) {
        return caseIds[c];
    }

    /** Index of the first event of case {@code c}; the case ends at {@code caseStart(c + 1)}. */
    public int caseStart(int c) {
        return caseStart[c];
    }

    public int eventClass(int e) {
        return eventClass[e];
    }

    public long eventTime(int e) {
        return eventTime[e];
    }

    public int classCount() {
        return classNames.length;
    }

    public String className(int k) {
        return classNames[k];
    }

    /** The life-cycle transition of an event class, or null. */
    public String classLifecycle(int k) {
        return classLifecycles[k];
    }

    /** Whether any event carries a life-cycle transition (so the name+lifecycle classifier means something). */
    public boolean hasLifecycle() {
        for (String l : classLifecycles) {
            if (l != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * The activities under a classifier: {@code labels} receives each activity's label, and the
     * result maps each event class to its activity's index.
     */
    public int[] activities(Classifier classifier, List<String> labels) {
        int[] map = new int[classNames.length];
        Map<String, Integer> index = new HashMap<>();
        for (int k = 0; k < classNames.length; k++) {
            String label = classifier.label(classNames[k], classLifecycles[k]);
            Integer i = index.get(label);
            if (i == null) {
                i = labels.size();
                index.put(label, i);
                labels.add(label);
            }
            map[k] = i;
        }
        return map;
    }

    /** Writes the log in a compact binary form that {@link #readFrom} reads back. */
    public void writeTo(DataOutputStream out) throws IOException {
        out.writeInt(0x57504C31); // "WPL1"
        out.writeInt(classNames.length);
        for (int k = 0; k < classNames.length; k++) {
            out.writeUTF(classNames[k]);
            out.writeBoolean(classLifecycles[k] != null);
            if (classLifecycles[k] != null) {
                out.writeUTF(classLifecycles[k]);
            }
        }
        out.writeInt(caseIds.length);
        for (int c = 0; c < caseIds.length; c++) {
            out.writeUTF(caseIds[c]);
            out.writeInt(caseStart[c + 1] - caseStart[c]);
        }
        int n = eventCount();
        for (int e = 0; e < n; e++) {
            out.writeInt(eventClass[e]);
        }
        long prev = 0;
        for (int e = 0; e < n; e++) {
            // Deltas are small and compress well.
            out.writeLong(eventTime[e] == NO_TIME ? NO_TIME : eventTime[e] - prev);
            if (eventTime[e] != NO_TIME) {
                prev = eventTime[e];
            }
        }
    }

    /** Reads a log written by {@link #writeTo}. */
    public static EventLog readFrom(DataInputStream in) throws IOException {
        if (in.readInt() != 0x57504C31) {
            throw new IOException("Not a stored event log");
        }
        int classes = in.readInt();
        String[] names = new String[classes];
        String[] lifecycles = new String[classes];
        for (int k = 0; k < classes; k++) {
            names[k] = in.readUTF();
            lifecycles[k] = in.readBoolean() ? in.readUTF() : null;
        }
        int cases = in.readInt();
        String[] ids = new String[cases];
        int[] start = new int[cases + 1];
        for (int c = 0; c < cases; c++) {
            ids[c] = in.readUTF();
            start[c + 1] = start[c] + in.readInt();
        }
        int n = start[cases];
        int[] cls = new int[n];
        for (int e = 0; e < n; e++) {
            cls[e] = in.readInt();
        }
        long[] time = new long[n];
        long prev = 0;
        for (int e = 0; e < n; e++) {
            long d = in.readLong();
            if (d == NO_TIME) {
                time[e] = NO_TIME;
            } else {
                time[e] = prev + d;
                prev = time[e];
            }
        }
        return new EventLog(names, lifecycles, ids, start, cls, time);
    }

    /**
     * Builds a log case by case, interning event classes as it goes. Not thread-safe.
     *
     * <pre>{@code
     * EventLog.Builder b = new EventLog.Builder();
     * b.startCase("c1");
     * b.event("Website", null, t1);
     * b.event("Email opened", null, t2);
     * EventLog log = b.build();
     * }</pre>
     */
    public static final class Builder {
        private final Map<String, Map<String, Integer>> classIndex = new HashMap<>();
        private final List<String> names = new ArrayList<>();
        private final List<String> lifecycles = new ArrayList<>();
        private final long maxEvents;
        private String[] ids = new String[1024];
        private int[] starts = new int[1025];
        private int cases;
        private int[] cls = new int[4096];
        private long[] times = new long[4096];
        private int events;
        private boolean open;

        public Builder() {
            this(Integer.MAX_VALUE - 16);
        }

        /** A builder that refuses more than {@code maxEvents} events. */
        public Builder(long maxEvents) {
            this.maxEvents = Math.min(maxEvents, Integer.MAX_VALUE - 16);
        }

        /** Starts the next case; the previous one (if any) ends. */
        public void startCase(String id) {
            if (cases == ids.length) {
                ids = Arrays.copyOf(ids, ids.length * 2);
                starts = Arrays.copyOf(starts, ids.length + 1);
            }
            ids[cases] = id;
            starts[cases] = events;
            cases++;
            starts[cases] = events;
            open = true;
        }

        /** Changes the id of the current case. */
        public void renameCase(String id) {
            if (!open) {
                throw new IllegalStateException("startCase first");
            }
            ids[cases - 1] = id;
        }

        /** Interns an event class and returns its id (for callers that add many events of few classes). */
        public int eventClass(String name, String lifecycle) {
            Map<String, Integer> byLifecycle = classIndex.computeIfAbsent(name, n -> new HashMap<>(4));
            String key = lifecycle == null ? "\u0000none" : lifecycle;
            Integer k = byLifecycle.get(key);
            if (k == null) {
                k = names.size();
                byLifecycle.put(key, k);
                names.add(name);
                lifecycles.add(lifecycle);
            }
            return k;
        }

        /** Adds an event to the current case. */
        public void event(String name, String lifecycle, long epochMillis) {
            event(eventClass(name, lifecycle), epochMillis);
        }

        /** Adds an event of an interned class to the current case. */
        public void event(int eventClass, long epochMillis) {
            if (!open) {
                throw new IllegalStateException("startCase first");
            }
            if (events >= maxEvents) {
                throw new LogFormatException("The log has more than " + maxEvents + " events, the most one log may hold", -1);
            }
            if (events == cls.length) {
                int grown = (int) Math.min(maxEvents, (long) cls.length * 2);
                cls = Arrays.copyOf(cls, grown);
                times = Arrays.copyOf(times, grown);
            }
            cls[events] = eventClass;
            times[events] = epochMillis;
            events++;
            starts[cases] = events;
        }

        public int events() {
            return events;
        }

        public int cases() {
            return cases;
        }

        public EventLog build() {
            return new EventLog(names.toArray(String[]::new), lifecycles.toArray(String[]::new), Arrays.copyOf(ids, cases),
                    Arrays.copyOf(starts, cases + 1), Arrays.copyOf(cls, events), Arrays.copyOf(times, events));
        }
    }
}

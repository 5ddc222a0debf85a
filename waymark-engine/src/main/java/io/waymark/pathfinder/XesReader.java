package io.waymark.pathfinder;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads an IEEE 1849 XES log, plain or gzip-compressed (recognised by its first bytes, not its
 * name), as a stream: the file is never held whole, only the compact {@link EventLog} grows.
 *
 * <p>Of each trace it keeps {@code concept:name} (the case id); of each event
 * {@code concept:name}, {@code lifecycle:transition} and {@code time:timestamp}, taken from the
 * event's own attributes (nested attributes are skipped) or, when absent, from the log's
 * {@code <global scope="event">} defaults. Everything else is skipped. DTDs and external entities
 * are refused. A malformed file raises {@link LogFormatException} with its line and column and the
 * element being read.
 */
public final class XesReader {
    private static final String NAME = "concept:name";
    private static final String LIFECYCLE = "lifecycle:transition";
    private static final String TIME = "time:timestamp";
    private static final XMLInputFactory FACTORY = factory();

    private final long maxEvents;

    public XesReader() {
        this(Integer.MAX_VALUE - 16);
    }

    /** A reader that refuses logs of more than {@code maxEvents} events. */
    public XesReader(long maxEvents) {
        this.maxEvents = maxEvents;
    }

    private static XMLInputFactory factory() {
        // Aalto rather than whatever the classpath offers: it is the fastest StAX parser, and its
        // behaviour (entity and DTD handling, locations in errors) is then known.
        XMLInputFactory f = new com.fasterxml.aalto.stax.InputFactoryImpl();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_COALESCING, false);
        return f;
    }

    /** Opens a stream that undoes gzip when the content starts with its magic bytes. */
    public static InputStream decompressed(InputStream raw) throws IOException {
        BufferedInputStream in = raw instanceof BufferedInputStream b ? b : new BufferedInputStream(raw, 1 << 16);
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        return b1 == 0x1f && b2 == 0x8b ? new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16) : in;
    }

    /** Reads a whole log from {@code raw} (not closed). */
    public EventLog read(InputStream raw) throws IOException {
        InputStream in = decompressed(raw);
        XMLStreamReader r;
        try {
            r = FACTORY.createXMLStreamReader(in);
        } catch (XMLStreamException e) {
            throw malformed(e, null);
        }
        EventLog.Builder log = new EventLog.Builder(maxEvents);
        String defaultName = null;
        String defaultLifecycle = null;
        String defaultTime = null;
        boolean inEventGlobal = false;
        boolean sawLog = false;
        int depth = 0;
        int traceDepth = -1;
        int eventDepth = -1;
        int traces = 0;
        String traceName = null;
        boolean traceStarted = false;
        String name = null;
        String lifecycle = null;
        String time = null;
        int eventLine = 0;
        String element = null;
        try {
            while (r.hasNext()) {
                int ev = r.next();
                if (ev == XMLStreamConstants.START_ELEMENT) {
                    depth++;
                    element = r.getLocalName();
                    if (depth == 1) {
                        if (!element.equals("log")) {
                            throw new LogFormatException(where(r) + ": the root element is <" + element + ">, not <log>: not an XES file", line(r));
                        }
                        sawLog = true;
                    } else if (depth == 2 && element.equals("trace")) {
                        traceDepth = depth;
                        traces++;
                        traceName = null;
                        traceStarted = false;
                    } else if (depth == 2 && element.equals("global")) {
                        inEventGlobal = "event".equals(r.getAttributeValue(null, "scope"));
                    } else if (depth == 3 && inEventGlobal) {
                        String key = r.getAttributeValue(null, "key");
                        String value = r.getAttributeValue(null, "value");
                        if (NAME.equals(key)) {
                            defaultName = value;
                        } else if (LIFECYCLE.equals(key)) {
                            defaultLifecycle = value;
                        } else if (TIME.equals(key)) {
                            defaultTime = value;
                        }
                    } else if (traceDepth > 0 && depth == traceDepth + 1) {
                        if (element.equals("event")) {
                            if (!traceStarted) {
                                log.startCase(traceName == null ? "trace " + traces : traceName);
                                traceStarted = true;
                            }
                            eventDepth = depth;
                            name = null;
                            lifecycle = null;
                            time = null;
                            eventLine = line(r);
                        } else if (NAME.equals(r.getAttributeValue(null, "key"))) {
                            traceName = r.getAttributeValue(null, "value");
                            if (traceStarted) {
                                // Some writers put the trace's attributes after its events.
                                log.renameCase(traceName);
                            }
                        }
                    } else if (eventDepth > 0 && depth == eventDepth + 1) {
                        // The hot path: by index, and the value only of the three keys we keep.
                        int keyAt = -1;
                        int valueAt = -1;
                        for (int i = r.getAttributeCount() - 1; i >= 0; i--) {
                            String a = r.getAttributeLocalName(i);
                            if (a.equals("key")) {
                                keyAt = i;
                            } else if (a.equals("value")) {
                                valueAt = i;
                            }
                        }
                        if (keyAt >= 0 && valueAt >= 0) {
                            switch (r.getAttributeValue(keyAt)) {
                                case NAME -> name = r.getAttributeValue(valueAt);
                                case LIFECYCLE -> lifecycle = r.getAttributeValue(valueAt);
                                case TIME -> time = r.getAttributeValue(valueAt);
                                default -> {
                                }
                            }
                        }
                    }
                } else if (ev == XMLStreamConstants.END_ELEMENT) {
                    if (depth == eventDepth) {
                        eventDepth = -1;
                        String n = name != null ? name : defaultName;
                        if (n == null) {
                            throw new LogFormatException("line " + eventLine + ": <event> of trace '" + (traceName == null ? "#" + traces : traceName)
                                    + "' has no concept:name", eventLine);
                        }
                        String t = time != null ? time : defaultTime;
                        long millis = EventLog.NO_TIME;
                        if (t != null) {
                            try {
                                millis = Timestamps.parse(t);
                            } catch (IllegalArgumentException e) {
                                throw new LogFormatException("line " + eventLine + ": <event> of trace '" + (traceName == null ? "#" + traces : traceName)
                                        + "': time:timestamp " + e.getMessage(), eventLine);
                            }
                        }
                        log.event(log.eventClass(n, lifecycle != null ? lifecycle : defaultLifecycle), millis);
                    } else if (depth == traceDepth) {
                        traceDepth = -1;
                        if (!traceStarted) {
                            // A trace without events is still a case (of length 0).
                            log.startCase(traceName == null ? "trace " + traces : traceName);
                        }
                    } else if (depth == 2) {
                        inEventGlobal = false;
                    }
                    depth--;
                }
            }
            r.close();
        } catch (XMLStreamException e) {
            throw malformed(e, element);
        } catch (LogFormatException e) {
            if (e.line() < 0) {
                throw new LogFormatException("line " + safeLine(r) + ": " + e.getMessage(), safeLine(r));
            }
            throw e;
        }
        if (!sawLog) {
            throw new LogFormatException("The file holds no <log> element: not an XES file", 1);
        }
        return log.build();
    }

    private static int safeLine(XMLStreamReader r) {
        try {
            return r.getLocation().getLineNumber();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static int line(XMLStreamReader r) {
        return r.getLocation().getLineNumber();
    }

    private static String where(XMLStreamReader r) {
        Location l = r.getLocation();
        return "line " + l.getLineNumber() + ", column " + l.getColumnNumber();
    }

    private static LogFormatException malformed(XMLStreamException e, String element) {
        Location l = e.getLocation();
        String msg = e.getMessage();
        // The JDK parser prefixes its message with "ParseError at [row,col]:[..]\nMessage: ".
        int m = msg == null ? -1 : msg.indexOf("Message: ");
        String detail = m >= 0 ? msg.substring(m + 9) : msg;
        String at = l == null ? "" : "line " + l.getLineNumber() + ", column " + l.getColumnNumber() + ": ";
        return new LogFormatException("Malformed XES: " + at + detail + (element == null ? "" : " (in or after <" + element + ">)"),
                l == null ? -1 : l.getLineNumber());
    }
}

package io.waymark.pathfinder;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a CSV event log (RFC 4180: a header row, quoted fields with doubled quotes, line breaks
 * inside quotes; plain or gzip) through a {@link CsvMapping}. Rows of one case may be anywhere in
 * the file: each case's events are ordered by time, rows with the same time keeping their file
 * order. The file is streamed; only the compact columns it maps are kept. A malformed row raises
 * {@link LogFormatException} naming its line.
 */
public final class CsvReader {
    private final CsvMapping mapping;
    private final long maxEvents;

    public CsvReader(CsvMapping mapping) {
        this(mapping, Integer.MAX_VALUE - 16);
    }

    public CsvReader(CsvMapping mapping, long maxEvents) {
        this.mapping = mapping.validated("");
        this.maxEvents = maxEvents;
    }

    /** Reads the whole log from {@code raw} (not closed). */
    public EventLog read(InputStream raw) throws IOException {
        Reader in = new InputStreamReader(XesReader.decompressed(raw), StandardCharsets.UTF_8);
        Lexer lex = new Lexer(in, mapping.delimiter());
        List<String> header = lex.row();
        if (header == null) {
            throw new LogFormatException("line 1: the file is empty; a header row naming the columns is expected", 1);
        }
        if (!header.isEmpty() && header.get(0).startsWith("\uFEFF")) {
            header.set(0, header.get(0).substring(1));
        }
        int caseCol = column(header, mapping.caseColumn(), "case");
        int actCol = column(header, mapping.activityColumn(), "activity");
        int timeCol = column(header, mapping.timestampColumn(), "timestamp");
        int lcCol = mapping.lifecycleColumn() == null || mapping.lifecycleColumn().isBlank() ? -1
                : column(header, mapping.lifecycleColumn(), "lifecycle");
        int need = Math.max(Math.max(caseCol, actCol), Math.max(timeCol, lcCol));

        EventLog.Builder classes = new EventLog.Builder(maxEvents);
        Map<String, Integer> caseIndex = new HashMap<>();
        List<String> caseIds = new ArrayList<>();
        int[] rowCase = new int[4096];
        int[] rowClass = new int[4096];
        long[] rowTime = new long[4096];
        int rows = 0;
        List<String> row;
        while (true) {
            long line = lex.line();
            row = lex.row();
            if (row == null) {
                break;
            }
            if (row.size() == 1 && row.get(0).isEmpty()) {
                continue; // a blank line
            }
            if (row.size() <= need) {
                throw new LogFormatException("line " + line + ": the row has " + row.size() + " fields; the mapped columns need at least "
                        + (need + 1), line);
            }
            String caseId = row.get(caseCol);
            String activity = row.get(actCol).strip();
            if (caseId.isBlank()) {
                throw new LogFormatException("line " + line + ": the case column '" + mapping.caseColumn() + "' is empty", line);
            }
            if (activity.isEmpty()) {
                throw new LogFormatException("line " + line + ": the activity column '" + mapping.activityColumn() + "' is empty", line);
            }
            long time;
            try {
                time = Timestamps.parse(row.get(timeCol).strip());
            } catch (IllegalArgumentException e) {
                throw new LogFormatException("line " + line + ": column '" + mapping.timestampColumn() + "': " + e.getMessage(), line);
            }
            if (rows >= maxEvents) {
                throw new LogFormatException("line " + line + ": the log has more than " + maxEvents + " events, the most one log may hold", line);
            }
            if (rows == rowCase.length) {
                int grown = rows * 2;
                rowCase = Arrays.copyOf(rowCase, grown);
                rowClass = Arrays.copyOf(rowClass, grown);
                rowTime = Arrays.copyOf(rowTime, grown);
            }
            Integer c = caseIndex.get(caseId);
            if (c == null) {
                c = caseIds.size();
                caseIndex.put(caseId, c);
                caseIds.add(caseId);
            }
            String lc = lcCol < 0 ? null : row.get(lcCol).strip();
            rowCase[rows] = c;
            rowClass[rows] = classes.eventClass(activity, lc == null || lc.isEmpty() ? null : lc);
            rowTime[rows] = time;
            rows++;
        }
        // Group rows by case (counting sort keeps file order), then order each case by time.
        int cases = caseIds.size();
        int[] start = new int[cases + 1];
        for (int i = 0; i < rows; i++) {
            start[rowCase[i] + 1]++;
        }
        for (int c = 0; c < cases; c++) {
            start[c + 1] += start[c];
        }
        int[] fill = Arrays.copyOf(start, cases);
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[fill[rowCase[i]]++] = i;
        }
        for (int c = 0; c < cases; c++) {
            int from = start[c];
            int to = start[c + 1];
            boolean sorted = true;
            for (int i = from + 1; i < to && sorted; i++) {
                sorted = rowTime[order[i - 1]] <= rowTime[order[i]];
            }
            if (!sorted) {
                sortByTime(order, from, to, rowTime);
            }
        }
        EventLog.Builder out = classes;
        for (int c = 0; c < cases; c++) {
            out.startCase(caseIds.get(c));
            for (int i = start[c]; i < start[c + 1]; i++) {
                int r = order[i];
                out.event(rowClass[r], rowTime[r]);
            }
        }
        return out.build();
    }

    private static void sortByTime(int[] order, int from, int to, long[] time) {
        Integer[] boxed = new Integer[to - from];
        for (int i = from; i < to; i++) {
            boxed[i - from] = order[i];
        }
        // Stable: rows at the same time keep their file order.
        Arrays.sort(boxed, (a, b) -> Long.compare(time[a], time[b]));
        for (int i = from; i < to; i++) {
            order[i] = boxed[i - from];
        }
    }

    private int column(List<String> header, String name, String field) {
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).strip().equalsIgnoreCase(name.strip())) {
                return i;
            }
        }
        throw new LogFormatException("line 1: the header has no column '" + name + "' (for the " + field + "); it has " + header, 1);
    }

    /** Splits RFC 4180 rows, counting lines (a quoted field may span several). */
    private static final class Lexer {
        private final Reader in;
        private final char delimiter;
        private final char[] buf = new char[1 << 16];
        private int pos;
        private int len;
        private long line = 1;
        private final StringBuilder field = new StringBuilder();

        Lexer(Reader in, char delimiter) {
            this.in = in;
            this.delimiter = delimiter;
        }

        long line() {
            return line;
        }

        private int next() throws IOException {
            if (pos == len) {
                len = in.read(buf, 0, buf.length);
                pos = 0;
                if (len <= 0) {
                    len = 0;
                    return -1;
                }
            }
            return buf[pos++];
        }

        private int peek() throws IOException {
            if (pos == len) {
                len = in.read(buf, 0, buf.length);
                pos = 0;
                if (len <= 0) {
                    len = 0;
                    return -1;
                }
            }
            return buf[pos];
        }

        /** The next row's fields, or null at the end of the file. */
        List<String> row() throws IOException {
            int c = next();
            if (c == -1) {
                return null;
            }
            List<String> out = new ArrayList<>();
            field.setLength(0);
            while (true) {
                if (c == '"' && field.length() == 0) {
                    long started = line;
                    while (true) {
                        c = next();
                        if (c == -1) {
                            throw new LogFormatException("line " + started + ": a quoted field is never closed", started);
                        }
                        if (c == '"') {
                            if (peek() == '"') {
                                next();
                                field.append('"');
                            } else {
                                break;
                            }
                        } else {
                            if (c == '\n') {
                                line++;
                            }
                            field.append((char) c);
                        }
                    }
                    c = next();
                    if (c != delimiter && c != '\n' && c != '\r' && c != -1) {
                        throw new LogFormatException("line " + line + ": unexpected '" + (char) c + "' after a closing quote", line);
                    }
                    continue;
                }
                if (c == delimiter) {
                    out.add(field.toString());
                    field.setLength(0);
                } else if (c == '\r' || c == '\n' || c == -1) {
                    if (c == '\r' && peek() == '\n') {
                        next();
                    }
                    if (c != -1) {
                        line++;
                    }
                    out.add(field.toString());
                    return out;
                } else {
                    field.append((char) c);
                }
                c = next();
            }
        }
    }
}

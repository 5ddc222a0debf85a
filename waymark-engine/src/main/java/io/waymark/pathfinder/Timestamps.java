package io.waymark.pathfinder;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Parses ISO-8601 date-times as logs write them ({@code 2012-10-09T14:50:17+00:00},
 * {@code 2010-12-30T14:32:00.000+01:00}, {@code 2026-05-01 09:30:00Z}, {@code 2026-05-01T09:30},
 * {@code 2026-05-01}) to epoch milliseconds. A time without an offset is taken as UTC. The usual
 * shapes go through a hand-written path (a log import parses millions of them); anything else
 * falls back to {@link java.time}.
 */
public final class Timestamps {
    private Timestamps() {
    }

    /** Epoch milliseconds, or throws {@link IllegalArgumentException} naming the text. */
    public static long parse(CharSequence s) {
        long fast = fast(s);
        if (fast != Long.MIN_VALUE) {
            return fast;
        }
        String text = s.toString().strip();
        try {
            return OffsetDateTime.parse(text).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            // try the other forms
        }
        try {
            return LocalDateTime.parse(text.replace(' ', 'T'), DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            // try a date
        }
        try {
            return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + abbreviate(text) + "' is not an ISO-8601 date-time (e.g. 2026-05-01T09:30:00Z)");
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }

    private static long fast(CharSequence s) {
        int n = s.length();
        if (n < 16 || s.charAt(4) != '-' || s.charAt(7) != '-' || (s.charAt(10) != 'T' && s.charAt(10) != ' ')
                || s.charAt(13) != ':') {
            return Long.MIN_VALUE;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59) {
            return Long.MIN_VALUE;
        }
        int i = 16;
        int second = 0;
        int millis = 0;
        if (i < n && s.charAt(i) == ':') {
            second = digits(s, i + 1, 2);
            if (second < 0 || second > 59) {
                return Long.MIN_VALUE;
            }
            i += 3;
            if (i < n && (s.charAt(i) == '.' || s.charAt(i) == ',')) {
                i++;
                int scale = 100;
                int start = i;
                while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                    millis += (s.charAt(i) - '0') * scale;
                    scale /= 10;
                    i++;
                }
                if (i == start) {
                    return Long.MIN_VALUE;
                }
            }
        }
        int offsetSeconds = 0;
        if (i < n) {
            char c = s.charAt(i);
            if (c == 'Z' || c == 'z') {
                i++;
            } else if (c == '+' || c == '-') {
                int oh = digits(s, i + 1, 2);
                int om;
                if (i + 3 < n && s.charAt(i + 3) == ':') {
                    om = digits(s, i + 4, 2);
                    i += 6;
                } else if (i + 5 <= n) {
                    om = digits(s, i + 3, 2);
                    i += 5;
                } else {
                    om = 0;
                    i += 3;
                }
                if (oh < 0 || oh > 18 || om < 0 || om > 59) {
                    return Long.MIN_VALUE;
                }
                offsetSeconds = (c == '-' ? -1 : 1) * (oh * 3600 + om * 60);
            } else {
                return Long.MIN_VALUE;
            }
        }
        if (i != n) {
            return Long.MIN_VALUE;
        }
        if (day > 28 && day > LocalDate.of(year, month, 1).lengthOfMonth()) {
            return Long.MIN_VALUE;
        }
        long days = epochDay(year, month, day);
        return ((days * 86_400L + hour * 3600L + minute * 60L + second) - offsetSeconds) * 1000L + millis;
    }

    private static int digits(CharSequence s, int from, int count) {
        if (from + count > s.length()) {
            return -1;
        }
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** Days since 1970-01-01 (the algorithm of {@link LocalDate#toEpochDay()}). */
    private static long epochDay(int year, int month, int day) {
        long y = year;
        long total = 365 * y;
        if (y >= 0) {
            total += (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
        } else {
            total -= y / -4 - y / -100 + y / -400;
        }
        total += (367 * month - 362) / 12;
        total += day - 1;
        if (month > 2) {
            total--;
            if (!(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) {
                total--;
            }
        }
        return total - 719_528;
    }
}

package io.waymark.store;

import io.waymark.json.Json;
import io.waymark.record.Field;
import io.waymark.record.FieldType;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** How each field type is stored in a column, bound as a parameter and read back. */
final class Columns {
    private Columns() {
    }

    static String sqlType(FieldType type) {
        return switch (type) {
            case TEXT, EMAIL, PHONE, URL, PICKLIST -> "VARCHAR(2048)";
            case LONG_TEXT -> "VARCHAR(32000)";
            case MULTI_SELECT -> "VARCHAR(8000)";
            case INTEGER -> "BIGINT";
            case DECIMAL, CURRENCY, PERCENT -> "NUMERIC(28, 9)";
            case BOOLEAN -> "BOOLEAN";
            case DATE -> "DATE";
            case DATETIME -> "TIMESTAMP WITH TIME ZONE";
            case LOOKUP, OWNER -> "UUID";
        };
    }

    /** A readable, unique column name: the API name and a piece of the field's id. */
    static String columnName(Field f) {
        if (f.apiName().equals("Owner")) {
            return "owner_id";
        }
        String base = f.apiName().toLowerCase(Locale.ROOT);
        if (base.length() > 40) {
            base = base.substring(0, 40);
        }
        return "f_" + base + "_" + f.id().toString().substring(0, 6);
    }

    /** Rows as columns (one array per column, for {@code UNNEST}): {@code row} gives each item's {@code width} values. */
    static <T> Object[][] arrays(List<T> items, int width, java.util.function.Function<T, Object[]> row) {
        Object[][] out = new Object[width][items.size()];
        for (int k = 0; k < items.size(); k++) {
            Object[] values = row.apply(items.get(k));
            for (int col = 0; col < width; col++) {
                out[col][k] = values[col];
            }
        }
        return out;
    }

    /**
     * Binds each column as an array of its SQL type, from parameter {@code first} on; returns the
     * next parameter's index. For PostgreSQL statements that cast every parameter to its array
     * type ({@code CAST(? AS UUID[])}): UUIDs go as text in a binary array of text, which the cast
     * turns into UUIDs (the driver has no binary form for arrays of UUIDs).
     */
    static int bindArrays(java.sql.Connection c, PreparedStatement ps, int first, String[] types, Object[][] columns) throws SQLException {
        int p = first;
        for (int col = 0; col < types.length; col++) {
            if (types[col].equals("uuid")) {
                Object[] values = columns[col];
                String[] text = new String[values.length];
                for (int i = 0; i < values.length; i++) {
                    text[i] = values[i] == null ? null : values[i].toString();
                }
                ps.setArray(p++, c.createArrayOf("varchar", text));
            } else {
                ps.setArray(p++, array(c, types[col], columns[col]));
            }
        }
        return p;
    }

    /**
     * An SQL array of {@code type} holding {@code values}. Text and integer values go in an array
     * of their own Java type: the PostgreSQL driver sends those in binary, each element as its
     * length and bytes, where an {@code Object[]} is written as one text literal with every
     * character of every element escaped, and parsed back the same way by the server. For a batch
     * of signals with their JSON payloads, that escaping took about a sixth of the JVM's CPU time
     * in the journey pipeline (bench/README.md, eighth pass).
     */
    static java.sql.Array array(java.sql.Connection c, String type, Object[] values) throws SQLException {
        Object[] typed = switch (type) {
            case "varchar", "text" -> values instanceof String[] ? values : java.util.Arrays.copyOf(values, values.length, String[].class);
            case "int4" -> values instanceof Integer[] ? values : java.util.Arrays.copyOf(values, values.length, Integer[].class);
            case "int8" -> values instanceof Long[] ? values : java.util.Arrays.copyOf(values, values.length, Long[].class);
            default -> values;
        };
        return c.createArrayOf(type, typed);
    }

    /**
     * An instant as PostgreSQL reads a {@code timestamptz} from text (for arrays of times, cast in
     * the statement), or null, stored as the same instant bound as a value would be. The fraction
     * is rounded to microseconds, half up, as the driver rounds a bound value (PostgreSQL,
     * given more digits, rounds half to even). Years 1 to 9999 are written as ISO writes them;
     * ISO's year 0 and the years before it are 1 BC and earlier there, written with {@code BC};
     * years past 9999 are written without ISO's sign, which PostgreSQL would take for a zone.
     */
    static String timestampText(Instant at) {
        if (at == null) {
            return null;
        }
        Instant micros = at.plusNanos(500).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        OffsetDateTime t = micros.atOffset(ZoneOffset.UTC);
        int year = t.getYear();
        if (year > 0 && year <= 9999) {
            return micros.toString();
        }
        return String.format(Locale.ROOT, "%04d-%02d-%02d %02d:%02d:%02d.%06d+00%s", year > 0 ? year : 1 - year, t.getMonthValue(),
                t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond(), t.getNano() / 1000, year > 0 ? "" : " BC");
    }

    static void bind(PreparedStatement ps, int index, Object value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.NULL);
        } else if (value instanceof String s) {
            ps.setString(index, s);
        } else if (value instanceof Long l) {
            ps.setLong(index, l);
        } else if (value instanceof Integer i) {
            ps.setInt(index, i);
        } else if (value instanceof BigDecimal d) {
            ps.setBigDecimal(index, d);
        } else if (value instanceof Boolean b) {
            ps.setBoolean(index, b);
        } else if (value instanceof LocalDate d) {
            ps.setObject(index, d);
        } else if (value instanceof Instant t) {
            ps.setObject(index, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
        } else if (value instanceof UUID u) {
            ps.setObject(index, u);
        } else if (value instanceof byte[] bytes) {
            ps.setBytes(index, bytes);
        } else if (value instanceof List<?> list) {
            ps.setString(index, Json.write(list));
        } else {
            throw new IllegalArgumentException("Cannot bind " + value.getClass());
        }
    }

    /**
     * A field's value as PostgreSQL reads it from text (cast in the statement to
     * {@link #castFromText}), or null: what {@link #bind} would send, written out. Dates and
     * times before year 1 are written with {@code BC}, and years past 9999 without ISO's sign,
     * as PostgreSQL reads them.
     */
    static String text(Object value) {
        if (value == null) {
            return null;
        } else if (value instanceof String s) {
            return s;
        } else if (value instanceof BigDecimal d) {
            return d.toPlainString();
        } else if (value instanceof LocalDate d) {
            int year = d.getYear();
            return year > 0 ? String.format(Locale.ROOT, "%04d-%02d-%02d", year, d.getMonthValue(), d.getDayOfMonth())
                    : String.format(Locale.ROOT, "%04d-%02d-%02d BC", 1 - year, d.getMonthValue(), d.getDayOfMonth());
        } else if (value instanceof Instant t) {
            return timestampText(t);
        } else if (value instanceof List<?> list) {
            return Json.write(list);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Boolean || value instanceof UUID) {
            return value.toString();
        }
        throw new IllegalArgumentException("Cannot bind " + value.getClass());
    }

    /**
     * The type a field's column is cast to from {@link #text}: the column's type
     * ({@link #sqlType}) without its precision and scale, or null for the text columns, which
     * take the text as it is. The column's own length and scale then apply on assignment, as
     * they do to a bound value.
     */
    static String castFromText(FieldType type) {
        String column = sqlType(type);
        return column.startsWith("VARCHAR") ? null : column.replaceFirst("\\(.*\\)", "");
    }

    /** Binds with a null of the right SQL type (PostgreSQL wants to know it). */
    static void bindTyped(PreparedStatement ps, int index, Object value, FieldType type) throws SQLException {
        if (value != null) {
            bind(ps, index, value);
            return;
        }
        ps.setNull(index, switch (type) {
            case INTEGER -> Types.BIGINT;
            case DECIMAL, CURRENCY, PERCENT -> Types.NUMERIC;
            case BOOLEAN -> Types.BOOLEAN;
            case DATE -> Types.DATE;
            case DATETIME -> Types.TIMESTAMP_WITH_TIMEZONE;
            case LOOKUP, OWNER -> Types.OTHER;
            default -> Types.VARCHAR;
        });
    }

    static Object read(ResultSet rs, String column, FieldType type) throws SQLException {
        switch (type) {
            case TEXT, EMAIL, PHONE, URL, PICKLIST, LONG_TEXT -> {
                return rs.getString(column);
            }
            case MULTI_SELECT -> {
                String s = rs.getString(column);
                if (s == null) {
                    return null;
                }
                List<String> out = new ArrayList<>();
                Json.read(s).forEach(n -> out.add(n.asText()));
                return List.copyOf(out);
            }
            case INTEGER -> {
                long v = rs.getLong(column);
                return rs.wasNull() ? null : v;
            }
            case DECIMAL, CURRENCY, PERCENT -> {
                BigDecimal d = rs.getBigDecimal(column);
                return d == null ? null : normalize(d);
            }
            case BOOLEAN -> {
                boolean b = rs.getBoolean(column);
                return rs.wasNull() ? null : b;
            }
            case DATE -> {
                return rs.getObject(column, LocalDate.class);
            }
            case DATETIME -> {
                OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
                return t == null ? null : t.toInstant();
            }
            case LOOKUP, OWNER -> {
                return rs.getObject(column, UUID.class);
            }
            default -> throw new IllegalStateException(type.toString());
        }
    }

    static BigDecimal normalize(BigDecimal d) {
        BigDecimal s = d.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}

package io.waymark.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.waymark.Ids;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Turns JSON input into the stored Java value of a field, checking every rule of its type, and
 * stored values back into JSON. Stored types: text kinds and picklist → {@link String}; integer →
 * {@link Long}; decimal, currency, percent → {@link BigDecimal}; boolean → {@link Boolean}; date →
 * {@link LocalDate}; datetime → {@link Instant}; multi-select → {@code List<String>}; lookup and
 * owner → {@link UUID}.
 */
public final class FieldValues {
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s.]+(\\.[^@\\s.]+)+$");
    private static final Pattern PHONE = Pattern.compile("^\\+?[0-9(][0-9 ()\\-./]{1,28}[0-9)]$");
    private static final BigDecimal DECIMAL_LIMIT = new BigDecimal("1e18");

    private FieldValues() {
    }

    /** The outcome of converting one input value: the stored value, or why it was refused. */
    public record Result(Object value, String error) {
        static Result ok(Object v) {
            return new Result(v, null);
        }

        static Result fail(String message) {
            return new Result(null, message);
        }

        public boolean ok() {
            return error == null;
        }
    }

    /**
     * Converts a JSON value for {@code field}. JSON null (or a missing node) yields a null stored
     * value; whether that is allowed (required fields) is the caller's rule, not this method's.
     */
    public static Result fromJson(Field field, JsonNode node) {
        if (node == null || node.isNull()) {
            return Result.ok(null);
        }
        FieldType type = field.type();
        switch (type) {
            case TEXT, LONG_TEXT, EMAIL, PHONE, URL, PICKLIST -> {
                if (!node.isTextual()) {
                    return Result.fail("must be a string");
                }
                String s = node.textValue();
                if (type != FieldType.LONG_TEXT) {
                    s = s.strip();
                }
                if (s.isEmpty()) {
                    return Result.ok(null);
                }
                return text(field, s);
            }
            case INTEGER -> {
                if (!node.isIntegralNumber() && !(node.isNumber() && node.decimalValue().stripTrailingZeros().scale() <= 0)) {
                    return Result.fail("must be a whole number");
                }
                if (!node.isIntegralNumber() && node.decimalValue().abs().compareTo(DECIMAL_LIMIT) >= 0
                        || node.isBigInteger() && !node.canConvertToLong()) {
                    return Result.fail("is too large");
                }
                long v = node.isIntegralNumber() ? node.longValue() : node.decimalValue().longValueExact();
                return inRange(field, BigDecimal.valueOf(v)) ? Result.ok(v) : Result.fail(rangeMessage(field));
            }
            case DECIMAL, CURRENCY, PERCENT -> {
                if (!node.isNumber()) {
                    return Result.fail("must be a number");
                }
                BigDecimal v = node.decimalValue();
                if (v.abs().compareTo(DECIMAL_LIMIT) >= 0) {
                    return Result.fail("is too large (at most 18 digits before the decimal point)");
                }
                v = v.stripTrailingZeros();
                if (v.scale() < 0) {
                    v = v.setScale(0);
                }
                if (v.scale() > field.effectiveDecimalPlaces()) {
                    return Result.fail("may have at most " + field.effectiveDecimalPlaces() + " decimal places");
                }
                return inRange(field, v) ? Result.ok(v) : Result.fail(rangeMessage(field));
            }
            case BOOLEAN -> {
                return node.isBoolean() ? Result.ok(node.booleanValue()) : Result.fail("must be true or false");
            }
            case DATE -> {
                if (!node.isTextual()) {
                    return Result.fail("must be a date as YYYY-MM-DD");
                }
                try {
                    return Result.ok(LocalDate.parse(node.textValue()));
                } catch (DateTimeParseException e) {
                    return Result.fail("must be a date as YYYY-MM-DD");
                }
            }
            case DATETIME -> {
                if (!node.isTextual()) {
                    return Result.fail("must be a date-time with an offset, e.g. 2026-05-01T09:30:00Z");
                }
                Instant t = parseInstant(node.textValue());
                return t == null ? Result.fail("must be a date-time with an offset, e.g. 2026-05-01T09:30:00Z")
                        : Result.ok(t);
            }
            case MULTI_SELECT -> {
                if (!node.isArray()) {
                    return Result.fail("must be an array of strings");
                }
                List<String> values = new ArrayList<>();
                Set<String> seen = new HashSet<>();
                for (JsonNode item : node) {
                    if (!item.isTextual()) {
                        return Result.fail("must be an array of strings");
                    }
                    String s = item.textValue();
                    if (field.picklistIndex(s) < 0) {
                        return Result.fail("'" + abbreviate(s) + "' is not one of " + field.picklistValues());
                    }
                    if (!seen.add(s)) {
                        return Result.fail("lists '" + abbreviate(s) + "' twice");
                    }
                    values.add(s);
                }
                if (values.isEmpty()) {
                    return Result.ok(null);
                }
                values.sort((a, b) -> Integer.compare(field.picklistIndex(a), field.picklistIndex(b)));
                return Result.ok(List.copyOf(values));
            }
            case LOOKUP, OWNER -> {
                JsonNode idNode = node.isObject() ? node.get("id") : node;
                UUID id = idNode != null && idNode.isTextual() ? Ids.parse(idNode.textValue()) : null;
                return id == null ? Result.fail("must be a record id (a UUID) or an object with an 'id'") : Result.ok(id);
            }
            default -> throw new IllegalStateException(type.toString());
        }
    }

    private static Result text(Field field, String s) {
        int max = field.effectiveMaxLength();
        if (s.indexOf('\0') >= 0) {
            return Result.fail(io.waymark.json.Json.NUL_MESSAGE);
        }
        if (s.length() > max) {
            return Result.fail("is longer than " + max + " characters");
        }
        switch (field.type()) {
            case EMAIL -> {
                if (!EMAIL.matcher(s).matches()) {
                    return Result.fail("is not a valid email address");
                }
            }
            case PHONE -> {
                if (!PHONE.matcher(s).matches()) {
                    return Result.fail("is not a valid phone number");
                }
            }
            case URL -> {
                try {
                    URI uri = new URI(s);
                    String scheme = uri.getScheme();
                    if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                            || uri.getHost() == null) {
                        return Result.fail("is not a valid http(s) URL");
                    }
                } catch (URISyntaxException e) {
                    return Result.fail("is not a valid http(s) URL");
                }
            }
            case PICKLIST -> {
                if (field.picklistIndex(s) < 0) {
                    return Result.fail("'" + abbreviate(s) + "' is not one of " + field.picklistValues());
                }
            }
            default -> {
            }
        }
        return Result.ok(s);
    }

    private static boolean inRange(Field field, BigDecimal v) {
        return (field.min() == null || v.compareTo(field.min()) >= 0) && (field.max() == null || v.compareTo(field.max()) <= 0);
    }

    private static String rangeMessage(Field field) {
        if (field.min() != null && field.max() != null) {
            return "must be between " + field.min().toPlainString() + " and " + field.max().toPlainString();
        }
        return field.min() != null ? "must be at least " + field.min().toPlainString()
                : "must be at most " + field.max().toPlainString();
    }

    /** Parses an ISO-8601 instant with an offset ({@code Z} or {@code +02:00}), or returns null. */
    public static Instant parseInstant(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The JSON form of a stored value (references render as their id; the caller may expand them). */
    public static JsonNode toJson(Object value) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (value == null) {
            return f.nullNode();
        }
        if (value instanceof String s) {
            return f.textNode(s);
        }
        if (value instanceof Long l) {
            return f.numberNode(l);
        }
        if (value instanceof BigDecimal d) {
            return f.numberNode(d);
        }
        if (value instanceof Boolean b) {
            return f.booleanNode(b);
        }
        if (value instanceof List<?> list) {
            ArrayNode a = f.arrayNode();
            list.forEach(v -> a.add(String.valueOf(v)));
            return a;
        }
        return f.textNode(value.toString());
    }

    /** Equality of stored values, numeric scale-insensitive. */
    public static boolean same(Object a, Object b) {
        if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
            return x.compareTo(y) == 0;
        }
        return a == null ? b == null : a.equals(b);
    }

    static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}

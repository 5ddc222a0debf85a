package io.waymark.criteria;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.waymark.record.Field;
import io.waymark.record.FieldType;
import io.waymark.record.FieldValues;
import io.waymark.record.Module;
import io.waymark.record.Record;
import io.waymark.record.SystemFields;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Criteria checked against a module's metadata: every field exists, every operator suits its
 * field's type, every value has that type. Evaluates in memory ({@link #matches}); the store
 * translates the same compiled form into SQL, and both must agree (a property test holds them
 * to it). Semantics: text comparisons ignore case; a negative test ({@code not_equals},
 * {@code not_contains}, {@code not_in}) holds for an empty field, every other comparison fails on
 * one; on a multi-select field {@code equals}/{@code contains} mean "has this value", {@code in}
 * "has any of", and the negations "has none of".
 */
public final class CompiledCriteria {
    private final List<Test> tests;
    private final Expr expr;

    private CompiledCriteria(List<Test> tests, Expr expr) {
        this.tests = List.copyOf(tests);
        this.expr = expr;
    }

    /** One compiled condition: the field, the operator and typed values. */
    public record Test(Field field, Operator operator, List<Object> values) {
        /**
         * For {@code within_last}/{@code within_next}: the inclusive range [from, to], as
         * {@link LocalDate}s for date fields and {@link Instant}s for date-time fields.
         */
        public Object[] window(Instant now, ZoneId zone) {
            long days = (Long) values.get(0);
            if (field.type() == FieldType.DATE) {
                LocalDate today = LocalDate.ofInstant(now, zone);
                return operator == Operator.WITHIN_LAST ? new Object[] {today.minusDays(days), today}
                        : new Object[] {today, today.plusDays(days)};
            }
            return operator == Operator.WITHIN_LAST ? new Object[] {now.minus(Duration.ofDays(days)), now}
                    : new Object[] {now, now.plus(Duration.ofDays(days))};
        }

        /** For before/after on a date-time field given a date: the instant that bounds it. */
        public Instant dayBound(ZoneId zone) {
            LocalDate d = (LocalDate) values.get(0);
            return (operator == Operator.BEFORE ? d : d.plusDays(1)).atStartOfDay(zone).toInstant();
        }
    }

    public List<Test> tests() {
        return tests;
    }

    /** The pattern, or null when there are no conditions (everything matches). */
    public Expr expression() {
        return expr;
    }

    public boolean usesPrevious() {
        return tests.stream().anyMatch(t -> t.operator().needsPrevious());
    }

    /**
     * Compiles {@code criteria} for {@code module}.
     *
     * @param allowChanges whether {@code changed}, {@code changed_to}, {@code changed_from} may be
     *                     used (only where a previous version of the record exists: automation)
     */
    public static CompiledCriteria compile(Criteria criteria, Module module, boolean allowChanges) {
        Expr expr = criteria.expression();
        List<Test> tests = new ArrayList<>();
        int i = 0;
        for (Condition c : criteria.conditions()) {
            i++;
            // JSON paths count from 0 like bulk errors; the message names the pattern's number.
            String where = "conditions[" + (i - 1) + "]";
            Field field = SystemFields.resolve(module, c.field()).orElseThrow(() -> new CriteriaException(where,
                    "unknown field '" + c.field() + "' in module " + module.apiName()));
            Operator op = c.operator();
            if (op.needsPrevious() && !allowChanges) {
                throw new CriteriaException(where, "operator " + op.apiName() + " compares with a previous version and cannot filter a list");
            }
            if (!applies(op, field.type())) {
                throw new CriteriaException(where, "operator " + op.apiName() + " does not apply to " + field.apiName()
                        + " (a " + field.type().apiName() + " field)");
            }
            int n = c.values().size();
            if (op.arity() >= 0 && n != op.arity() || op.arity() < 0 && n == 0) {
                String want = op.arity() < 0 ? "at least one value" : op.arity() == 0 ? "no value" : op.arity() == 1 ? "one value" : op.arity() + " values";
                throw new CriteriaException(where, "operator " + op.apiName() + " takes " + want + ", got " + n);
            }
            List<Object> values = new ArrayList<>();
            for (JsonNode v : c.values()) {
                values.add(typed(where, field, op, v));
            }
            tests.add(new Test(field, op, values));
        }
        return new CompiledCriteria(tests, expr);
    }

    private static boolean applies(Operator op, FieldType type) {
        return switch (op) {
            case EQUALS, NOT_EQUALS, IS_EMPTY, IS_NOT_EMPTY, CHANGED, CHANGED_TO, CHANGED_FROM -> true;
            case CONTAINS, NOT_CONTAINS -> type.isText() || type == FieldType.MULTI_SELECT;
            case STARTS_WITH, ENDS_WITH -> type.isText();
            case LESS_THAN, LESS_EQUAL, GREATER_THAN, GREATER_EQUAL, BETWEEN -> type.isNumeric() || type.isTemporal();
            case IN, NOT_IN -> type != FieldType.BOOLEAN && !type.isDecimal() && !type.isTemporal();
            case BEFORE, AFTER, WITHIN_LAST, WITHIN_NEXT -> type.isTemporal();
        };
    }

    private static Object typed(String where, Field field, Operator op, JsonNode v) {
        if (op == Operator.WITHIN_LAST || op == Operator.WITHIN_NEXT) {
            long days;
            if (v.isIntegralNumber()) {
                days = v.longValue();
            } else if (v.isTextual() && v.textValue().strip().matches("\\d{1,5}")) {
                days = Long.parseLong(v.textValue().strip());
            } else {
                throw new CriteriaException(where, "operator " + op.apiName() + " takes a number of days");
            }
            if (days < 0 || days > 36_500) {
                throw new CriteriaException(where, "the number of days must be between 0 and 36500");
            }
            return days;
        }
        if (v.isNull()) {
            throw new CriteriaException(where, "a value may not be null; use is_empty");
        }
        FieldType type = field.type();
        // A free-text operator on a picklist searches text, so any string goes.
        if (type.isText() && (op == Operator.CONTAINS || op == Operator.NOT_CONTAINS || op == Operator.STARTS_WITH
                || op == Operator.ENDS_WITH)) {
            if (!v.isTextual() || v.textValue().isEmpty()) {
                throw new CriteriaException(where, "operator " + op.apiName() + " takes a non-empty string");
            }
            return v.textValue();
        }
        if (type == FieldType.DATETIME && v.isTextual() && v.textValue().strip().length() == 10) {
            try {
                LocalDate d = LocalDate.parse(v.textValue().strip());
                if (op == Operator.BEFORE || op == Operator.AFTER) {
                    return d;
                }
                throw new CriteriaException(where, "compare " + field.apiName() + " with a date-time such as " + d + "T00:00:00Z");
            } catch (java.time.format.DateTimeParseException e) {
                // fall through to the ordinary message
            }
        }
        JsonNode normalized = v;
        if (v.isTextual()) {
            String s = v.textValue().strip();
            if (type.isNumeric()) {
                try {
                    normalized = DecimalNode.valueOf(new BigDecimal(s));
                } catch (NumberFormatException e) {
                    throw new CriteriaException(where, "'" + s + "' is not a number (" + field.apiName() + " is a " + type.apiName() + " field)");
                }
            } else if (type == FieldType.BOOLEAN) {
                if (!s.equalsIgnoreCase("true") && !s.equalsIgnoreCase("false")) {
                    throw new CriteriaException(where, field.apiName() + " is a boolean field: compare with true or false");
                }
                normalized = BooleanNode.valueOf(Boolean.parseBoolean(s.toLowerCase(Locale.ROOT)));
            } else {
                normalized = TextNode.valueOf(s);
            }
        }
        Field check = field;
        if (type == FieldType.MULTI_SELECT) {
            FieldValues.Result r = FieldValues.fromJson(field, normalized.isArray() ? normalized
                    : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode().add(normalized));
            if (!r.ok() || r.value() == null) {
                throw new CriteriaException(where, "value for " + field.apiName() + " " + (r.ok() ? "is empty" : r.error()));
            }
            return ((List<?>) r.value()).get(0);
        }
        if (type == FieldType.DECIMAL || type == FieldType.CURRENCY || type == FieldType.PERCENT || type == FieldType.INTEGER) {
            // Comparisons do not care about the field's own limits: "Amount > 0.005" is a fair question.
            if (!normalized.isNumber()) {
                throw new CriteriaException(where, "value for " + field.apiName() + " must be a number");
            }
            BigDecimal d = normalized.decimalValue();
            // Beyond the range of a long a value stays a BigDecimal: narrowing would wrap around.
            boolean fitsLong = d.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) >= 0 && d.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0;
            return type == FieldType.INTEGER && d.stripTrailingZeros().scale() <= 0 && fitsLong ? (Object) d.longValueExact() : d;
        }
        if (type.isText() && type != FieldType.PICKLIST) {
            if (!normalized.isTextual()) {
                throw new CriteriaException(where, "value for " + field.apiName() + " must be a string");
            }
            return normalized.textValue();
        }
        FieldValues.Result r = FieldValues.fromJson(check, normalized);
        if (!r.ok() || r.value() == null) {
            throw new CriteriaException(where, "value for " + field.apiName() + " " + (r.ok() ? "is empty" : r.error()));
        }
        return r.value();
    }

    /**
     * Whether {@code record} meets the criteria.
     *
     * @param previous the record before the change being judged, or null (then {@code changed*}
     *                 tests fail)
     */
    public boolean matches(Record record, Record previous, Instant now, ZoneId zone) {
        return expr == null || eval(expr, record, previous, now, zone);
    }

    private boolean eval(Expr e, Record r, Record prev, Instant now, ZoneId zone) {
        if (e instanceof Expr.Ref ref) {
            return test(tests.get(ref.index() - 1), r, prev, now, zone);
        }
        if (e instanceof Expr.And and) {
            for (Expr x : and.operands()) {
                if (!eval(x, r, prev, now, zone)) {
                    return false;
                }
            }
            return true;
        }
        if (e instanceof Expr.Or or) {
            for (Expr x : or.operands()) {
                if (eval(x, r, prev, now, zone)) {
                    return true;
                }
            }
            return false;
        }
        return !eval(((Expr.Not) e).operand(), r, prev, now, zone);
    }

    private static boolean test(Test t, Record r, Record prev, Instant now, ZoneId zone) {
        String name = t.field().apiName();
        Object v = r.value(name);
        Object first = t.values().isEmpty() ? null : t.values().get(0);
        boolean multi = t.field().type() == FieldType.MULTI_SELECT;
        return switch (t.operator()) {
            case IS_EMPTY -> v == null;
            case IS_NOT_EMPTY -> v != null;
            case EQUALS -> v != null && (multi ? has(v, first) : eq(v, first));
            case NOT_EQUALS -> v == null || !(multi ? has(v, first) : eq(v, first));
            case CONTAINS -> v != null && (multi ? has(v, first) : lower(v).contains(lower(first)));
            case NOT_CONTAINS -> v == null || !(multi ? has(v, first) : lower(v).contains(lower(first)));
            case STARTS_WITH -> v != null && lower(v).startsWith(lower(first));
            case ENDS_WITH -> v != null && lower(v).endsWith(lower(first));
            case IN -> v != null && t.values().stream().anyMatch(x -> multi ? has(v, x) : eq(v, x));
            case NOT_IN -> v == null || t.values().stream().noneMatch(x -> multi ? has(v, x) : eq(v, x));
            case LESS_THAN -> v != null && cmp(v, first) < 0;
            case LESS_EQUAL -> v != null && cmp(v, first) <= 0;
            case GREATER_THAN -> v != null && cmp(v, first) > 0;
            case GREATER_EQUAL -> v != null && cmp(v, first) >= 0;
            case BETWEEN -> v != null && cmp(v, first) >= 0 && cmp(v, t.values().get(1)) <= 0;
            case BEFORE -> v != null && (first instanceof LocalDate && v instanceof Instant ? cmp(v, t.dayBound(zone)) < 0 : cmp(v, first) < 0);
            case AFTER -> v != null && (first instanceof LocalDate && v instanceof Instant ? cmp(v, t.dayBound(zone)) >= 0 : cmp(v, first) > 0);
            case WITHIN_LAST, WITHIN_NEXT -> {
                if (v == null) {
                    yield false;
                }
                Object[] w = t.window(now, zone);
                yield cmp(v, w[0]) >= 0 && cmp(v, w[1]) <= 0;
            }
            case CHANGED -> prev != null && !FieldValues.same(prev.value(name), v);
            case CHANGED_TO -> {
                Object old = prev == null ? null : prev.value(name);
                yield prev != null && !FieldValues.same(old, v) && v != null
                        && (multi ? has(v, first) && !has(old, first) : eq(v, first));
            }
            case CHANGED_FROM -> {
                Object old = prev == null ? null : prev.value(name);
                yield prev != null && !FieldValues.same(old, v) && old != null
                        && (multi ? has(old, first) && !has(v, first) : eq(old, first));
            }
        };
    }

    private static boolean has(Object multiValue, Object x) {
        return multiValue instanceof List<?> list && list.contains(x);
    }

    private static String lower(Object o) {
        return o.toString().toLowerCase(Locale.ROOT);
    }

    private static boolean eq(Object a, Object b) {
        if (a instanceof String s && b instanceof String t) {
            return s.equalsIgnoreCase(t) && lower(s).equals(lower(t));
        }
        if (a instanceof Number || b instanceof Number) {
            return cmp(a, b) == 0;
        }
        return a.equals(b);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int cmp(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return toBig(x).compareTo(toBig(y));
        }
        return ((Comparable) a).compareTo(b);
    }

    private static BigDecimal toBig(Number n) {
        return n instanceof BigDecimal d ? d : BigDecimal.valueOf(n.longValue());
    }
}

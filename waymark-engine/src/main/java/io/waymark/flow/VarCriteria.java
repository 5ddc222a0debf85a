package io.waymark.flow;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.criteria.Condition;
import io.waymark.criteria.Criteria;
import io.waymark.criteria.Expr;
import io.waymark.criteria.Operator;
import io.waymark.error.FieldError;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Criteria over a run's variables rather than over one module's records: a condition's
 * {@code field} is a dotted variable path ({@code trip.Status}, {@code travellers}) and its values
 * may hold merge references. Used by kiosk decisions. Numbers compare as numbers, everything else
 * as text (ISO dates and times order correctly as text); a lookup compares by its id.
 */
public final class VarCriteria {
    /** The operators that make sense without a field type; the change operators need a previous record. */
    public static final Set<Operator> SUPPORTED = EnumSet.of(Operator.EQUALS, Operator.NOT_EQUALS, Operator.CONTAINS,
            Operator.NOT_CONTAINS, Operator.STARTS_WITH, Operator.ENDS_WITH, Operator.IS_EMPTY, Operator.IS_NOT_EMPTY,
            Operator.LESS_THAN, Operator.LESS_EQUAL, Operator.GREATER_THAN, Operator.GREATER_EQUAL, Operator.BETWEEN,
            Operator.IN, Operator.NOT_IN, Operator.BEFORE, Operator.AFTER);

    private VarCriteria() {
    }

    /** Checks that every operator is usable here and every path starts at a known variable. */
    public static void validate(Criteria criteria, Set<String> knownRoots, String path, List<FieldError> errors) {
        for (int i = 0; i < criteria.conditions().size(); i++) {
            Condition c = criteria.conditions().get(i);
            String where = path + ".conditions[" + i + "]";
            if (!SUPPORTED.contains(c.operator())) {
                errors.add(new FieldError(where + ".operator", c.operator().apiName() + " cannot be used on variables"));
            }
            String root = c.field().contains(".") ? c.field().substring(0, c.field().indexOf('.')) : c.field();
            if (!knownRoots.contains(root)) {
                errors.add(new FieldError(where + ".field", "'" + root + "' is not a value collected before this point; known: " + knownRoots));
            }
            for (JsonNode v : c.values()) {
                for (String r : Merge.roots(v)) {
                    if (!knownRoots.contains(r)) {
                        errors.add(new FieldError(where + ".values", "'{{" + r + "}}' is not a value collected before this point"));
                    }
                }
            }
        }
    }

    public static boolean matches(Criteria criteria, Map<String, JsonNode> vars) {
        Expr e = criteria.expression();
        return e == null || eval(e, criteria, vars);
    }

    private static boolean eval(Expr e, Criteria c, Map<String, JsonNode> vars) {
        if (e instanceof Expr.Ref r) {
            return test(c.conditions().get(r.index() - 1), vars);
        }
        if (e instanceof Expr.And a) {
            return a.operands().stream().allMatch(x -> eval(x, c, vars));
        }
        if (e instanceof Expr.Or o) {
            return o.operands().stream().anyMatch(x -> eval(x, c, vars));
        }
        return !eval(((Expr.Not) e).operand(), c, vars);
    }

    private static boolean test(Condition c, Map<String, JsonNode> vars) {
        JsonNode actual = Merge.scalar(Merge.lookup(c.field(), vars));
        List<JsonNode> values = new ArrayList<>();
        for (JsonNode v : c.values()) {
            values.add(Merge.scalar(Merge.resolve(v, vars)));
        }
        boolean empty = actual == null || actual.isNull() || (actual.isTextual() && actual.textValue().isEmpty())
                || (actual.isArray() && actual.isEmpty());
        return switch (c.operator()) {
            case IS_EMPTY -> empty;
            case IS_NOT_EMPTY -> !empty;
            case EQUALS -> !empty && equal(actual, values.get(0));
            case NOT_EQUALS -> empty || !equal(actual, values.get(0));
            case IN -> !empty && values.stream().anyMatch(v -> equal(actual, v));
            case NOT_IN -> empty || values.stream().noneMatch(v -> equal(actual, v));
            case CONTAINS -> !empty && contains(actual, values.get(0));
            case NOT_CONTAINS -> empty || !contains(actual, values.get(0));
            case STARTS_WITH -> !empty && text(actual).toLowerCase().startsWith(text(values.get(0)).toLowerCase());
            case ENDS_WITH -> !empty && text(actual).toLowerCase().endsWith(text(values.get(0)).toLowerCase());
            case LESS_THAN, BEFORE -> !empty && compare(actual, values.get(0)) < 0;
            case LESS_EQUAL -> !empty && compare(actual, values.get(0)) <= 0;
            case GREATER_THAN, AFTER -> !empty && compare(actual, values.get(0)) > 0;
            case GREATER_EQUAL -> !empty && compare(actual, values.get(0)) >= 0;
            case BETWEEN -> !empty && compare(actual, values.get(0)) >= 0 && compare(actual, values.get(1)) <= 0;
            default -> false;
        };
    }

    private static boolean contains(JsonNode actual, JsonNode v) {
        if (actual.isArray()) {
            for (JsonNode e : actual) {
                if (equal(Merge.scalar(e), v)) {
                    return true;
                }
            }
            return false;
        }
        return text(actual).toLowerCase().contains(text(v).toLowerCase());
    }

    private static boolean equal(JsonNode a, JsonNode b) {
        if (b == null || b.isNull()) {
            return false;
        }
        BigDecimal x = number(a);
        BigDecimal y = number(b);
        if (x != null && y != null) {
            return x.compareTo(y) == 0;
        }
        return text(a).equalsIgnoreCase(text(b));
    }

    private static int compare(JsonNode a, JsonNode b) {
        BigDecimal x = number(a);
        BigDecimal y = number(b);
        if (x != null && y != null) {
            return x.compareTo(y);
        }
        return text(a).compareTo(text(b));
    }

    private static BigDecimal number(JsonNode n) {
        if (n == null) {
            return null;
        }
        if (n.isNumber()) {
            return n.decimalValue();
        }
        if (n.isTextual()) {
            try {
                return new BigDecimal(n.textValue().strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? "" : n.isValueNode() ? n.asText() : n.toString();
    }
}

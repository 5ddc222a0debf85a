package io.waymark.action;

import io.waymark.error.FieldError;
import io.waymark.record.Field;
import io.waymark.record.FieldType;
import io.waymark.record.Module;
import io.waymark.record.ModuleCatalog;
import io.waymark.record.SystemFields;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Simple arithmetic for number, date and date-time values in action configs:
 * {@code Amount * 0.9}, {@code today + 3d}, {@code {{Deals.Closing_Date}} - 1w}, {@code now + 2h}.
 * Operands are numbers, durations ({@code 30m}, {@code 2h}, {@code 3d}, {@code 1w}, {@code 1mo},
 * {@code 1y}), {@code today}, {@code now}, field names of the subject module and merge fields;
 * operators {@code + - * /} and parentheses. The expression is parsed and type-checked when the
 * definition is saved, and evaluated when the action runs.
 */
public final class ValueExpression {
    /** The kinds of value an expression can have. */
    public enum Kind { NUMBER, DATE, DATETIME, DURATION }

    private sealed interface Node permits Num, Dur, Today, Now, FieldRef, Bin, Neg {
    }

    private record Num(BigDecimal value) implements Node {
    }

    private record Dur(long amount, ChronoUnit unit) implements Node {
    }

    private record Today() implements Node {
    }

    private record Now() implements Node {
    }

    private record FieldRef(MergeValues.Ref ref, Kind kind) implements Node {
    }

    private record Bin(char op, Node left, Node right) implements Node {
    }

    private record Neg(Node operand) implements Node {
    }

    private final Node root;
    private final Kind kind;

    private ValueExpression(Node root, Kind kind) {
        this.root = root;
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * Parses and type-checks {@code text} for a value of the {@code target} field; on error adds a
     * {@link FieldError} at {@code where} and returns null.
     */
    public static ValueExpression parse(ModuleCatalog catalog, Module subject, String text, Field target, String where,
                                        List<FieldError> errors) {
        try {
            Parser p = new Parser(catalog, subject, text, where);
            Node n = p.expr();
            p.skip();
            if (p.pos < text.length()) {
                throw new Bad("unexpected '" + text.charAt(p.pos) + "' at position " + (p.pos + 1));
            }
            Kind k = typeOf(n);
            Kind want = kindOf(target.type());
            if (want == null) {
                throw new Bad(target.apiName() + " is a " + target.type().apiName() + " field; arithmetic works on numbers and dates");
            }
            if (!(k == want || k == Kind.DATE && want == Kind.DATETIME || k == Kind.DATETIME && want == Kind.DATE)) {
                throw new Bad("gives a " + k.name().toLowerCase(Locale.ROOT) + " but " + target.apiName() + " is a " + target.type().apiName() + " field");
            }
            return new ValueExpression(n, k);
        } catch (Bad e) {
            errors.add(new FieldError(where, "'" + text + "': " + e.getMessage()));
            return null;
        }
    }

    /** Whether a field type takes an expression (numbers, dates) rather than a text template. */
    public static boolean applies(FieldType type) {
        return kindOf(type) != null;
    }

    private static Kind kindOf(FieldType type) {
        if (type.isNumeric()) {
            return Kind.NUMBER;
        }
        return type == FieldType.DATE ? Kind.DATE : type == FieldType.DATETIME ? Kind.DATETIME : null;
    }

    private static Kind typeOf(Node n) {
        if (n instanceof Num) {
            return Kind.NUMBER;
        }
        if (n instanceof Dur) {
            return Kind.DURATION;
        }
        if (n instanceof Today) {
            return Kind.DATE;
        }
        if (n instanceof Now) {
            return Kind.DATETIME;
        }
        if (n instanceof FieldRef f) {
            return f.kind;
        }
        if (n instanceof Neg neg) {
            Kind k = typeOf(neg.operand);
            if (k != Kind.NUMBER && k != Kind.DURATION) {
                throw new Bad("cannot negate a " + k.name().toLowerCase(Locale.ROOT));
            }
            return k;
        }
        Bin b = (Bin) n;
        Kind l = typeOf(b.left);
        Kind r = typeOf(b.right);
        boolean temporal = l == Kind.DATE || l == Kind.DATETIME;
        switch (b.op) {
            case '+', '-' -> {
                if (l == Kind.NUMBER && r == Kind.NUMBER || l == Kind.DURATION && r == Kind.DURATION) {
                    return l;
                }
                if (temporal && r == Kind.DURATION) {
                    return l;
                }
                if (b.op == '+' && l == Kind.DURATION && (r == Kind.DATE || r == Kind.DATETIME)) {
                    return r;
                }
                if (b.op == '-' && l == Kind.DATE && r == Kind.DATE) {
                    return Kind.NUMBER;
                }
            }
            default -> {
                if (l == Kind.NUMBER && r == Kind.NUMBER) {
                    return Kind.NUMBER;
                }
            }
        }
        throw new Bad("cannot compute " + l.name().toLowerCase(Locale.ROOT) + " " + b.op + " " + r.name().toLowerCase(Locale.ROOT));
    }

    /**
     * Evaluates for one subject record. Returns a {@link BigDecimal}, {@link LocalDate} or
     * {@link Instant} (converted to the target field's kind), or null when a field it reads is empty.
     */
    public Object evaluate(MergeValues.Resolver resolver, Instant now, ZoneId zone, Field target) {
        Object v = eval(root, resolver, now, zone);
        if (v == null) {
            return null;
        }
        Kind want = kindOf(target.type());
        if (want == Kind.DATE && v instanceof Instant t) {
            return LocalDate.ofInstant(t, zone);
        }
        if (want == Kind.DATETIME && v instanceof LocalDate d) {
            return d.atStartOfDay(zone).toInstant();
        }
        if (want == Kind.NUMBER && v instanceof BigDecimal d) {
            return target.type() == FieldType.INTEGER ? d.setScale(0, RoundingMode.HALF_UP)
                    : d.setScale(target.effectiveDecimalPlaces(), RoundingMode.HALF_UP);
        }
        return v;
    }

    private Object eval(Node n, MergeValues.Resolver r, Instant now, ZoneId zone) {
        if (n instanceof Num num) {
            return num.value;
        }
        if (n instanceof Dur d) {
            return d;
        }
        if (n instanceof Today) {
            return LocalDate.ofInstant(now, zone);
        }
        if (n instanceof Now) {
            return now;
        }
        if (n instanceof FieldRef f) {
            Object v = r.value(f.ref);
            return v instanceof Long l ? BigDecimal.valueOf(l) : v;
        }
        if (n instanceof Neg neg) {
            Object v = eval(neg.operand, r, now, zone);
            return v instanceof BigDecimal d ? d.negate() : v instanceof Dur d ? new Dur(-d.amount, d.unit) : null;
        }
        Bin b = (Bin) n;
        Object l = eval(b.left, r, now, zone);
        Object rv = eval(b.right, r, now, zone);
        if (l == null || rv == null) {
            return null;
        }
        if (l instanceof Dur d && !(rv instanceof Dur)) {
            Object t = l;
            l = rv;
            rv = t;
        }
        if (l instanceof BigDecimal x && rv instanceof BigDecimal y) {
            return switch (b.op) {
                case '+' -> x.add(y);
                case '-' -> x.subtract(y);
                case '*' -> x.multiply(y);
                default -> {
                    if (y.signum() == 0) {
                        throw new ArithmeticException("division by zero");
                    }
                    yield x.divide(y, MathContext.DECIMAL64);
                }
            };
        }
        if (l instanceof LocalDate x && rv instanceof LocalDate y) {
            return BigDecimal.valueOf(ChronoUnit.DAYS.between(y, x));
        }
        if (l instanceof Dur x && rv instanceof Dur y) {
            throw new ArithmeticException("durations are added to dates, not to each other");
        }
        Dur d = (Dur) rv;
        long amount = b.op == '-' ? -d.amount : d.amount;
        if (l instanceof LocalDate date) {
            return d.unit.isDateBased() ? date.plus(amount, d.unit)
                    : date.atStartOfDay(zone).toInstant().plus(Duration.of(amount, d.unit));
        }
        Instant t = (Instant) l;
        return d.unit.isDateBased() ? t.atZone(zone).plus(amount, d.unit).toInstant() : t.plus(Duration.of(amount, d.unit));
    }

    private static final class Bad extends RuntimeException {
        Bad(String message) {
            super(message, null, false, false);
        }
    }

    private static final class Parser {
        private final ModuleCatalog catalog;
        private final Module subject;
        private final String s;
        private final String where;
        private int pos;

        Parser(ModuleCatalog catalog, Module subject, String s, String where) {
            this.catalog = catalog;
            this.subject = subject;
            this.s = s;
            this.where = where;
        }

        void skip() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        Node expr() {
            Node n = term();
            while (true) {
                skip();
                if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                    char op = s.charAt(pos++);
                    n = new Bin(op, n, term());
                } else {
                    return n;
                }
            }
        }

        Node term() {
            Node n = unary();
            while (true) {
                skip();
                if (pos < s.length() && (s.charAt(pos) == '*' || s.charAt(pos) == '/')) {
                    char op = s.charAt(pos++);
                    n = new Bin(op, n, unary());
                } else {
                    return n;
                }
            }
        }

        Node unary() {
            skip();
            if (pos < s.length() && s.charAt(pos) == '-') {
                pos++;
                return new Neg(unary());
            }
            return primary();
        }

        Node primary() {
            skip();
            if (pos >= s.length()) {
                throw new Bad("ends too early");
            }
            char c = s.charAt(pos);
            if (c == '(') {
                pos++;
                Node n = expr();
                skip();
                if (pos >= s.length() || s.charAt(pos) != ')') {
                    throw new Bad("a ')' is missing");
                }
                pos++;
                return n;
            }
            if (Character.isDigit(c)) {
                int start = pos;
                while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.')) {
                    pos++;
                }
                String digits = s.substring(start, pos);
                int us = pos;
                while (pos < s.length() && Character.isLetter(s.charAt(pos))) {
                    pos++;
                }
                String unit = s.substring(us, pos);
                if (unit.isEmpty()) {
                    try {
                        return new Num(new BigDecimal(digits));
                    } catch (NumberFormatException e) {
                        throw new Bad("'" + digits + "' is not a number");
                    }
                }
                if (digits.contains(".")) {
                    throw new Bad("a duration takes a whole number: " + digits + unit);
                }
                long amount = Long.parseLong(digits);
                ChronoUnit u = switch (unit) {
                    case "m", "min" -> ChronoUnit.MINUTES;
                    case "h" -> ChronoUnit.HOURS;
                    case "d" -> ChronoUnit.DAYS;
                    case "w" -> ChronoUnit.WEEKS;
                    case "mo" -> ChronoUnit.MONTHS;
                    case "y" -> ChronoUnit.YEARS;
                    default -> throw new Bad("unknown unit '" + unit + "' (use m, h, d, w, mo or y)");
                };
                return new Dur(amount, u);
            }
            if (s.startsWith("{{", pos)) {
                int end = s.indexOf("}}", pos);
                if (end < 0) {
                    throw new Bad("a '}}' is missing");
                }
                java.util.regex.Matcher m = MergeValues.REF.matcher(s.substring(pos, end + 2));
                if (!m.matches()) {
                    throw new Bad("bad merge field " + s.substring(pos, end + 2));
                }
                pos = end + 2;
                return field(m.group(1), m.group(2));
            }
            if (Character.isLetter(c)) {
                int start = pos;
                while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
                    pos++;
                }
                String word = s.substring(start, pos);
                if (word.equals("today")) {
                    return new Today();
                }
                if (word.equals("now")) {
                    return new Now();
                }
                return field(word, null);
            }
            throw new Bad("unexpected '" + c + "' at position " + (pos + 1));
        }

        Node field(String first, String second) {
            List<FieldError> errors = new ArrayList<>();
            MergeValues.Ref ref = MergeValues.resolve(catalog, subject, first, second, where, errors).orElse(null);
            if (ref == null) {
                throw new Bad(errors.get(0).message());
            }
            Module m = catalog.get(ref.module());
            Field f = SystemFields.resolve(m, ref.field()).orElseThrow();
            Kind k = kindOf(f.type());
            if (k == null) {
                throw new Bad(ref.field() + " is a " + f.type().apiName() + " field, not a number or a date");
            }
            return new FieldRef(ref, k);
        }
    }
}

package io.waymark.store;

import io.waymark.criteria.CompiledCriteria;
import io.waymark.criteria.Expr;
import io.waymark.criteria.Operator;
import io.waymark.json.Json;
import io.waymark.record.Field;
import io.waymark.record.FieldType;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;

/**
 * Translates compiled criteria into a SQL condition with bound parameters. It must agree with
 * {@link CompiledCriteria#matches} on every record: text compares lower-cased, negative tests
 * hold for empty fields, multi-select values are matched as JSON strings inside the stored array.
 */
final class SqlCriteria {
    private SqlCriteria() {
    }

    static void append(CompiledCriteria criteria, StringBuilder sql, List<Object> params, Instant now, ZoneId zone) {
        if (criteria == null || criteria.expression() == null) {
            sql.append("1=1");
            return;
        }
        expr(criteria.expression(), criteria.tests(), sql, params, now, zone);
    }

    private static void expr(Expr e, List<CompiledCriteria.Test> tests, StringBuilder sql, List<Object> params, Instant now, ZoneId zone) {
        if (e instanceof Expr.Ref ref) {
            test(tests.get(ref.index() - 1), sql, params, now, zone);
        } else if (e instanceof Expr.Not not) {
            sql.append("NOT (");
            expr(not.operand(), tests, sql, params, now, zone);
            sql.append(')');
        } else {
            List<Expr> ops = e instanceof Expr.And and ? and.operands() : ((Expr.Or) e).operands();
            String join = e instanceof Expr.And ? " AND " : " OR ";
            sql.append('(');
            for (int i = 0; i < ops.size(); i++) {
                if (i > 0) {
                    sql.append(join);
                }
                expr(ops.get(i), tests, sql, params, now, zone);
            }
            sql.append(')');
        }
    }

    private static void test(CompiledCriteria.Test t, StringBuilder sql, List<Object> params, Instant now, ZoneId zone) {
        Field f = t.field();
        String col = f.column();
        boolean multi = f.type() == FieldType.MULTI_SELECT;
        boolean text = f.type().isText();
        String lcol = text ? "LOWER(" + col + ")" : col;
        List<Object> vs = t.values();
        Object v = vs.isEmpty() ? null : vs.get(0);
        switch (t.operator()) {
            case IS_EMPTY -> sql.append(col).append(" IS NULL");
            case IS_NOT_EMPTY -> sql.append(col).append(" IS NOT NULL");
            case EQUALS, NOT_EQUALS, CONTAINS, NOT_CONTAINS -> {
                boolean negative = t.operator() == Operator.NOT_EQUALS || t.operator() == Operator.NOT_CONTAINS;
                boolean like = !multi && (t.operator() == Operator.CONTAINS || t.operator() == Operator.NOT_CONTAINS);
                sql.append(negative ? "(" + col + " IS NULL OR NOT (" : "(");
                if (multi) {
                    hasValue(col, v, sql, params);
                } else if (like) {
                    sql.append(lcol).append(" LIKE ? ESCAPE '\\'");
                    params.add("%" + escapeLike(lower(v)) + "%");
                } else {
                    sql.append(lcol).append(" = ?");
                    params.add(text ? lower(v) : v);
                }
                sql.append(negative ? "))" : ")");
            }
            case STARTS_WITH -> {
                sql.append(lcol).append(" LIKE ? ESCAPE '\\'");
                params.add(escapeLike(lower(v)) + "%");
            }
            case ENDS_WITH -> {
                sql.append(lcol).append(" LIKE ? ESCAPE '\\'");
                params.add("%" + escapeLike(lower(v)));
            }
            case IN, NOT_IN -> {
                boolean negative = t.operator() == Operator.NOT_IN;
                sql.append(negative ? "(" + col + " IS NULL OR NOT (" : "(");
                if (multi) {
                    for (int i = 0; i < vs.size(); i++) {
                        if (i > 0) {
                            sql.append(" OR ");
                        }
                        hasValue(col, vs.get(i), sql, params);
                    }
                } else {
                    sql.append(lcol).append(" IN (");
                    for (int i = 0; i < vs.size(); i++) {
                        sql.append(i == 0 ? "?" : ", ?");
                        params.add(text ? lower(vs.get(i)) : vs.get(i));
                    }
                    sql.append(')');
                }
                sql.append(negative ? "))" : ")");
            }
            case LESS_THAN -> compare(col, "<", v, sql, params);
            case LESS_EQUAL -> compare(col, "<=", v, sql, params);
            case GREATER_THAN -> compare(col, ">", v, sql, params);
            case GREATER_EQUAL -> compare(col, ">=", v, sql, params);
            case BETWEEN -> {
                sql.append('(').append(col).append(" >= ? AND ").append(col).append(" <= ?)");
                params.add(v);
                params.add(vs.get(1));
            }
            case BEFORE -> compare(col, "<", v instanceof LocalDate && f.type() == FieldType.DATETIME ? t.dayBound(zone) : v, sql, params);
            case AFTER -> {
                if (v instanceof LocalDate && f.type() == FieldType.DATETIME) {
                    compare(col, ">=", t.dayBound(zone), sql, params);
                } else {
                    compare(col, ">", v, sql, params);
                }
            }
            case WITHIN_LAST, WITHIN_NEXT -> {
                Object[] w = t.window(now, zone);
                sql.append('(').append(col).append(" >= ? AND ").append(col).append(" <= ?)");
                params.add(w[0]);
                params.add(w[1]);
            }
            case CHANGED, CHANGED_TO, CHANGED_FROM -> throw new IllegalArgumentException(
                    "operator " + t.operator().apiName() + " compares versions and has no SQL form");
        }
    }

    private static void compare(String col, String op, Object v, StringBuilder sql, List<Object> params) {
        sql.append(col).append(' ').append(op).append(" ?");
        params.add(v);
    }

    private static void hasValue(String col, Object v, StringBuilder sql, List<Object> params) {
        sql.append(col).append(" LIKE ? ESCAPE '\\'");
        params.add("%" + escapeLike(Json.write(String.valueOf(v))) + "%");
    }

    private static String lower(Object v) {
        return String.valueOf(v).toLowerCase(Locale.ROOT);
    }

    static String escapeLike(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' || c == '_' || c == '\\') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }
}

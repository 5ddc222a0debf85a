package io.waymark.criteria;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The compact search form used in list URLs:
 * {@code (Lead_Status:equals:New)and((Company:starts_with:Zyl)or(Email:contains:zylker))}.
 * A condition is {@code (Field:operator:value)}; {@code in}, {@code not_in} and {@code between}
 * take comma-separated values; {@code is_empty} takes none. A backslash escapes
 * {@code ( ) : , \} inside a value. Conditions are joined by {@code and} / {@code or} with
 * parentheses. The result is the structured form: the conditions in order of appearance and a
 * numbered pattern.
 */
public final class CompactCriteria {
    private final String text;
    private final List<Condition> conditions = new ArrayList<>();
    private final StringBuilder pattern = new StringBuilder();
    private int pos;

    private CompactCriteria(String text) {
        this.text = text;
    }

    /** Parses the compact form; errors say where (1-based character position) and what. */
    public static Criteria parse(String text) {
        if (text == null || text.isBlank()) {
            throw new CriteriaException("criteria", "is empty");
        }
        CompactCriteria p = new CompactCriteria(text.strip());
        p.sequence(0);
        if (p.pos != p.text.length()) {
            throw p.error("unexpected '" + p.text.charAt(p.pos) + "'");
        }
        return new Criteria(p.conditions, p.pattern.toString());
    }

    private void sequence(int depth) {
        term(depth);
        while (pos < text.length()) {
            skipSpace();
            String op = word();
            if (op == null) {
                return;
            }
            pattern.append(' ').append(op).append(' ');
            skipSpace();
            term(depth);
        }
    }

    private String word() {
        for (String w : new String[] {"and", "or"}) {
            if (text.regionMatches(true, pos, w, 0, w.length())) {
                pos += w.length();
                return w.toUpperCase(java.util.Locale.ROOT);
            }
        }
        return null;
    }

    private void term(int depth) {
        skipSpace();
        if (depth > 32) {
            throw error("nested too deeply");
        }
        if (pos >= text.length() || text.charAt(pos) != '(') {
            throw error(pos >= text.length() ? "ends where '(' was expected" : "expected '(' but found '" + text.charAt(pos) + "'");
        }
        int open = pos;
        pos++;
        skipSpace();
        if (pos < text.length() && text.charAt(pos) == '(') {
            pattern.append('(');
            sequence(depth + 1);
            skipSpace();
            expect(')', open);
            pattern.append(')');
            return;
        }
        condition(open);
    }

    private void condition(int open) {
        int fieldStart = pos;
        String field = until(':', false).strip();
        if (field.isEmpty()) {
            pos = fieldStart;
            throw error("a condition needs a field name");
        }
        if (pos >= text.length() || text.charAt(pos) != ':') {
            throw error("expected ':' after the field '" + field + "'");
        }
        pos++;
        int opStart = pos;
        String opName = untilAny(false).strip();
        Operator op = Operator.fromApiName(opName).orElse(null);
        if (op == null) {
            pos = opStart;
            throw error("unknown operator '" + opName + "'");
        }
        List<JsonNode> values = new ArrayList<>();
        if (pos < text.length() && text.charAt(pos) == ':') {
            pos++;
            String raw = until(')', true);
            for (String v : splitValues(raw, op)) {
                values.add(TextNode.valueOf(v));
            }
        }
        expect(')', open);
        conditions.add(new Condition(field, op, values));
        pattern.append(conditions.size());
    }

    private List<String> splitValues(String raw, Operator op) {
        List<String> out = new ArrayList<>();
        boolean split = op.arity() != 1;
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\\' && i + 1 < raw.length()) {
                cur.append(raw.charAt(++i));
            } else if (c == ',' && split) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    /** Reads up to (not including) {@code stop}, honouring backslash escapes when asked. */
    private String until(char stop, boolean escapes) {
        int start = pos;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (escapes && c == '\\' && pos + 1 < text.length()) {
                pos += 2;
                continue;
            }
            if (c == stop || (!escapes && c == ')')) {
                break;
            }
            pos++;
        }
        return text.substring(start, pos);
    }

    private String untilAny(boolean escapes) {
        int start = pos;
        while (pos < text.length() && text.charAt(pos) != ':' && text.charAt(pos) != ')') {
            pos++;
        }
        return text.substring(start, pos);
    }

    private void expect(char c, int openedAt) {
        if (pos >= text.length() || text.charAt(pos) != c) {
            throw new CriteriaException("criteria", "the '(' at position " + (openedAt + 1) + " of '" + text + "' is never closed");
        }
        pos++;
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private CriteriaException error(String message) {
        return new CriteriaException("criteria", "at position " + (pos + 1) + " of '" + text + "': " + message);
    }
}

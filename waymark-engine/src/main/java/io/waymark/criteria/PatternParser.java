package io.waymark.criteria;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Parses a criteria pattern: {@code expr := or; or := and (OR and)*; and := unary (AND unary)*;
 * unary := NOT unary | '(' or ')' | number}. Keywords are case-insensitive. Every error names the
 * position (1-based) of the mistake, and every condition must be used exactly where it is meant.
 */
final class PatternParser {
    private final String text;
    private final int conditionCount;
    private static final int MAX_DEPTH = 500;
    private final BitSet used = new BitSet();
    private int pos;
    private int depth;

    private PatternParser(String text, int conditionCount) {
        this.text = text;
        this.conditionCount = conditionCount;
    }

    static Expr parse(String text, int conditionCount) {
        PatternParser p = new PatternParser(text, conditionCount);
        Expr e = p.or();
        p.skipSpace();
        if (p.pos < text.length()) {
            throw p.error("unexpected '" + text.charAt(p.pos) + "'");
        }
        for (int i = 1; i <= conditionCount; i++) {
            if (!p.used.get(i)) {
                throw new CriteriaException("pattern", "condition " + i + " is not used in the pattern '" + text + "'");
            }
        }
        return e;
    }

    private Expr or() {
        List<Expr> parts = new ArrayList<>();
        parts.add(and());
        while (keyword("OR")) {
            parts.add(and());
        }
        return parts.size() == 1 ? parts.get(0) : new Expr.Or(parts);
    }

    private Expr and() {
        List<Expr> parts = new ArrayList<>();
        parts.add(unary());
        while (keyword("AND")) {
            parts.add(unary());
        }
        return parts.size() == 1 ? parts.get(0) : new Expr.And(parts);
    }

    private Expr unary() {
        skipSpace();
        if (++depth > MAX_DEPTH) {
            throw error("nested more than " + MAX_DEPTH + " levels deep");
        }
        try {
            return unaryAtDepth();
        } finally {
            depth--;
        }
    }

    private Expr unaryAtDepth() {
        if (keyword("NOT")) {
            return new Expr.Not(unary());
        }
        if (pos >= text.length()) {
            throw error("the pattern ends where a condition number or '(' was expected");
        }
        char c = text.charAt(pos);
        if (c == '(') {
            pos++;
            Expr inner = or();
            skipSpace();
            if (pos >= text.length() || text.charAt(pos) != ')') {
                throw error("missing ')'");
            }
            pos++;
            return inner;
        }
        if (Character.isDigit(c)) {
            int start = pos;
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                pos++;
            }
            String digits = text.substring(start, pos);
            int n = digits.length() > 6 ? Integer.MAX_VALUE : Integer.parseInt(digits);
            if (n < 1 || n > conditionCount) {
                pos = start;
                throw error("refers to condition " + digits + ", but there " + (conditionCount == 1 ? "is 1 condition"
                        : "are " + conditionCount + " conditions"));
            }
            used.set(n);
            return new Expr.Ref(n);
        }
        throw error("expected a condition number, NOT or '(' but found '" + c + "'");
    }

    private boolean keyword(String word) {
        skipSpace();
        int end = pos + word.length();
        if (end <= text.length() && text.regionMatches(true, pos, word, 0, word.length())
                && (end == text.length() || !Character.isLetterOrDigit(text.charAt(end)))) {
            pos = end;
            return true;
        }
        return false;
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private CriteriaException error(String message) {
        return new CriteriaException("pattern", "at position " + (pos + 1) + " of '" + text + "': " + message);
    }
}

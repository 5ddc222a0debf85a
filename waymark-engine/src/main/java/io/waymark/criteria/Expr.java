package io.waymark.criteria;

import java.util.List;

/** A parsed criteria pattern: numbered condition references combined with AND, OR and NOT. */
public sealed interface Expr {
    /** Condition number {@code index} (1-based, as in the pattern). */
    record Ref(int index) implements Expr {
    }

    record And(List<Expr> operands) implements Expr {
    }

    record Or(List<Expr> operands) implements Expr {
    }

    record Not(Expr operand) implements Expr {
    }
}

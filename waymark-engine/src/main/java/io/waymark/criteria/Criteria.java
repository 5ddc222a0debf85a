package io.waymark.criteria;

import java.util.ArrayList;
import java.util.List;

/**
 * Conditions combined by a numbered pattern such as {@code (1 AND 2) OR 3}: the structured form
 * that definitions (workflow rules, blueprints, journeys …) store, and that record lists accept.
 * A null or blank pattern ANDs every condition. Build with {@link #of} from the two parts or
 * with {@link CompactCriteria#parse} from the compact search form.
 */
public record Criteria(List<Condition> conditions, String pattern) {
    public Criteria {
        conditions = List.copyOf(conditions);
    }

    /** The parsed pattern, checked against the number of conditions. */
    public Expr expression() {
        if (pattern == null || pattern.isBlank()) {
            if (conditions.isEmpty()) {
                return null;
            }
            List<Expr> all = new ArrayList<>();
            for (int i = 1; i <= conditions.size(); i++) {
                all.add(new Expr.Ref(i));
            }
            return all.size() == 1 ? all.get(0) : new Expr.And(all);
        }
        return PatternParser.parse(pattern, conditions.size());
    }

    public static Criteria of(List<Condition> conditions, String pattern) {
        return new Criteria(conditions, pattern);
    }
}

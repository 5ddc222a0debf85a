package io.waymark.criteria;

import static io.waymark.criteria.Fixtures.LEADS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.record.Record;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * For random conditions over a small module and random records, {@link CompiledCriteria#matches}
 * follows the boolean structure of the pattern: AND is conjunction, OR disjunction, NOT the
 * complement, and AND binds tighter than OR.
 */
class CriteriaBooleanStructurePropertyTest {
    static final Instant NOW = Instant.parse("2024-06-15T12:00:00Z");
    static final LocalDate TODAY = LocalDate.of(2024, 6, 15);
    static final ZoneId ZONE = ZoneId.of("Europe/Berlin");

    // ---- the pattern as a tree, rendered to text and evaluated by hand ----

    sealed interface Node {
    }

    record Leaf(int index) implements Node {
    }

    record Not(Node operand) implements Node {
    }

    record And(List<Node> operands) implements Node {
    }

    record Or(List<Node> operands) implements Node {
    }

    /** Renders with as few parentheses as precedence allows, or with every group parenthesised. */
    static String render(Node n, Map<Integer, Integer> number, boolean full, boolean lower) {
        String and = lower ? "and" : "AND";
        String or = lower ? "or" : "OR";
        String not = lower ? "not" : "NOT";
        if (n instanceof Leaf l) {
            return String.valueOf(number.get(l.index()));
        }
        if (n instanceof Not x) {
            String inner = render(x.operand(), number, full, lower);
            return not + " " + (x.operand() instanceof Leaf || x.operand() instanceof Not ? inner : "(" + inner + ")");
        }
        if (n instanceof And a) {
            return a.operands().stream().map(o -> {
                String s = render(o, number, full, lower);
                return o instanceof Or || full && o instanceof And ? "(" + s + ")" : s;
            }).collect(Collectors.joining(" " + and + " "));
        }
        Or o = (Or) n;
        return o.operands().stream().map(x -> {
            String s = render(x, number, full, lower);
            return full && (x instanceof And || x instanceof Or) ? "(" + s + ")" : s;
        }).collect(Collectors.joining(" " + or + " "));
    }

    static boolean eval(Node n, Map<Integer, Boolean> leaf) {
        if (n instanceof Leaf l) {
            return leaf.get(l.index());
        }
        if (n instanceof Not x) {
            return !eval(x.operand(), leaf);
        }
        if (n instanceof And a) {
            return a.operands().stream().allMatch(x -> eval(x, leaf));
        }
        return ((Or) n).operands().stream().anyMatch(x -> eval(x, leaf));
    }

    static void leaves(Node n, List<Integer> out) {
        if (n instanceof Leaf l) {
            if (!out.contains(l.index())) {
                out.add(l.index());
            }
        } else if (n instanceof Not x) {
            leaves(x.operand(), out);
        } else if (n instanceof And a) {
            a.operands().forEach(x -> leaves(x, out));
        } else {
            ((Or) n).operands().forEach(x -> leaves(x, out));
        }
    }

    // ---- evaluation helpers ----

    static boolean matches(List<Condition> conditions, String pattern, Record r, Record prev) {
        return CompiledCriteria.compile(Criteria.of(conditions, pattern), LEADS, true).matches(r, prev, NOW, ZONE);
    }

    static boolean single(Condition c, Record r, Record prev) {
        return matches(List.of(c), null, r, prev);
    }

    // ---- properties ----

    @Property(tries = 300)
    void andIsConjunctionOrIsDisjunctionAndNotIsTheComplement(@ForAll("conditions") Condition a, @ForAll("conditions") Condition b,
            @ForAll("records") Record r, @ForAll("records") Record prev) {
        boolean x = single(a, r, prev);
        boolean y = single(b, r, prev);
        List<Condition> ab = List.of(a, b);

        assertThat(matches(ab, "1 AND 2", r, prev)).isEqualTo(x && y);
        assertThat(matches(ab, null, r, prev)).isEqualTo(x && y);
        assertThat(matches(ab, "1 OR 2", r, prev)).isEqualTo(x || y);
        assertThat(matches(List.of(a), "NOT 1", r, prev)).isEqualTo(!x);
        assertThat(matches(List.of(a), "NOT NOT 1", r, prev)).isEqualTo(x);
        assertThat(matches(ab, "NOT 1 AND 2", r, prev)).isEqualTo(!x && y);
        assertThat(matches(ab, "NOT (1 AND 2)", r, prev)).isEqualTo(!(x && y));
        assertThat(matches(ab, "2 AND NOT 1 OR 1 AND NOT 2", r, prev)).isEqualTo(x ^ y);
    }

    @Property(tries = 300)
    void andBindsTighterThanOr(@ForAll("conditions") Condition a, @ForAll("conditions") Condition b, @ForAll("conditions") Condition c,
            @ForAll("records") Record r) {
        boolean x = single(a, r, null);
        boolean y = single(b, r, null);
        boolean z = single(c, r, null);
        List<Condition> abc = List.of(a, b, c);

        assertThat(matches(abc, "1 AND 2 OR 3", r, null)).isEqualTo(x && y || z);
        assertThat(matches(abc, "1 OR 2 AND 3", r, null)).isEqualTo(x || y && z);
        assertThat(matches(abc, "1 AND (2 OR 3)", r, null)).isEqualTo(x && (y || z));
    }

    @Property(tries = 500)
    void anyPatternMatchesItsBooleanStructure(@ForAll("trees") Node tree,
            @ForAll @Size(4) List<@From("conditions") Condition> pool, @ForAll("records") Record r, @ForAll("records") Record prev,
            @ForAll boolean fullParentheses, @ForAll boolean lowerCase) {
        List<Integer> used = new ArrayList<>();
        leaves(tree, used);
        Map<Integer, Integer> number = new LinkedHashMap<>();
        List<Condition> conditions = new ArrayList<>();
        Map<Integer, Boolean> leaf = new LinkedHashMap<>();
        for (int i : used) {
            Condition c = pool.get(i - 1);
            conditions.add(c);
            number.put(i, conditions.size());
            leaf.put(i, single(c, r, prev));
        }
        String pattern = render(tree, number, fullParentheses, lowerCase);

        assertThat(matches(conditions, pattern, r, prev)).as(pattern).isEqualTo(eval(tree, leaf));
    }

    // ---- generators ----

    @Provide
    Arbitrary<Node> trees() {
        return tree(4);
    }

    private Arbitrary<Node> tree(int depth) {
        Arbitrary<Node> leaf = Arbitraries.integers().between(1, 4).map(Leaf::new);
        if (depth == 0) {
            return leaf;
        }
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, leaf),
                net.jqwik.api.Tuple.of(1, Arbitraries.lazy(() -> tree(depth - 1)).map(Not::new)),
                net.jqwik.api.Tuple.of(2, Arbitraries.lazy(() -> tree(depth - 1)).list().ofMinSize(2).ofMaxSize(3).map(And::new)),
                net.jqwik.api.Tuple.of(2, Arbitraries.lazy(() -> tree(depth - 1)).list().ofMinSize(2).ofMaxSize(3).map(Or::new)));
    }

    @Provide
    Arbitrary<Record> records() {
        Arbitrary<String> name = Arbitraries.of("Zylker Corp", "acme", "zyl", "Beta Corp").injectNull(0.2);
        Arbitrary<Long> employees = Arbitraries.longs().between(0, 10).injectNull(0.2);
        Arbitrary<BigDecimal> revenue = Arbitraries.integers().between(0, 1000).map(i -> BigDecimal.valueOf(i, 2)).injectNull(0.2);
        Arbitrary<String> status = Arbitraries.of("New", "Contacted", "Lost").injectNull(0.2);
        Arbitrary<List<String>> tags = Arbitraries.subsetOf("A", "B", "C")
                .map(s -> s.isEmpty() ? null : s.stream().sorted().toList());
        Arbitrary<Boolean> optOut = Arbitraries.of(true, false).injectNull(0.2);
        Arbitrary<LocalDate> closing = Arbitraries.integers().between(-10, 10).map(TODAY::plusDays).injectNull(0.2);
        Arbitrary<Instant> callAt = Arbitraries.integers().between(-240, 240).map(h -> NOW.plus(Duration.ofHours(h))).injectNull(0.2);
        return Combinators.combine(name, employees, revenue, status, tags, optOut, closing, callAt)
                .as((n, e, rv, s, t, o, cl, ca) -> Fixtures.record("Name", n, "Employees", e, "Revenue", rv, "Status", s, "Tags", t,
                        "Opt_Out", o, "Closing", cl, "Call_At", ca));
    }

    @Provide
    Arbitrary<Condition> conditions() {
        Arbitrary<Object> dates = Arbitraries.integers().between(-10, 10).map(d -> (Object) TODAY.plusDays(d).toString());
        Arbitrary<Object> days = Arbitraries.integers().between(0, 10).map(d -> (Object) d);
        return Arbitraries.oneOf(
                on("Name", Arbitraries.of("zylker corp", "ACME", "zyl", "Corp"), Operator.EQUALS, Operator.NOT_EQUALS,
                        Operator.CONTAINS, Operator.NOT_CONTAINS, Operator.STARTS_WITH, Operator.ENDS_WITH, Operator.IS_EMPTY,
                        Operator.IS_NOT_EMPTY, Operator.IN, Operator.NOT_IN, Operator.CHANGED, Operator.CHANGED_TO),
                on("Employees", Arbitraries.integers().between(0, 10).map(i -> (Object) i), Operator.EQUALS, Operator.NOT_EQUALS,
                        Operator.LESS_THAN, Operator.LESS_EQUAL, Operator.GREATER_THAN, Operator.GREATER_EQUAL, Operator.BETWEEN,
                        Operator.IN, Operator.NOT_IN, Operator.IS_EMPTY, Operator.CHANGED_FROM),
                on("Revenue", Arbitraries.integers().between(0, 1000).map(i -> (Object) BigDecimal.valueOf(i, 2)), Operator.EQUALS,
                        Operator.LESS_THAN, Operator.GREATER_EQUAL, Operator.BETWEEN, Operator.CHANGED),
                on("Status", Arbitraries.of("New", "Contacted", "Lost"), Operator.EQUALS, Operator.NOT_EQUALS, Operator.IN,
                        Operator.NOT_IN, Operator.CONTAINS, Operator.IS_EMPTY, Operator.CHANGED_TO, Operator.CHANGED_FROM),
                on("Tags", Arbitraries.of("A", "B", "C"), Operator.EQUALS, Operator.NOT_EQUALS, Operator.CONTAINS,
                        Operator.NOT_CONTAINS, Operator.IN, Operator.NOT_IN, Operator.IS_NOT_EMPTY, Operator.CHANGED),
                on("Opt_Out", Arbitraries.of(true, false), Operator.EQUALS, Operator.NOT_EQUALS, Operator.IS_EMPTY),
                on("Closing", dates, Operator.EQUALS, Operator.BEFORE, Operator.AFTER, Operator.LESS_THAN, Operator.BETWEEN),
                on("Closing", days, Operator.WITHIN_LAST, Operator.WITHIN_NEXT),
                on("Call_At", dates, Operator.BEFORE, Operator.AFTER),
                on("Call_At", days, Operator.WITHIN_LAST, Operator.WITHIN_NEXT));
    }

    private static Arbitrary<Condition> on(String field, Arbitrary<?> value, Operator... ops) {
        return Arbitraries.of(ops).flatMap(op -> {
            int n = op.arity();
            Arbitrary<? extends List<?>> values = n < 0 ? value.list().ofMinSize(1).ofMaxSize(3) : value.list().ofSize(n);
            return values.map(vs -> new Condition(field, op, vs.stream().map(v -> (JsonNode) Fixtures.json(v)).toList()));
        });
    }

    @Property(tries = 50)
    void generatedConditionsAllCompile(@ForAll("conditions") Condition c) {
        assertThat(CompiledCriteria.compile(Criteria.of(List.of(c), null), LEADS, true).tests())
                .singleElement().extracting(t -> t.field().apiName()).isEqualTo(c.field());
    }
}

package io.waymark.criteria;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.TextNode;
import io.waymark.error.FieldError;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The numbered pattern ({@code (1 AND 2) OR 3}), parsed through {@link Criteria#expression()}. */
class PatternParserTest {

    private static Expr.Ref r(int i) {
        return new Expr.Ref(i);
    }

    private static Expr.And and(Expr... e) {
        return new Expr.And(List.of(e));
    }

    private static Expr.Or or(Expr... e) {
        return new Expr.Or(List.of(e));
    }

    private static Expr.Not not(Expr e) {
        return new Expr.Not(e);
    }

    /** Criteria with {@code n} placeholder conditions and the given pattern. */
    private static Criteria criteria(int n, String pattern) {
        List<Condition> cs = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            cs.add(new Condition("F" + i, Operator.EQUALS, List.of(TextNode.valueOf("v" + i))));
        }
        return Criteria.of(cs, pattern);
    }

    private static Expr parse(int n, String pattern) {
        return criteria(n, pattern).expression();
    }

    /** The single field error of a pattern that must be refused. */
    private static FieldError refused(int n, String pattern) {
        CriteriaException e = org.junit.jupiter.api.Assertions.assertThrows(CriteriaException.class,
                () -> parse(n, pattern));
        assertThat(e.errors()).hasSize(1);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).startsWith("Invalid criteria: ");
        return e.errors().get(0);
    }

    @Test
    void andBindsTighterThanOrWithoutParentheses() {
        assertThat(parse(3, "1 AND 2 OR 3")).isEqualTo(or(and(r(1), r(2)), r(3)));
        assertThat(parse(3, "1 OR 2 AND 3")).isEqualTo(or(r(1), and(r(2), r(3))));
    }

    @Test
    void parenthesesGroupAndBeforeOr() {
        assertThat(parse(3, "(1 AND 2) OR 3")).isEqualTo(or(and(r(1), r(2)), r(3)));
    }

    @Test
    void parenthesesOverrideAndPrecedence() {
        assertThat(parse(3, "1 AND (2 OR 3)")).isEqualTo(and(r(1), or(r(2), r(3))));
    }

    @Test
    void chainsOfTheSameOperatorAreFlattenedInOrder() {
        assertThat(parse(4, "1 OR 2 OR 3 OR 4")).isEqualTo(or(r(1), r(2), r(3), r(4)));
        assertThat(parse(3, "3 AND 1 AND 2")).isEqualTo(and(r(3), r(1), r(2)));
    }

    @Test
    void notNegatesTheNextConditionOnly() {
        assertThat(parse(2, "NOT 1 AND 2")).isEqualTo(and(not(r(1)), r(2)));
    }

    @Test
    void notAppliesToAWholeParenthesisedGroup() {
        assertThat(parse(2, "NOT (1 OR 2)")).isEqualTo(not(or(r(1), r(2))));
        assertThat(parse(1, "NOT NOT 1")).isEqualTo(not(not(r(1))));
    }

    @Test
    void keywordsAreCaseInsensitive() {
        assertThat(parse(3, "(1 and 2) Or not 3")).isEqualTo(or(and(r(1), r(2)), not(r(3))));
        assertThat(parse(3, "1 aNd 2 oR 3")).isEqualTo(parse(3, "1 AND 2 OR 3"));
    }

    @Test
    void nestedParenthesesAndExtraWhitespaceParse() {
        assertThat(parse(4, "  ((1 OR (2 AND 3)))\tAND\n4 ")).isEqualTo(and(or(r(1), and(r(2), r(3))), r(4)));
        assertThat(parse(1, "(((1)))")).isEqualTo(r(1));
    }

    @Test
    void parenthesesNeedNoSurroundingSpaces() {
        assertThat(parse(3, "(1)AND(2 OR 3)")).isEqualTo(and(r(1), or(r(2), r(3))));
    }

    @Test
    void blankPatternAndsEveryConditionInOrder() {
        assertThat(parse(3, null)).isEqualTo(and(r(1), r(2), r(3)));
        assertThat(parse(3, "   ")).isEqualTo(and(r(1), r(2), r(3)));
        assertThat(parse(1, "")).isEqualTo(r(1));
    }

    @Test
    void noConditionsAndNoPatternIsNoExpression() {
        assertThat(Criteria.of(List.of(), null).expression()).isNull();
    }

    @Test
    void numberBeyondTheConditionCountNamesItAndItsPosition() {
        FieldError e = refused(3, "(1 AND 2) OR 4");
        assertThat(e.field()).isEqualTo("pattern");
        assertThat(e.message()).isEqualTo(
                "at position 14 of '(1 AND 2) OR 4': refers to condition 4, but there are 3 conditions");
    }

    @Test
    void numberBeyondASingleConditionUsesTheSingular() {
        FieldError e = refused(1, "1 OR 2");
        assertThat(e.message()).isEqualTo("at position 6 of '1 OR 2': refers to condition 2, but there is 1 condition");
    }

    @Test
    void conditionZeroIsRefused() {
        FieldError e = refused(3, "0 OR 1 OR 2 OR 3");
        assertThat(e.message()).contains("at position 1 ").contains("refers to condition 0, but there are 3 conditions");
    }

    @Test
    void hugeConditionNumberIsRefusedNotOverflowed() {
        FieldError e = refused(2, "1 AND 99999999999999999999");
        assertThat(e.message()).contains("at position 7 ").contains("refers to condition 99999999999999999999");
    }

    @Test
    void unusedConditionIsNamed() {
        FieldError e = refused(3, "1 AND 2");
        assertThat(e.field()).isEqualTo("pattern");
        assertThat(e.message()).isEqualTo("condition 3 is not used in the pattern '1 AND 2'");
    }

    @Test
    void firstUnusedConditionIsReported() {
        assertThat(refused(4, "4 OR 1").message()).startsWith("condition 2 is not used");
    }

    @Test
    void conditionUsedTwiceIsAllowed() {
        assertThat(parse(2, "1 AND (1 OR 2)")).isEqualTo(and(r(1), or(r(1), r(2))));
    }

    @Test
    void missingCloseParenthesisPointsAtTheEnd() {
        FieldError e = refused(3, "(1 AND 2 OR 3");
        assertThat(e.field()).isEqualTo("pattern");
        assertThat(e.message()).isEqualTo("at position 14 of '(1 AND 2 OR 3': missing ')'");
    }

    @Test
    void missingCloseParenthesisInsideAGroupPointsAtWhatFollows() {
        FieldError e = refused(3, "((1 AND 2) OR 3");
        assertThat(e.message()).isEqualTo("at position 16 of '((1 AND 2) OR 3': missing ')'");
    }

    @Test
    void trailingGarbageIsUnexpected() {
        FieldError e = refused(2, "1 AND 2 x");
        assertThat(e.field()).isEqualTo("pattern");
        assertThat(e.message()).isEqualTo("at position 9 of '1 AND 2 x': unexpected 'x'");
    }

    @Test
    void strayCloseParenthesisIsUnexpected() {
        assertThat(refused(2, "1 AND 2)").message()).isEqualTo("at position 8 of '1 AND 2)': unexpected ')'");
    }

    @Test
    void twoNumbersWithoutAnOperatorAreRefused() {
        assertThat(refused(2, "1 2").message()).isEqualTo("at position 3 of '1 2': unexpected '2'");
    }

    @Test
    void keywordGluedToANumberIsNotAKeyword() {
        assertThat(refused(2, "1 AND2").message()).isEqualTo("at position 3 of '1 AND2': unexpected 'A'");
    }

    @Test
    void patternEndingAfterAnOperatorSaysSo() {
        FieldError e = refused(2, "1 AND ");
        assertThat(e.message()).isEqualTo(
                "at position 7 of '1 AND ': the pattern ends where a condition number or '(' was expected");
    }

    @Test
    void danglingNotIsRefused() {
        assertThat(refused(1, "1 AND NOT").message()).contains("at position 10 ").contains("the pattern ends where");
    }

    @Test
    void emptyParenthesesAreRefused() {
        FieldError e = refused(1, "()");
        assertThat(e.field()).isEqualTo("pattern");
        assertThat(e.message()).isEqualTo("at position 2 of '()': expected a condition number, NOT or '(' but found ')'");
    }

    @Test
    void emptyPatternGivenToTheParserDirectlyIsRefused() {
        assertThatThrownBy(() -> PatternParser.parse("", 2))
                .isInstanceOf(CriteriaException.class)
                .satisfies(t -> {
                    FieldError e = ((CriteriaException) t).errors().get(0);
                    assertThat(e.field()).isEqualTo("pattern");
                    assertThat(e.message()).isEqualTo("at position 1 of '': the pattern ends where a condition number or '(' was expected");
                });
    }

    @Test
    void unknownWordIsRefusedWithItsPosition() {
        assertThat(refused(2, "1 XOR 2").message()).isEqualTo("at position 3 of '1 XOR 2': unexpected 'X'");
        assertThat(refused(2, "(1 & 2)").message()).isEqualTo("at position 4 of '(1 & 2)': missing ')'");
    }

    @Test
    void deeplyNestedButReasonablePatternParses() {
        assertThat(parse(1, "(".repeat(200) + "1" + ")".repeat(200))).isEqualTo(r(1));
    }

    @Test
    void absurdlyDeepPatternIsRefusedAsInvalidCriteria() {
        String deep = "(".repeat(100_000) + "1" + ")".repeat(100_000);
        assertThatThrownBy(() -> parse(1, deep)).isInstanceOf(CriteriaException.class);
        assertThatThrownBy(() -> parse(1, "NOT ".repeat(100_000) + "1")).isInstanceOf(CriteriaException.class);
    }
}

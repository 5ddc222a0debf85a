package io.waymark.criteria;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.waymark.error.FieldError;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The compact search form used in list URLs. */
class CompactCriteriaTest {

    private static Condition cond(String field, Operator op, String... values) {
        return new Condition(field, op, java.util.Arrays.stream(values).map(v -> (JsonNode) TextNode.valueOf(v)).toList());
    }

    private static FieldError refused(String text) {
        CriteriaException e = assertThrows(CriteriaException.class, () -> CompactCriteria.parse(text));
        assertThat(e.errors()).hasSize(1);
        return e.errors().get(0);
    }

    @Test
    void contractExampleParsesToThreeConditionsAndANumberedPattern() {
        Criteria c = CompactCriteria.parse("(Lead_Status:equals:New)and((Company:starts_with:Zyl)or(Email:contains:zylker))");

        assertThat(c.conditions()).containsExactly(
                cond("Lead_Status", Operator.EQUALS, "New"),
                cond("Company", Operator.STARTS_WITH, "Zyl"),
                cond("Email", Operator.CONTAINS, "zylker"));
        assertThat(c.pattern()).isEqualTo("1 AND (2 OR 3)");
        assertThat(c.expression()).isEqualTo(new Expr.And(List.of(new Expr.Ref(1),
                new Expr.Or(List.of(new Expr.Ref(2), new Expr.Ref(3))))));
    }

    @Test
    void singleConditionHasPatternOne() {
        Criteria c = CompactCriteria.parse("(Email:is_not_empty)");
        assertThat(c.conditions()).containsExactly(cond("Email", Operator.IS_NOT_EMPTY));
        assertThat(c.pattern()).isEqualTo("1");
        assertThat(c.expression()).isEqualTo(new Expr.Ref(1));
    }

    @Test
    void mixedAndOrAtOneLevelFollowsPatternPrecedence() {
        Criteria c = CompactCriteria.parse("(A:equals:1)or(B:equals:2)and(C:equals:3)");
        assertThat(c.pattern()).isEqualTo("1 OR 2 AND 3");
        assertThat(c.expression()).isEqualTo(new Expr.Or(List.of(new Expr.Ref(1),
                new Expr.And(List.of(new Expr.Ref(2), new Expr.Ref(3))))));
    }

    @Test
    void joinWordsAreCaseInsensitiveAndSpacesAreAllowedBetweenTerms() {
        Criteria c = CompactCriteria.parse("  (A:equals:x) AND ( (B:equals:y) Or (C:equals:z) )  ");
        assertThat(c.pattern()).isEqualTo("1 AND (2 OR 3)");
        assertThat(c.conditions()).extracting(Condition::field).containsExactly("A", "B", "C");
    }

    @Test
    void operatorNameIsCaseInsensitive() {
        assertThat(CompactCriteria.parse("(Company:Starts_With:Zyl)").conditions())
                .containsExactly(cond("Company", Operator.STARTS_WITH, "Zyl"));
    }

    @Test
    void inSplitsItsValuesOnCommas() {
        assertThat(CompactCriteria.parse("(Lead_Source:in:Chat,Partner,Web Form)").conditions())
                .containsExactly(cond("Lead_Source", Operator.IN, "Chat", "Partner", "Web Form"));
        assertThat(CompactCriteria.parse("(Lead_Source:not_in:Chat,Partner)").conditions())
                .containsExactly(cond("Lead_Source", Operator.NOT_IN, "Chat", "Partner"));
    }

    @Test
    void betweenTakesTwoCommaSeparatedValues() {
        assertThat(CompactCriteria.parse("(Amount:between:100,500.50)").conditions())
                .containsExactly(cond("Amount", Operator.BETWEEN, "100", "500.50"));
    }

    @Test
    void singleValueOperatorKeepsCommasInItsValue() {
        assertThat(CompactCriteria.parse("(Company:equals:Zylker, Inc.)").conditions())
                .containsExactly(cond("Company", Operator.EQUALS, "Zylker, Inc."));
    }

    @Test
    void isEmptyTakesNoValue() {
        Criteria c = CompactCriteria.parse("(Email:is_empty)and(Phone:is_not_empty)");
        assertThat(c.conditions()).containsExactly(cond("Email", Operator.IS_EMPTY), cond("Phone", Operator.IS_NOT_EMPTY));
        assertThat(c.conditions().get(0).values()).isEmpty();
        assertThat(c.pattern()).isEqualTo("1 AND 2");
    }

    @Test
    void backslashEscapesParenthesesColonsAndBackslashInAValue() {
        Criteria c = CompactCriteria.parse("(Company:equals:Zylker \\(EU\\)\\: a\\\\b)");
        assertThat(c.conditions()).containsExactly(cond("Company", Operator.EQUALS, "Zylker (EU): a\\b"));
    }

    @Test
    void escapedCommaStaysInsideOneInValue() {
        Criteria c = CompactCriteria.parse("(Company:in:Zylker\\, Inc.,Acme)");
        assertThat(c.conditions()).containsExactly(cond("Company", Operator.IN, "Zylker, Inc.", "Acme"));
    }

    @Test
    void unescapedColonInsideAValueIsKept() {
        assertThat(CompactCriteria.parse("(Website:starts_with:https://zylker)").conditions())
                .containsExactly(cond("Website", Operator.STARTS_WITH, "https://zylker"));
    }

    @Test
    void unknownOperatorPointsAtTheOperator() {
        FieldError e = refused("(Email:looks_like:x)");
        assertThat(e.field()).isEqualTo("criteria");
        assertThat(e.message()).isEqualTo("at position 8 of '(Email:looks_like:x)': unknown operator 'looks_like'");
    }

    @Test
    void unclosedParenthesisNamesWhereItWasOpened() {
        FieldError e = refused("(A:equals:1)and(Email:contains:zyl");
        assertThat(e.field()).isEqualTo("criteria");
        assertThat(e.message()).isEqualTo("the '(' at position 16 of '(A:equals:1)and(Email:contains:zyl' is never closed");
    }

    @Test
    void unclosedGroupNamesItsOpeningParenthesis() {
        FieldError e = refused("((A:equals:1)or(B:equals:2)");
        assertThat(e.message()).isEqualTo("the '(' at position 1 of '((A:equals:1)or(B:equals:2)' is never closed");
    }

    @Test
    void escapedCloseParenthesisDoesNotCloseTheCondition() {
        assertThat(refused("(A:equals:x\\)").message()).isEqualTo("the '(' at position 1 of '(A:equals:x\\)' is never closed");
    }

    @Test
    void missingFieldNamePointsAtWhereItShouldBe() {
        FieldError e = refused("(A:equals:1)or(:equals:x)");
        assertThat(e.field()).isEqualTo("criteria");
        assertThat(e.message()).isEqualTo("at position 16 of '(A:equals:1)or(:equals:x)': a condition needs a field name");
    }

    @Test
    void conditionWithoutParenthesesIsRefused() {
        assertThat(refused("Email:equals:x").message()).isEqualTo("at position 1 of 'Email:equals:x': expected '(' but found 'E'");
    }

    @Test
    void joinWordWithoutFollowingConditionIsRefused() {
        assertThat(refused("(A:equals:1)and").message()).isEqualTo("at position 16 of '(A:equals:1)and': ends where '(' was expected");
    }

    @Test
    void trailingTextAfterTheLastConditionIsRefused() {
        assertThat(refused("(A:equals:1)xyz").message()).isEqualTo("at position 13 of '(A:equals:1)xyz': unexpected 'x'");
    }

    @Test
    void fieldWithoutOperatorAtTheEndIsRefused() {
        assertThat(refused("(Email").message()).isEqualTo("at position 7 of '(Email': expected ':' after the field 'Email'");
    }

    @Test
    void emptyOrBlankTextIsRefused() {
        assertThat(refused("")).isEqualTo(new FieldError("criteria", "is empty"));
        assertThat(refused("   ")).isEqualTo(new FieldError("criteria", "is empty"));
        assertThat(refused(null)).isEqualTo(new FieldError("criteria", "is empty"));
    }

    @Test
    void nestingDeeperThanThirtyTwoGroupsIsRefused() {
        String deep = "(".repeat(40) + "(A:equals:1)" + ")".repeat(40);
        assertThat(refused(deep).message()).endsWith(": nested too deeply");
        String fine = "(".repeat(10) + "(A:equals:1)" + ")".repeat(10);
        assertThat(CompactCriteria.parse(fine).expression()).isEqualTo(new Expr.Ref(1));
    }

    @Test
    void fieldWithoutOperatorBeforeTheCloseParenthesisSaysAnOperatorIsMissing() {
        assertThat(refused("(Lead_Status)").message())
                .isEqualTo("at position 13 of '(Lead_Status)': expected ':' after the field 'Lead_Status'");
    }
}

package io.waymark.flow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.criteria.Criteria;
import io.waymark.criteria.CriteriaJson;
import io.waymark.error.FieldError;
import io.waymark.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MergeTest {
    private static JsonNode json(String singleQuoted) {
        return Json.read(singleQuoted.replace('\'', '"'));
    }

    private static final Map<String, JsonNode> VARS = Map.of(
            "record", json("{'id': 'c1', 'First_Name': 'Asha', 'Account_Name': {'id': 'a1', 'name': 'Patel Family'}, 'Tags': ['vip', 'family']}"),
            "budget", json("4200.50"),
            "start", json("'2026-04-10'"));

    @Test
    void aWholeReferenceKeepsItsTypeAndTextIsInterpolated() {
        assertThat(Merge.resolve(json("'{{budget}}'"), VARS).isNumber()).isTrue();
        assertThat(Merge.resolve(json("'{{record.Account_Name}}'"), VARS).get("id").asText()).isEqualTo("a1");
        assertThat(Merge.resolve(json("'Hello {{ record.First_Name }} of {{record.Account_Name}}'"), VARS).asText())
                .isEqualTo("Hello Asha of Patel Family");
        assertThat(Merge.text("{{record.Tags}} / {{record.Missing}}!", VARS)).isEqualTo("vip, family / !");
        assertThat(Merge.resolve(json("'{{record.Missing}}'"), VARS).isNull()).isTrue();
    }

    @Test
    void referencesToUnknownRootsAreLeftForALaterPass() {
        JsonNode once = Merge.resolve(json("{'Trip': '{{created.id}}', 'Name': '{{record.First_Name}}', 'n': [1, '{{budget}}']}"), VARS);
        assertThat(once.get("Trip").asText()).isEqualTo("{{created.id}}");
        assertThat(once.get("Name").asText()).isEqualTo("Asha");
        assertThat(once.get("n").get(1).decimalValue()).isEqualByComparingTo("4200.50");
        JsonNode twice = Merge.resolve(once, Map.of("created", json("{'id': 't9'}")));
        assertThat(twice.get("Trip").asText()).isEqualTo("t9");
        assertThat(Merge.roots(json("{'a': 'x {{p.q}} {{r}}', 'b': ['{{s.t.u}}']}"))).containsExactly("p", "r", "s");
    }

    @Test
    void variableCriteriaCompareNumbersAsNumbersAndLookupsByTheirId() {
        Criteria c = CriteriaJson.parse(json("{'conditions': [{'field': 'budget', 'operator': 'greater_than', 'value': '1000'},"
                + " {'field': 'record.Account_Name', 'operator': 'equals', 'value': 'A1'},"
                + " {'field': 'start', 'operator': 'before', 'value': '{{record.Missing}}'},"
                + " {'field': 'record.Tags', 'operator': 'contains', 'value': 'vip'}], 'pattern': '1 AND 2 AND (3 OR 4)'}"), "criteria");
        assertThat(VarCriteria.matches(c, VARS)).isTrue();
        Criteria empty = CriteriaJson.parse(json("{'conditions': [{'field': 'record.Missing', 'operator': 'is_empty'},"
                + " {'field': 'budget', 'operator': 'between', 'values': [5000, 9000]}], 'pattern': '1 AND NOT 2'}"), "c");
        assertThat(VarCriteria.matches(empty, VARS)).isTrue();
        List<FieldError> errors = new ArrayList<>();
        VarCriteria.validate(CriteriaJson.parse(json("{'conditions': [{'field': 'later.x', 'operator': 'changed'}]}"), "c"), Set.of("record"), "c", errors);
        assertThat(errors).extracting(FieldError::field).containsExactlyInAnyOrder("c.conditions[0].operator", "c.conditions[0].field");
    }

    @Test
    void criteriaJsonNamesEveryProblemUnderItsPath() {
        List<FieldError> errors = new ArrayList<>();
        assertThat(CriteriaJson.parse(json("{'conditions': [{'operator': 'bigger'}, {'field': 'a', 'operator': 'between', 'value': 1}],"
                + " 'pattern': 7, 'colour': 'red'}"), "x.criteria", errors)).isNull();
        assertThat(errors).extracting(FieldError::field).containsExactlyInAnyOrder("x.criteria.conditions[0].field",
                "x.criteria.conditions[0].operator", "x.criteria.conditions[1].values", "x.criteria.pattern", "x.criteria.colour");
        errors.clear();
        CriteriaJson.parse(json("{'conditions': [{'field': 'a', 'operator': 'is_empty'}], 'pattern': '1 AND 2'}"), "p", errors);
        assertThat(errors).extracting(FieldError::field).containsExactly("p.pattern");
    }
}

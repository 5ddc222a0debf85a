package io.waymark.store;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.waymark.criteria.CompactCriteria;
import io.waymark.criteria.CompiledCriteria;
import io.waymark.criteria.Condition;
import io.waymark.criteria.Criteria;
import io.waymark.criteria.Operator;
import io.waymark.error.ValidationException;
import io.waymark.record.Module;
import io.waymark.record.Record;
import io.waymark.record.RecordStore;
import io.waymark.record.Records;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

class ListAndCriteriaTest {

    private static List<String> names(RecordStore.RecordPage page) {
        return page.records().stream().map(r -> (String) r.values().get("Last_Name")).toList();
    }

    private static void seed(TestDb db) {
        db.engine().records().createAll(db.admin(), "Leads", List.of(
                json("{'Last_Name': 'Ahmed', 'Company': 'Zylker Travels', 'Lead_Status': 'New', 'Email': 'a@zylker.com', 'No_of_Employees': 5}"),
                json("{'Last_Name': 'Brown', 'Company': 'Zylinski & Co', 'Lead_Status': 'Contacted', 'Email': 'b@brown.io', 'No_of_Employees': 50}"),
                json("{'Last_Name': 'Chen', 'Company': 'Acme', 'Lead_Status': 'New', 'Email': 'c@zylker.com', 'No_of_Employees': 500}"),
                json("{'Last_Name': 'Diaz', 'Company': 'Acme', 'Lead_Status': 'New'}"),
                json("{'Last_Name': 'Evans', 'Lead_Status': 'Pre-Qualified', 'No_of_Employees': 50}")));
    }

    @BothDatabases
    void theCompactFormOfTheContractFilters(TestDb db) {
        seed(db);
        Criteria c = CompactCriteria.parse("(Lead_Status:equals:New)and((Company:starts_with:Zyl)or(Email:contains:zylker))");
        RecordStore.RecordPage page = db.engine().records().list(db.admin(), "Leads", c, "Last_Name", 50, null);
        assertThat(names(page)).containsExactly("Ahmed", "Chen");
    }

    @BothDatabases
    void negativeTestsHoldForEmptyFields(TestDb db) {
        seed(db);
        Criteria c = CompactCriteria.parse("(Company:not_equals:acme)");
        assertThat(names(db.engine().records().list(db.admin(), "Leads", c, "Last_Name", 50, null)))
                .containsExactly("Ahmed", "Brown", "Evans");
    }

    @BothDatabases
    void picklistsSortByTheirValueOrderAndEmptyValuesLast(TestDb db) {
        seed(db);
        db.engine().records().create(db.admin(), "Leads", json("{'Last_Name': 'Fox'}"));
        RecordStore.RecordPage page = db.engine().records().list(db.admin(), "Leads", null, "-Lead_Status,Last_Name", 50, null);
        assertThat(names(page)).containsExactly("Evans", "Brown", "Ahmed", "Chen", "Diaz", "Fox");
    }

    @BothDatabases
    void cursorPagesVisitEveryRecordOnceWithTiesAndEmptyValues(TestDb db) {
        seed(db);
        for (String sort : List.of("No_of_Employees", "-No_of_Employees", "Company,-Last_Name", "-created_at")) {
            List<String> seen = new ArrayList<>();
            String cursor = null;
            do {
                RecordStore.RecordPage page = db.engine().records().list(db.admin(), "Leads", null, sort, 2, cursor);
                seen.addAll(names(page));
                cursor = page.next();
            } while (cursor != null);
            assertThat(seen).as(sort).containsExactlyInAnyOrder("Ahmed", "Brown", "Chen", "Diaz", "Evans");
        }
    }

    @BothDatabases
    void aCursorOfAnotherSortIsRefused(TestDb db) {
        seed(db);
        String cursor = db.engine().records().list(db.admin(), "Leads", null, "Last_Name", 2, null).next();
        assertThatThrownBy(() -> db.engine().records().list(db.admin(), "Leads", null, "Company", 2, cursor))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors().get(0).field()).isEqualTo("cursor"));
    }

    @BothDatabases
    void unknownFieldsAndBadPatternsAreRefusedWithWhere(TestDb db) {
        Records records = db.engine().records();
        assertThatThrownBy(() -> records.list(db.admin(), "Leads", CompactCriteria.parse("(Shoe_Size:equals:42)"), null, 10, null))
                .isInstanceOf(ValidationException.class).hasMessageContaining("Shoe_Size");
        Criteria missing = new Criteria(List.of(new Condition("Last_Name", Operator.EQUALS, List.of(TextNode.valueOf("x")))), "1 OR 2");
        assertThatThrownBy(() -> records.list(db.admin(), "Leads", missing, null, 10, null))
                .isInstanceOf(ValidationException.class).hasMessageContaining("condition 2");
        Criteria changed = new Criteria(List.of(new Condition("Last_Name", Operator.CHANGED, List.of())), null);
        assertThatThrownBy(() -> records.list(db.admin(), "Leads", changed, null, 10, null)).isInstanceOf(ValidationException.class);
    }

    /**
     * The store's SQL and the engine's in-memory evaluation must agree on every record: automations
     * judge single records in memory while lists filter in SQL, and a user must get one answer.
     */
    @BothDatabases
    void sqlFilteringAgreesWithTheEngineOnRandomCriteria(TestDb db) {
        Records records = db.engine().records();
        db.engine().metadata().addField(db.admin(), "Leads", json("{'api_name': 'Interests', 'type': 'multi_select', 'picklist_values': ['Beach', 'Mountains', 'City']}"));
        db.engine().metadata().addField(db.admin(), "Leads", json("{'api_name': 'Next_Call', 'type': 'date'}"));
        Random random = new Random(42);
        String[] companies = {"Zylker", "zylker travels", "Acme", "ACME Tours", "100% Fun_Travel", null};
        String[] statuses = {"New", "Contacted", "Pre-Qualified", null};
        List<JsonNode> batch = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            StringBuilder b = new StringBuilder("{'Last_Name': 'L" + i + "'");
            String company = companies[random.nextInt(companies.length)];
            if (company != null) {
                b.append(", 'Company': '").append(company).append("'");
            }
            String status = statuses[random.nextInt(statuses.length)];
            if (status != null) {
                b.append(", 'Lead_Status': '").append(status).append("'");
            }
            if (random.nextBoolean()) {
                b.append(", 'No_of_Employees': ").append(random.nextInt(200));
            }
            if (random.nextBoolean()) {
                b.append(", 'Annual_Revenue': ").append(random.nextInt(100000)).append(".25");
            }
            if (random.nextInt(3) > 0) {
                b.append(", 'Email_Opt_Out': ").append(random.nextBoolean());
            }
            if (random.nextBoolean()) {
                b.append(", 'Interests': ['").append(List.of("Beach", "Mountains", "City").get(random.nextInt(3))).append("']");
            }
            if (random.nextBoolean()) {
                b.append(", 'Next_Call': '2026-01-").append(String.format("%02d", 1 + random.nextInt(20))).append("'");
            }
            batch.add(json(b.append('}').toString()));
        }
        records.createAll(db.admin(), "Leads", batch);
        Module leads = records.module(db.admin(), "Leads");
        String[] conditions = {
            "(Company:equals:zylker)", "(Company:not_equals:acme)", "(Company:contains:%)", "(Company:starts_with:acme)",
            "(Company:ends_with:travels)", "(Company:not_contains:zyl)", "(Company:is_empty)", "(Company:in:Acme,Zylker)",
            "(Company:not_in:Acme)", "(Lead_Status:equals:New)", "(Lead_Status:in:New,Contacted)", "(No_of_Employees:greater_than:100)",
            "(No_of_Employees:between:20,80)", "(No_of_Employees:less_equal:50)", "(Annual_Revenue:greater_equal:50000.25)",
            "(Email_Opt_Out:equals:true)", "(Email_Opt_Out:not_equals:true)", "(Interests:contains:Beach)", "(Interests:not_in:City,Beach)",
            "(Next_Call:before:2026-01-10)", "(Next_Call:after:2026-01-10)", "(Next_Call:within_last:3)", "(Next_Call:within_next:7)",
            "(created_at:after:2026-01-04)", "(Company:starts_with:100\\%)"};
        List<Record> all = records.list(db.admin(), "Leads", null, null, 1000, null).records();
        for (int round = 0; round < 40; round++) {
            String a = conditions[random.nextInt(conditions.length)];
            String b = conditions[random.nextInt(conditions.length)];
            String text = random.nextBoolean() ? a + (random.nextBoolean() ? "and" : "or") + b : a;
            Criteria criteria = CompactCriteria.parse(text);
            Set<UUID> bySql = records.list(db.admin(), "Leads", criteria, null, 1000, null).records().stream().map(Record::id)
                    .collect(Collectors.toSet());
            CompiledCriteria compiled = CompiledCriteria.compile(criteria, leads, false);
            Set<UUID> inMemory = new HashSet<>();
            for (Record r : all) {
                if (compiled.matches(r, null, db.clock().instant(), ZoneOffset.UTC)) {
                    inMemory.add(r.id());
                }
            }
            assertThat(bySql).as(text).isEqualTo(inMemory);
        }
    }
}

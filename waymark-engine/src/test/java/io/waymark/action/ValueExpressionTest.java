package io.waymark.action;

import static org.assertj.core.api.Assertions.assertThat;

import io.waymark.error.FieldError;
import io.waymark.record.Field;
import io.waymark.record.FieldType;
import io.waymark.record.Module;
import io.waymark.record.ModuleCatalog;
import io.waymark.record.StandardModules;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ValueExpressionTest {
    static final Module DEALS = StandardModules.module("Deals", "Deal", List.of("Deal_Name"), null, new StandardModules.Fields()
            .add("Deal_Name", FieldType.TEXT).add("Amount", FieldType.CURRENCY).add("Seats", FieldType.INTEGER)
            .add("Closing_Date", FieldType.DATE).add("Call_At", FieldType.DATETIME).lookup("Contact_Name", "Contacts").build());
    static final Module CONTACTS = StandardModules.module("Contacts", "Contact", List.of("Last_Name"), null, new StandardModules.Fields()
            .add("Last_Name", FieldType.TEXT).add("Date_of_Birth", FieldType.DATE).build());
    static final ModuleCatalog CATALOG = new ModuleCatalog(UUID.randomUUID(), 1, List.of(DEALS, CONTACTS));
    static final Instant NOW = Instant.parse("2026-01-05T09:30:00Z");
    static final ZoneId UTC = ZoneOffset.UTC;
    static final Map<String, Object> VALUES = Map.of("Amount", new BigDecimal("1000.00"), "Seats", 3L,
            "Closing_Date", LocalDate.of(2026, 3, 31), "Call_At", Instant.parse("2026-02-01T10:00:00Z"), "Date_of_Birth", LocalDate.of(1990, 1, 20));

    static Field field(String name) {
        return DEALS.field(name).orElseThrow();
    }

    static Object eval(String text, String target) {
        List<FieldError> errors = new ArrayList<>();
        ValueExpression e = ValueExpression.parse(CATALOG, DEALS, text, field(target), "value", errors);
        assertThat(errors).as(text).isEmpty();
        return e.evaluate(ref -> VALUES.get(ref.field()), NOW, UTC, field(target));
    }

    static String error(String text, String target) {
        List<FieldError> errors = new ArrayList<>();
        assertThat(ValueExpression.parse(CATALOG, DEALS, text, field(target), "value", errors)).isNull();
        assertThat(errors).singleElement().satisfies(e -> assertThat(e.field()).isEqualTo("value"));
        return errors.get(0).message();
    }

    @Test
    void numbersFollowTheUsualPrecedenceAndTheTargetsScale() {
        assertThat((BigDecimal) eval("Amount * 0.9", "Amount")).isEqualByComparingTo("900.00");
        assertThat((BigDecimal) eval("{{Deals.Amount}} + 100 * 2", "Amount")).isEqualByComparingTo("1200");
        assertThat((BigDecimal) eval("(Amount + 100) * 2", "Amount")).isEqualByComparingTo("2200");
        assertThat((BigDecimal) eval("Amount / 3", "Amount")).isEqualByComparingTo("333.33");
        assertThat((BigDecimal) eval("Seats / 2", "Seats")).isEqualByComparingTo("2");
        assertThat((BigDecimal) eval("-Seats + 10", "Seats")).isEqualByComparingTo("7");
    }

    @Test
    void datesAndDateTimesMoveByDurations() {
        assertThat(eval("today + 3d", "Closing_Date")).isEqualTo(LocalDate.of(2026, 1, 8));
        assertThat(eval("Closing_Date - 1w", "Closing_Date")).isEqualTo(LocalDate.of(2026, 3, 24));
        assertThat(eval("Closing_Date + 1mo", "Closing_Date")).isEqualTo(LocalDate.of(2026, 4, 30));
        assertThat(eval("now + 2h", "Call_At")).isEqualTo(NOW.plusSeconds(7200));
        assertThat(eval("Call_At - 30m", "Call_At")).isEqualTo(Instant.parse("2026-02-01T09:30:00Z"));
        assertThat(eval("today", "Call_At")).isEqualTo(Instant.parse("2026-01-05T00:00:00Z"));
        assertThat((BigDecimal) eval("Closing_Date - today", "Seats")).isEqualByComparingTo("85");
        assertThat(eval("{{Contacts.Date_of_Birth}} + 1y", "Closing_Date")).isEqualTo(LocalDate.of(1991, 1, 20));
    }

    @Test
    void anEmptyFieldGivesAnEmptyValue() {
        List<FieldError> errors = new ArrayList<>();
        ValueExpression e = ValueExpression.parse(CATALOG, DEALS, "Amount * 2", field("Amount"), "value", errors);
        assertThat(e.evaluate(ref -> null, NOW, UTC, field("Amount"))).isNull();
    }

    @Test
    void mistakesAreExplainedWhenSaved() {
        assertThat(error("today + 3d", "Amount")).contains("gives a date but Amount is a currency field");
        assertThat(error("Amount + 3d", "Amount")).contains("cannot compute number + duration");
        assertThat(error("today + 3q", "Closing_Date")).contains("unknown unit 'q'");
        assertThat(error("Amont * 2", "Amount")).contains("unknown merge field {{Amont}}");
        assertThat(error("{{Accounts.Name}} * 2", "Amount")).contains("no module Accounts");
        assertThat(error("(Amount * 2", "Amount")).contains("')' is missing");
        assertThat(error("Deal_Name * 2", "Amount")).contains("Deal_Name is a text field");
        assertThat(error("Amount * 2", "Deal_Name")).contains("arithmetic works on numbers and dates");
    }

    @Test
    void templatesRenderMergeFieldsAndReportUnknownOnes() {
        List<FieldError> errors = new ArrayList<>();
        MergeValues.check(CATALOG, DEALS, "Hi {{Contacts.Last_Name}}, about {{Deals.Deal_Name}} ({{Nope}})", "subject", errors);
        assertThat(errors).extracting(FieldError::message).containsExactly("unknown merge field {{Nope}} in module Deals");
        String text = MergeValues.render(CATALOG, DEALS, "Hi {{Contacts.Last_Name}}, {{Deals.Amount}} for {{Deal_Name}}{{Seats}}",
                ref -> Map.<String, Object>of("Last_Name", "Patel", "Amount", new BigDecimal("1000.00"), "Deal_Name", "Bali").get(ref.field()));
        assertThat(text).isEqualTo("Hi Patel, 1000 for Bali");
    }
}

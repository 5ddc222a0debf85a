package io.waymark.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.waymark.json.Json;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** JSON input turned into stored values, one field kind at a time. */
class FieldValuesTest {
    static final String ID = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

    static Field field(FieldType type) {
        return new StandardModules.Fields().add("F", type).build().get(0);
    }

    static Field field(FieldType type, Integer maxLength, Integer decimalPlaces, String min, String max) {
        return new Field(UUID.randomUUID(), "F", "F", type, false, false, null, maxLength, decimalPlaces,
                min == null ? null : new BigDecimal(min), max == null ? null : new BigDecimal(max), List.of(), null, false, false,
                null, 0, false);
    }

    static Field picklist(FieldType type, String... values) {
        return new StandardModules.Fields().add("F", type, false, List.of(values), null, false).build().get(0);
    }

    /** The stored value of JSON {@code json}; fails the test if refused. */
    static Object accepted(Field f, String json) {
        FieldValues.Result r = FieldValues.fromJson(f, Json.read(json));
        assertThat(r.ok()).as("%s accepts %s, but said: %s", f.type(), json, r.error()).isTrue();
        return r.value();
    }

    /** The message for JSON {@code json}; fails the test if accepted. */
    static String refused(Field f, String json) {
        FieldValues.Result r = FieldValues.fromJson(f, Json.read(json));
        assertThat(r.ok()).as("%s refuses %s, but stored %s", f.type(), json, r.value()).isFalse();
        assertThat(r.value()).isNull();
        return r.error();
    }

    @Test
    void jsonNullAndAMissingNodeAreAnEmptyValueForEveryKind() {
        for (FieldType t : FieldType.values()) {
            assertThat(accepted(field(t), "null")).as(t.apiName()).isNull();
            assertThat(FieldValues.fromJson(field(t), null).ok()).isTrue();
        }
    }

    @Nested
    class Text {
        @Test
        void textIsStrippedAndBlankIsEmpty() {
            assertThat(accepted(field(FieldType.TEXT), "\"  Zylker  \"")).isEqualTo("Zylker");
            assertThat(accepted(field(FieldType.TEXT), "\"   \"")).isNull();
            assertThat(accepted(field(FieldType.TEXT), "\"\"")).isNull();
        }

        @Test
        void longTextKeepsItsWhitespace() {
            assertThat(accepted(field(FieldType.LONG_TEXT), "\"  line one\\nline two \"")).isEqualTo("  line one\nline two ");
        }

        @Test
        void textRefusesNonStrings() {
            assertThat(refused(field(FieldType.TEXT), "42")).isEqualTo("must be a string");
            assertThat(refused(field(FieldType.TEXT), "true")).isEqualTo("must be a string");
            assertThat(refused(field(FieldType.EMAIL), "[\"a@b.co\"]")).isEqualTo("must be a string");
            assertThat(refused(field(FieldType.PICKLIST), "{}")).isEqualTo("must be a string");
        }

        @Test
        void textUpToTheDefaultMaxLengthIsAcceptedAndOneMoreRefused() {
            assertThat(accepted(field(FieldType.TEXT), "\"" + "x".repeat(255) + "\"")).isEqualTo("x".repeat(255));
            assertThat(refused(field(FieldType.TEXT), "\"" + "x".repeat(256) + "\"")).isEqualTo("is longer than 255 characters");
        }

        @Test
        void lengthIsMeasuredAfterStripping() {
            assertThat(accepted(field(FieldType.TEXT), "\"  " + "x".repeat(255) + "  \"")).isEqualTo("x".repeat(255));
        }

        @Test
        void fieldMaxLengthOverridesTheDefault() {
            Field f = field(FieldType.TEXT, 5, null, null, null);
            assertThat(accepted(f, "\"abcde\"")).isEqualTo("abcde");
            assertThat(refused(f, "\"abcdef\"")).isEqualTo("is longer than 5 characters");
        }

        @Test
        void eachTextKindHasItsOwnDefaultLimit() {
            assertThat(refused(field(FieldType.PHONE), "\"" + "1".repeat(31) + "\"")).isEqualTo("is longer than 30 characters");
            assertThat(refused(field(FieldType.LONG_TEXT), "\"" + "x".repeat(32_001) + "\"")).isEqualTo("is longer than 32000 characters");
            assertThat(accepted(field(FieldType.LONG_TEXT), "\"" + "x".repeat(32_000) + "\"")).asString().hasSize(32_000);
        }

        @Test
        void textRefusesNulCharacters() {
            assertThat(refused(field(FieldType.TEXT), "\"a\\u0000b\"")).isEqualTo("must not contain NUL characters (\\u0000)");
            assertThat(refused(field(FieldType.LONG_TEXT), "\"a\\u0000b\"")).isEqualTo("must not contain NUL characters (\\u0000)");
        }

        @Test
        void emailRefusesNulCharacters() {
            refused(field(FieldType.EMAIL), "\"a\\u0000b@example.com\"");
        }

        @Test
        void emailNeedsALocalPartAndADottedDomain() {
            Field f = field(FieldType.EMAIL);
            assertThat(accepted(f, "\" info@zylker.co.uk \"")).isEqualTo("info@zylker.co.uk");
            assertThat(accepted(f, "\"first.last+tag@example.com\"")).isEqualTo("first.last+tag@example.com");
            for (String bad : List.of("zylker.com", "info@zylker", "@zylker.com", "info@@zylker.com", "in fo@zylker.com",
                    "info@.zylker.com", "info@zylker..com", "info@zylker.com.")) {
                assertThat(refused(f, "\"" + bad + "\"")).as(bad).isEqualTo("is not a valid email address");
            }
        }

        @Test
        void phoneAllowsDigitsWithCommonSeparatorsAndALeadingPlus() {
            Field f = field(FieldType.PHONE);
            for (String ok : List.of("+1 555 123 4567", "030 1234-567", "555.123.4567", "123", "+49 (0)30 123/45")) {
                assertThat(accepted(f, "\"" + ok + "\"")).as(ok).isEqualTo(ok);
            }
            for (String bad : List.of("12", "call me", "+", "555-123-", "++1 555 1234", "555 1234 ext 5")) {
                assertThat(refused(f, "\"" + bad + "\"")).as(bad).isEqualTo("is not a valid phone number");
            }
        }

        @Test
        void phoneMayStartWithAnAreaCodeInParentheses() {
            assertThat(accepted(field(FieldType.PHONE), "\"(555) 123-4567\"")).isEqualTo("(555) 123-4567");
        }

        @Test
        void urlMustBeAbsoluteHttpOrHttpsWithAHost() {
            Field f = field(FieldType.URL);
            assertThat(accepted(f, "\"https://zylker.com/about?x=1\"")).isEqualTo("https://zylker.com/about?x=1");
            assertThat(accepted(f, "\"HTTP://zylker.com\"")).isEqualTo("HTTP://zylker.com");
            for (String bad : List.of("zylker.com", "ftp://zylker.com", "https://", "mailto:info@zylker.com", "https://zyl ker.com",
                    "javascript:alert(1)")) {
                assertThat(refused(f, "\"" + bad + "\"")).as(bad).isEqualTo("is not a valid http(s) URL");
            }
        }

        @Test
        void picklistAcceptsOnlyItsValuesExactly() {
            Field f = picklist(FieldType.PICKLIST, "New", "Contacted");
            assertThat(accepted(f, "\" Contacted \"")).isEqualTo("Contacted");
            assertThat(refused(f, "\"new\"")).isEqualTo("'new' is not one of [New, Contacted]");
            assertThat(refused(f, "\"Won\"")).isEqualTo("'Won' is not one of [New, Contacted]");
        }

        @Test
        void longRefusedPicklistValueIsAbbreviatedInTheMessage() {
            String longValue = "y".repeat(100);
            assertThat(refused(picklist(FieldType.PICKLIST, "New"), "\"" + longValue + "\""))
                    .isEqualTo("'" + "y".repeat(57) + "...' is not one of [New]");
        }
    }

    @Nested
    class Numbers {
        @Test
        void integerAcceptsWholeNumbersAsLong() {
            assertThat(accepted(field(FieldType.INTEGER), "42")).isEqualTo(42L);
            assertThat(accepted(field(FieldType.INTEGER), "-7")).isEqualTo(-7L);
            assertThat(accepted(field(FieldType.INTEGER), "2.0")).isEqualTo(2L);
            assertThat(accepted(field(FieldType.INTEGER), "1e3")).isEqualTo(1000L);
            assertThat(accepted(field(FieldType.INTEGER), "9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        }

        @Test
        void integerRefusesAFraction() {
            assertThat(refused(field(FieldType.INTEGER), "1.5")).isEqualTo("must be a whole number");
        }

        @Test
        void integerRefusesStringsAndBooleans() {
            assertThat(refused(field(FieldType.INTEGER), "\"5\"")).isEqualTo("must be a whole number");
            assertThat(refused(field(FieldType.INTEGER), "true")).isEqualTo("must be a whole number");
        }

        @Test
        void integerBeyondLongRangeIsTooLarge() {
            assertThat(refused(field(FieldType.INTEGER), "9223372036854775808")).isEqualTo("is too large");
            assertThat(refused(field(FieldType.INTEGER), "1e20")).isEqualTo("is too large");
        }

        @Test
        void integerRespectsMinAndMax() {
            Field f = field(FieldType.INTEGER, null, null, "1", "10");
            assertThat(accepted(f, "1")).isEqualTo(1L);
            assertThat(accepted(f, "10")).isEqualTo(10L);
            assertThat(refused(f, "0")).isEqualTo("must be between 1 and 10");
            assertThat(refused(f, "11")).isEqualTo("must be between 1 and 10");
            assertThat(refused(field(FieldType.INTEGER, null, null, "0", null), "-1")).isEqualTo("must be at least 0");
            assertThat(refused(field(FieldType.INTEGER, null, null, null, "5"), "6")).isEqualTo("must be at most 5");
        }

        @Test
        void decimalIsStoredWithoutTrailingZerosAndNeverInExponentForm() {
            assertThat(accepted(field(FieldType.DECIMAL), "1.2500")).isEqualTo(new BigDecimal("1.25"));
            BigDecimal hundred = (BigDecimal) accepted(field(FieldType.DECIMAL), "100.00");
            assertThat(hundred).isEqualTo(new BigDecimal("100"));
            assertThat(hundred.toString()).isEqualTo("100");
            assertThat(accepted(field(FieldType.DECIMAL), "7")).isEqualTo(new BigDecimal("7"));
        }

        @Test
        void currencyAllowsTwoDecimalPlacesByDefault() {
            Field f = field(FieldType.CURRENCY);
            assertThat(accepted(f, "19.99")).isEqualTo(new BigDecimal("19.99"));
            assertThat(accepted(f, "19.990")).isEqualTo(new BigDecimal("19.99"));
            assertThat(refused(f, "19.999")).isEqualTo("may have at most 2 decimal places");
        }

        @Test
        void decimalAllowsFourDecimalPlacesByDefaultAndTheFieldMayChange() {
            assertThat(accepted(field(FieldType.DECIMAL), "0.1234")).isEqualTo(new BigDecimal("0.1234"));
            assertThat(refused(field(FieldType.DECIMAL), "0.12345")).isEqualTo("may have at most 4 decimal places");
            assertThat(refused(field(FieldType.DECIMAL, null, 0, null, null), "1.5")).isEqualTo("may have at most 0 decimal places");
            assertThat(accepted(field(FieldType.CURRENCY, null, 3, null, null), "1.125")).isEqualTo(new BigDecimal("1.125"));
        }

        @Test
        void decimalRefusesNonNumbers() {
            assertThat(refused(field(FieldType.CURRENCY), "\"19.99\"")).isEqualTo("must be a number");
            assertThat(refused(field(FieldType.DECIMAL), "false")).isEqualTo("must be a number");
        }

        @Test
        void decimalWithEighteenDigitsBeforeThePointIsTooLarge() {
            assertThat(accepted(field(FieldType.DECIMAL), "999999999999999999.99")).isEqualTo(new BigDecimal("999999999999999999.99"));
            assertThat(refused(field(FieldType.DECIMAL), "1000000000000000000"))
                    .isEqualTo("is too large (at most 18 digits before the decimal point)");
            assertThat(refused(field(FieldType.DECIMAL), "-1e18")).isEqualTo("is too large (at most 18 digits before the decimal point)");
        }

        @Test
        void percentIsLimitedToZeroToAHundred() {
            Field f = field(FieldType.PERCENT);
            assertThat(accepted(f, "0")).isEqualTo(new BigDecimal("0"));
            assertThat(accepted(f, "100.00")).isEqualTo(new BigDecimal("100"));
            assertThat(refused(f, "100.01")).isEqualTo("must be between 0 and 100");
            assertThat(refused(f, "-0.5")).isEqualTo("must be between 0 and 100");
        }

        @Test
        void decimalRespectsMinAndMax() {
            Field f = field(FieldType.DECIMAL, null, null, "0.5", null);
            assertThat(accepted(f, "0.5")).isEqualTo(new BigDecimal("0.5"));
            assertThat(refused(f, "0.4999")).isEqualTo("must be at least 0.5");
        }
    }

    @Nested
    class Others {
        @Test
        void booleanAcceptsOnlyJsonBooleans() {
            assertThat(accepted(field(FieldType.BOOLEAN), "true")).isEqualTo(true);
            assertThat(accepted(field(FieldType.BOOLEAN), "false")).isEqualTo(false);
            assertThat(refused(field(FieldType.BOOLEAN), "\"true\"")).isEqualTo("must be true or false");
            assertThat(refused(field(FieldType.BOOLEAN), "1")).isEqualTo("must be true or false");
        }

        @Test
        void dateAcceptsOnlyValidIsoDates() {
            Field f = field(FieldType.DATE);
            assertThat(accepted(f, "\"2024-02-29\"")).isEqualTo(LocalDate.of(2024, 2, 29));
            for (String bad : List.of("\"2023-02-29\"", "\"2024-2-5\"", "\"05/02/2024\"", "\"2024-02-05T10:00:00Z\"", "20240205")) {
                assertThat(refused(f, bad)).as(bad).isEqualTo("must be a date as YYYY-MM-DD");
            }
        }

        @Test
        void dateTimeNeedsAnOffsetAndIsStoredAsAnInstant() {
            Field f = field(FieldType.DATETIME);
            assertThat(accepted(f, "\"2026-05-01T09:30:00Z\"")).isEqualTo(Instant.parse("2026-05-01T09:30:00Z"));
            assertThat(accepted(f, "\"2026-05-01T09:30:00+02:00\"")).isEqualTo(Instant.parse("2026-05-01T07:30:00Z"));
            assertThat(accepted(f, "\"2026-05-01T09:30:00.123-05:00\"")).isEqualTo(Instant.parse("2026-05-01T14:30:00.123Z"));
            for (String bad : List.of("\"2026-05-01T09:30:00\"", "\"2026-05-01\"", "\"yesterday\"", "1714555800")) {
                assertThat(refused(f, bad)).as(bad).isEqualTo("must be a date-time with an offset, e.g. 2026-05-01T09:30:00Z");
            }
        }

        @Test
        void multiSelectIsStoredInPicklistOrder() {
            Field f = picklist(FieldType.MULTI_SELECT, "A", "B", "C");
            assertThat(accepted(f, "[\"C\",\"A\"]")).isEqualTo(List.of("A", "C"));
            assertThat(accepted(f, "[\"B\"]")).isEqualTo(List.of("B"));
        }

        @Test
        void multiSelectEmptyArrayIsAnEmptyValue() {
            assertThat(accepted(picklist(FieldType.MULTI_SELECT, "A"), "[]")).isNull();
        }

        @Test
        void multiSelectRefusesDuplicates() {
            assertThat(refused(picklist(FieldType.MULTI_SELECT, "A", "B"), "[\"B\",\"A\",\"B\"]")).isEqualTo("lists 'B' twice");
        }

        @Test
        void multiSelectRefusesUnknownValuesAndNonStrings() {
            Field f = picklist(FieldType.MULTI_SELECT, "A", "B", "C");
            assertThat(refused(f, "[\"A\",\"a\"]")).isEqualTo("'a' is not one of [A, B, C]");
            assertThat(refused(f, "\"A\"")).isEqualTo("must be an array of strings");
            assertThat(refused(f, "[\"A\", 1]")).isEqualTo("must be an array of strings");
            assertThat(refused(f, "[null]")).isEqualTo("must be an array of strings");
        }

        @Test
        void lookupAcceptsAnIdOrAnObjectWithAnId() {
            Field f = new StandardModules.Fields().lookup("Account", "Accounts").build().get(0);
            assertThat(accepted(f, "\"" + ID + "\"")).isEqualTo(UUID.fromString(ID));
            assertThat(accepted(f, "{\"id\":\"" + ID + "\",\"name\":\"Zylker\"}")).isEqualTo(UUID.fromString(ID));
            assertThat(accepted(field(FieldType.OWNER), "{\"id\":\"" + ID + "\"}")).isEqualTo(UUID.fromString(ID));
        }

        @Test
        void lookupRefusesAnythingElse() {
            Field f = new StandardModules.Fields().lookup("Account", "Accounts").build().get(0);
            for (String bad : List.of("\"not-a-uuid\"", "{\"name\":\"Zylker\"}", "{\"id\":42}", "42", "[\"" + ID + "\"]",
                    "\"" + ID.substring(1) + "\"", "{\"id\":null}")) {
                assertThat(refused(f, bad)).as(bad).isEqualTo("must be a record id (a UUID) or an object with an 'id'");
            }
        }
    }

    @Nested
    class BackToJson {
        @Test
        void storedValuesRenderAsTheirJson() {
            assertThat(Json.write(FieldValues.toJson(new BigDecimal("19.90")))).isEqualTo("19.90");
            assertThat(Json.write(FieldValues.toJson(42L))).isEqualTo("42");
            assertThat(Json.write(FieldValues.toJson(LocalDate.of(2024, 2, 29)))).isEqualTo("\"2024-02-29\"");
            assertThat(Json.write(FieldValues.toJson(Instant.parse("2026-05-01T07:30:00Z")))).isEqualTo("\"2026-05-01T07:30:00Z\"");
            assertThat(Json.write(FieldValues.toJson(List.of("A", "C")))).isEqualTo("[\"A\",\"C\"]");
            assertThat(Json.write(FieldValues.toJson(null))).isEqualTo("null");
        }

        @Test
        void sameIgnoresDecimalScaleOnly() {
            assertThat(FieldValues.same(new BigDecimal("1.0"), new BigDecimal("1.00"))).isTrue();
            assertThat(FieldValues.same(null, null)).isTrue();
            assertThat(FieldValues.same("a", "A")).isFalse();
            assertThat(FieldValues.same(null, "a")).isFalse();
        }
    }
}

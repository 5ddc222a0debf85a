package io.waymark.criteria;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.json.Json;
import io.waymark.record.FieldType;
import io.waymark.record.Module;
import io.waymark.record.Record;
import io.waymark.record.StandardModules;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A small module with one field of each kind, and terse builders for records and conditions. */
final class Fixtures {
    static final Module LEADS = StandardModules.module("Leads", "Lead", List.of("Name"), null, new StandardModules.Fields()
            .add("Name", FieldType.TEXT)
            .add("Email", FieldType.EMAIL)
            .add("Employees", FieldType.INTEGER)
            .add("Revenue", FieldType.CURRENCY)
            .add("Opt_Out", FieldType.BOOLEAN)
            .add("Closing", FieldType.DATE)
            .add("Call_At", FieldType.DATETIME)
            .picklist("Status", "New", "Contacted", "Lost")
            .add("Tags", FieldType.MULTI_SELECT, false, List.of("A", "B", "C"), null, false)
            .lookup("Account", "Accounts")
            .build());

    static final UUID RECORD_ID = UUID.fromString("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
    static final Instant CREATED = Instant.parse("2024-06-01T08:00:00Z");

    private Fixtures() {
    }

    /** A Leads record with the given field values ({@code "Name", "Zylker", "Employees", 5L, ...}). */
    static Record record(Object... nameValuePairs) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            values.put((String) nameValuePairs[i], nameValuePairs[i + 1]);
        }
        return new Record(RECORD_ID, "Leads", LEADS.defaultLayout().id(), RECORD_ID.toString(), 1, CREATED, null, CREATED,
                null, values);
    }

    static JsonNode json(Object value) {
        if (value == null) {
            return com.fasterxml.jackson.databind.node.NullNode.getInstance();
        }
        return value instanceof JsonNode n ? n : Json.MAPPER.valueToTree(value);
    }

    static Condition cond(String field, Operator op, Object... values) {
        List<JsonNode> nodes = new ArrayList<>();
        for (Object v : values) {
            nodes.add(json(v));
        }
        return new Condition(field, op, nodes);
    }
}

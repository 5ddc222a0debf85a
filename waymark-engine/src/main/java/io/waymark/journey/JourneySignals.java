package io.waymark.journey;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.record.Field;
import io.waymark.record.FieldType;
import io.waymark.record.FieldValues;
import io.waymark.record.Module;
import io.waymark.record.Record;
import io.waymark.record.StandardModules;
import io.waymark.signal.Signal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The signal types a journey may wait for, with the payload fields their criteria may test.
 * Record signals ({@code record.*}, {@code lead.converted}) are tested on the record's own
 * fields instead; {@code custom.*} signals (the incoming-signal API) carry whatever their sender
 * puts in them, so their payload fields are compared as text.
 */
public final class JourneySignals {
    private static final Map<String, Module> PAYLOADS = new LinkedHashMap<>();
    /** Signals about a record, whose criteria test the record's fields. */
    public static final Set<String> RECORD_SIGNALS = Set.of("record.created", "record.updated", "record.deleted", "lead.converted");

    static {
        StandardModules.Fields email = new StandardModules.Fields().add("template", FieldType.TEXT).add("subject", FieldType.TEXT)
                .add("message_id", FieldType.TEXT).add("from", FieldType.TEXT).add("to", FieldType.TEXT).add("url", FieldType.TEXT)
                .add("body", FieldType.LONG_TEXT).add("campaign", FieldType.TEXT)
                // What the email capability puts in email.replied (and email.sent): the subject line and the reply's first lines.
                .add("subject_line", FieldType.TEXT).add("snippet", FieldType.LONG_TEXT);
        for (String t : List.of("sent", "delivered", "opened", "clicked", "replied", "bounced", "unsubscribed", "received")) {
            payload("email." + t, email);
        }
        payload("form.submitted", new StandardModules.Fields().add("form", FieldType.TEXT).add("page", FieldType.TEXT));
        payload("survey.responded", new StandardModules.Fields().add("survey", FieldType.TEXT).add("score", FieldType.DECIMAL)
                .add("answer", FieldType.LONG_TEXT));
        payload("cadence.goal_reached", new StandardModules.Fields().add("cadence", FieldType.TEXT).add("goal", FieldType.TEXT));
        payload("cadence.ended", new StandardModules.Fields().add("cadence", FieldType.TEXT).add("reason", FieldType.TEXT));
        payload("call.logged", new StandardModules.Fields().add("result", FieldType.TEXT).add("duration", FieldType.INTEGER)
                .add("direction", FieldType.TEXT));
        StandardModules.Fields chat = new StandardModules.Fields().add("channel", FieldType.TEXT).add("topic", FieldType.TEXT);
        payload("chat.started", chat);
        payload("chat.ended", chat);
        payload("web.visited", new StandardModules.Fields().add("url", FieldType.TEXT).add("page", FieldType.TEXT)
                .add("referrer", FieldType.TEXT));
        StandardModules.Fields action = new StandardModules.Fields().add("source", FieldType.TEXT).add("action_type", FieldType.TEXT)
                .add("reason", FieldType.TEXT);
        payload("action.succeeded", action);
        payload("action.failed", action);
    }

    private JourneySignals() {
    }

    private static void payload(String type, StandardModules.Fields fields) {
        PAYLOADS.put(type, StandardModules.module("signal:" + type, type, List.of(), null, fields.build()));
    }

    /** Every signal type a journey can name (besides {@code custom.*}), sorted. */
    public static Set<String> known() {
        Set<String> all = new TreeSet<>(PAYLOADS.keySet());
        all.addAll(RECORD_SIGNALS);
        return all;
    }

    /** Whether journeys may wait for {@code type}. */
    public static boolean isKnown(String type) {
        return type != null && (PAYLOADS.containsKey(type) || RECORD_SIGNALS.contains(type) || isCustom(type));
    }

    static boolean isCustom(String type) {
        return type.startsWith("custom.") && type.length() > 7 && type.matches("[a-z0-9_]+(\\.[a-z0-9_]+)+");
    }

    /**
     * The pseudo-module whose fields are the payload fields of a non-record signal type; for a
     * custom type, one text field per name its criteria use.
     */
    static Optional<Module> payloadModule(String type, Set<String> customFields) {
        if (isCustom(type)) {
            StandardModules.Fields f = new StandardModules.Fields();
            customFields.forEach(n -> f.add(n, FieldType.TEXT));
            return Optional.of(StandardModules.module("signal:" + type, type, List.of(), null, f.build()));
        }
        return Optional.ofNullable(PAYLOADS.get(type));
    }

    /** The signal's payload as a record of its pseudo-module, for criteria. */
    static Record payloadRecord(Module module, Signal s) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Field f : module.fields()) {
            JsonNode v = s.payload() == null ? null : s.payload().get(f.apiName());
            Object value = null;
            if (v != null && !v.isNull()) {
                if (f.type() == FieldType.TEXT || f.type() == FieldType.LONG_TEXT) {
                    value = v.isTextual() ? v.textValue() : v.toString();
                } else {
                    FieldValues.Result r = FieldValues.fromJson(f, v.isTextual() && f.type().isNumeric() ? numberOrText(v) : v);
                    value = r.ok() ? r.value() : null;
                }
            }
            values.put(f.apiName(), value);
        }
        return new Record(s.recordId() == null ? new java.util.UUID(0, 0) : s.recordId(), module.apiName(), null, s.subject(), 0,
                s.occurredAt(), s.actor(), s.occurredAt(), s.actor(), values);
    }

    private static JsonNode numberOrText(JsonNode v) {
        try {
            return io.waymark.json.Json.MAPPER.getNodeFactory().numberNode(new java.math.BigDecimal(v.textValue().strip()));
        } catch (NumberFormatException e) {
            return v;
        }
    }
}

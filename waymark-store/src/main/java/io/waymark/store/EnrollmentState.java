package io.waymark.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.json.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The at-rest form of a cadence enrollment's state (next follow-up, outcomes, timeline): its JSON,
 * deflated against a preset dictionary of the words every state repeats (keys, timeline kinds,
 * statuses, an instant). A state of a few timeline lines takes about a fifth of its JSON. The
 * first byte names the format, so that a later dictionary can be told apart; what comes back is
 * exactly the JSON that went in.
 */
final class EnrollmentState {
    /** Format 1: raw deflate with {@link #DICTIONARY_1}. */
    private static final byte FORMAT_1 = 1;
    /**
     * Never change it: stored states need it to be read. Deflate finds the most used words best
     * near the end.
     */
    private static final byte[] DICTIONARY_1 = ("\"paused_until\":\"\"cadence_paused\":\"finished_at\":\"until\":\"reason\":\"email_id\":"
            + "\"events\":{\"opened\":\"clicked\":\"replied\":\"bounced\":\"unsubscribed\"auto_reply\"deferred\"failed\"skipped\"resumed\""
            + "\"migrated\",\"from_version\":\"to_version\":\"mapping\":{\"call_completed\"goal_criteria_met\"related_record_created\""
            + "\"ended\",\"reason\":\"exhausted\"goal_reached\"removed\"cadence_resumed\"\"paused\",\"by\":\"hand\"out_of_office\""
            + "\"kind\":\"enrolled\",\"by\":\"system\",\"how\":\"automatic\"on_publish\"action\"criteria\"record_ids\"},"
            + "{\"next\":0,\"anchor\":\"2026-01-01T00:00:00Z\",\"zone\":\"UTC\",\"outcomes\":{\"first\":{\"status\":\"planned\",\"due_at\":\""
            + "\"},\"status\":\"queued\",\"at\":\"\",\"type\":\"email\"task\"call\"},\"status\":\"sent\",\"sent_at\":\"\",\"record_id\":\""
            + "\"timeline\":[{\"at\":\"2026-01-01T00:00:00Z\",\"kind\":\"queued\",\"follow_up\":\"},{\"at\":\"2026-01-01T00:00:00Z\",\"kind\":\"sent\","
            + "\"follow_up\":\"\"}],\"due\":\"2026-01-01T00:00:00Z\"}").getBytes(StandardCharsets.UTF_8);

    private EnrollmentState() {
    }

    static byte[] pack(ObjectNode state) {
        byte[] json = Json.write(state).getBytes(StandardCharsets.UTF_8);
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            d.setDictionary(DICTIONARY_1);
            d.setInput(json);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(json.length / 2 + 16);
            out.write(FORMAT_1);
            byte[] buf = new byte[Math.max(64, json.length)];
            while (!d.finished()) {
                int n = d.deflate(buf);
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    static ObjectNode unpack(byte[] packed) {
        if (packed.length == 0 || packed[0] != FORMAT_1) {
            throw new IllegalStateException("unknown cadence enrollment state format " + (packed.length == 0 ? "(empty)" : packed[0]));
        }
        Inflater i = new Inflater(true);
        try {
            i.setDictionary(DICTIONARY_1);
            // Raw deflate wants one dummy byte after the data (see Inflater(boolean)).
            byte[] input = java.util.Arrays.copyOfRange(packed, 1, packed.length + 1);
            i.setInput(input);
            ByteArrayOutputStream out = new ByteArrayOutputStream(packed.length * 5);
            byte[] buf = new byte[Math.max(256, packed.length * 5)];
            while (!i.finished()) {
                int n = i.inflate(buf);
                if (n == 0 && (i.needsInput() || i.needsDictionary())) {
                    throw new IllegalStateException("truncated cadence enrollment state");
                }
                out.write(buf, 0, n);
            }
            return (ObjectNode) Json.read(out.toString(StandardCharsets.UTF_8));
        } catch (DataFormatException e) {
            throw new IllegalStateException("corrupt cadence enrollment state", e);
        } finally {
            i.end();
        }
    }
}

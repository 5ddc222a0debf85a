package io.waymark.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Merge values in screen flows: {@code {{name}}} or {@code {{name.Field.sub}}} inside any JSON
 * string is replaced by the value at that path of the run's variables. A string that is exactly
 * one reference keeps the value's JSON type (a number stays a number, a record stays an object);
 * a reference inside a longer text is rendered as text (a lookup as its name). A lookup object
 * {@code {"id", "name"}} used where a single value is expected stands for its id.
 */
public final class Merge {
    private static final Pattern REF = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z0-9_]+)*)\\s*}}");

    private Merge() {
    }

    /** The variable roots (the part before the first dot) that {@code node} refers to. */
    public static Set<String> roots(JsonNode node) {
        Set<String> out = new LinkedHashSet<>();
        collect(node, out);
        return out;
    }

    private static void collect(JsonNode node, Set<String> out) {
        if (node == null) {
            return;
        }
        if (node.isTextual()) {
            Matcher m = REF.matcher(node.textValue());
            while (m.find()) {
                String path = m.group(1);
                int dot = path.indexOf('.');
                out.add(dot < 0 ? path : path.substring(0, dot));
            }
        } else if (node.isContainerNode()) {
            node.forEach(n -> collect(n, out));
        }
    }

    /**
     * Resolves every reference whose root is in {@code vars}; references to other roots are left
     * as they are (so a later pass can fill them). A path that leads nowhere becomes null (or
     * empty text inside a longer string).
     */
    public static JsonNode resolve(JsonNode node, Map<String, JsonNode> vars) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            return resolveText(node.textValue(), vars);
        }
        if (node.isObject()) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                o.set(e.getKey(), resolve(e.getValue(), vars));
            }
            return o;
        }
        if (node.isArray()) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            node.forEach(n -> a.add(resolve(n, vars)));
            return a;
        }
        return node;
    }

    /** Resolves references in a text and always answers text (for messages and labels). */
    public static String text(String template, Map<String, JsonNode> vars) {
        if (template == null) {
            return null;
        }
        JsonNode n = resolveText(template, vars);
        return n.isNull() ? "" : n.isTextual() ? n.textValue() : display(n);
    }

    private static JsonNode resolveText(String s, Map<String, JsonNode> vars) {
        Matcher m = REF.matcher(s);
        if (!m.find()) {
            return TextNode.valueOf(s);
        }
        if (m.start() == 0 && m.end() == s.length()) {
            String path = m.group(1);
            if (!vars.containsKey(root(path))) {
                return TextNode.valueOf(s);
            }
            JsonNode v = lookup(path, vars);
            return v == null ? JsonNodeFactory.instance.nullNode() : v;
        }
        StringBuilder out = new StringBuilder();
        m.reset();
        int last = 0;
        while (m.find()) {
            out.append(s, last, m.start());
            String path = m.group(1);
            if (vars.containsKey(root(path))) {
                JsonNode v = lookup(path, vars);
                out.append(v == null || v.isNull() ? "" : display(v));
            } else {
                out.append(m.group());
            }
            last = m.end();
        }
        out.append(s.substring(last));
        return TextNode.valueOf(out.toString());
    }

    private static String root(String path) {
        int dot = path.indexOf('.');
        return dot < 0 ? path : path.substring(0, dot);
    }

    /** The value at a dotted path, or null. */
    public static JsonNode lookup(String path, Map<String, JsonNode> vars) {
        String[] parts = path.split("\\.");
        JsonNode cur = vars.get(parts[0]);
        for (int i = 1; i < parts.length && cur != null; i++) {
            cur = cur.isObject() ? cur.get(parts[i]) : null;
        }
        return cur;
    }

    /** How a value reads inside a text: a lookup or owner by its name, arrays joined by commas. */
    public static String display(JsonNode v) {
        if (v == null || v.isNull()) {
            return "";
        }
        if (v.isObject() && v.has("name") && v.has("id")) {
            return v.get("name").isNull() ? v.get("id").asText() : v.get("name").asText();
        }
        if (v.isArray()) {
            StringBuilder b = new StringBuilder();
            for (JsonNode e : v) {
                if (b.length() > 0) {
                    b.append(", ");
                }
                b.append(display(e));
            }
            return b.toString();
        }
        return v.isValueNode() ? v.asText() : v.toString();
    }

    /** A lookup object {@code {"id", ...}} stands for its id where one value is expected. */
    public static JsonNode scalar(JsonNode v) {
        if (v != null && v.isObject() && v.has("id")) {
            return v.get("id");
        }
        return v;
    }
}

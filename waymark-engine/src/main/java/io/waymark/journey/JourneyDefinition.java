package io.waymark.journey;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.action.ActionCatalog;
import io.waymark.action.ActionDefinition;
import io.waymark.criteria.CompactCriteria;
import io.waymark.criteria.CompiledCriteria;
import io.waymark.criteria.Condition;
import io.waymark.criteria.Criteria;
import io.waymark.criteria.Operator;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.record.Module;
import io.waymark.record.ModuleCatalog;
import io.waymark.record.Record;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A journey's definition: the customer's state machine, parsed from JSON, validated and compiled
 * for the runner. The JSON shape:
 *
 * <pre>{@code
 * {"name": "Lead nurture", "re_entry": "never",
 *  "entry": [{"type": "record_created", "module": "Leads", "criteria": "(Lead_Source:equals:Web Form)"}],
 *  "states": [
 *    {"key": "nurturing", "module": "Leads", "on_enter": [actions…],
 *     "transitions": [
 *       {"key": "opened", "signal": "email.opened", "criteria": "(template:equals:welcome)", "to": "surveyed", "actions": [...]},
 *       {"key": "silent", "after": "2d", "to": "lost"}],
 *     "deadline": {"after": "7d", "actions": [...]}},
 *    {"key": "surveyed", "module": "Leads", "transitions": [...]},
 *    {"key": "won", "end": "success"}, {"key": "lost", "end": "failure"}]}
 * }</pre>
 *
 * <p>A transition waits for a {@code signal} (with {@code criteria} on its payload, or on the
 * record for record signals, and {@code module} to wait for a related record's signal), or for
 * time with nothing else happening ({@code after}: "did not happen"), or is {@code automatic}
 * (taken on entering the state when its {@code record_criteria} hold). {@code record_criteria}
 * test the customer's record the instance acts on. Among one state's transitions the lowest
 * {@code precedence} (default: their order) wins. A {@code deadline} escalates with actions, and
 * moves the customer when it has {@code to}. Validation names the state or transition at fault.
 */
public final class JourneyDefinition {
    public static final int MAX_STATES = 100;
    public static final int MAX_TRANSITIONS = 20;
    private static final Pattern KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_\\-]{0,59}");
    private static final Duration MIN_WAIT = Duration.ofMinutes(1);
    private static final Duration MAX_WAIT = Duration.ofDays(3650);

    /** Whether a customer who already went through the journey may start it again. */
    public enum ReEntry {
        /** Once per customer, ever. */
        NEVER,
        /** Again once the previous run has ended. */
        AFTER_END,
        /** Any time, even while a run is going on. */
        ALWAYS;

        public String apiName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Tests a signal or a record: compiled criteria on a module (or a signal's pseudo-module). */
    public record Matcher(CompiledCriteria compiled, Module module) {
        boolean matches(Record r, Record previous, Instant now, ZoneId zone) {
            return compiled.matches(r, previous, now, zone);
        }
    }

    /**
     * How customers enter.
     *
     * @param type   record_created, record_updated, signal, form_submitted, cadence_goal, endpoint or api
     * @param signal the signal type it listens to (null for api)
     * @param module the module of record triggers
     * @param state  the state it enters
     */
    public record Entry(int index, String type, String signal, String module, Matcher criteria, String state) {
    }

    /** One way out of a state. Exactly one of signal, after and automatic is set. */
    public record Transition(String key, String from, String to, String signal, String module, Duration after, boolean automatic,
                             int precedence, Matcher criteria, Matcher recordCriteria, List<ActionDefinition> actions) {
    }

    /** What happens when a customer stays too long in a state: actions, and a move if {@code to} is set. */
    public record Deadline(Duration after, String to, List<ActionDefinition> actions) {
    }

    /**
     * A state.
     *
     * @param module the module of the record that represents the customer here
     * @param end    {@code success} or {@code failure} for end states, else null
     */
    public record State(String key, String name, String module, String end, List<ActionDefinition> onEnter, List<Transition> transitions,
                        Deadline deadline) {
        public boolean isEnd() {
            return end != null;
        }
    }

    private final String name;
    private final ReEntry reEntry;
    private final List<Entry> entries;
    private final Map<String, State> states;
    private final ObjectNode source;

    private JourneyDefinition(String name, ReEntry reEntry, List<Entry> entries, Map<String, State> states, ObjectNode source) {
        this.name = name;
        this.reEntry = reEntry;
        this.entries = entries;
        this.states = states;
        this.source = source;
    }

    public String name() {
        return name;
    }

    public ReEntry reEntry() {
        return reEntry;
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The states in definition order. */
    public Map<String, State> states() {
        return states;
    }

    public State state(String key) {
        return states.get(key);
    }

    /** The definition as given (validated); what is stored and shown. */
    public ObjectNode toJson() {
        return source.deepCopy();
    }

    /** Signal types any transition or entry of this definition waits for. */
    public Set<String> signalTypes() {
        Set<String> out = new HashSet<>();
        entries.forEach(e -> {
            if (e.signal() != null) {
                out.add(e.signal());
            }
        });
        states.values().forEach(s -> s.transitions().forEach(t -> {
            if (t.signal() != null) {
                out.add(t.signal());
            }
        }));
        return out;
    }

    // ------------------------------------------------------------------ parsing

    /** Parses and validates; throws a {@link ValidationException} listing every problem, each naming its place. */
    public static JourneyDefinition parse(Actor actor, ModuleCatalog modules, ActionCatalog actions, JsonNode body) {
        List<FieldError> errors = new ArrayList<>();
        JourneyDefinition d = parse(actor, modules, actions, body, errors);
        if (!errors.isEmpty()) {
            throw new ValidationException(errors.size() == 1 ? errors.get(0).field() + " " + errors.get(0).message()
                    : errors.size() + " problems in the journey definition", errors);
        }
        return d;
    }

    /** Reads back a stored, already validated definition (no action config checks). */
    static JourneyDefinition load(ModuleCatalog modules, ActionCatalog actions, ObjectNode stored) {
        List<FieldError> errors = new ArrayList<>();
        JourneyDefinition d = parse(null, modules, actions, stored, errors);
        if (d == null) {
            throw new IllegalStateException("stored journey definition no longer parses: " + errors);
        }
        return d;
    }

    private static JourneyDefinition parse(Actor actor, ModuleCatalog modules, ActionCatalog actions, JsonNode body, List<FieldError> errors) {
        if (body == null || !body.isObject()) {
            errors.add(new FieldError("body", "must be a JSON object"));
            return null;
        }
        unknownKeys(body, "", Set.of("name", "description", "re_entry", "entry", "states"), errors);
        String name = text(body, "name");
        if (name == null || name.isBlank() || name.length() > 200) {
            errors.add(new FieldError("name", "is required, at most 200 characters"));
        }
        if (body.has("description") && !body.get("description").isNull() && !body.get("description").isTextual()) {
            errors.add(new FieldError("description", "must be a string"));
        }
        ReEntry reEntry = ReEntry.NEVER;
        if (body.hasNonNull("re_entry")) {
            String r = text(body, "re_entry");
            reEntry = java.util.Arrays.stream(ReEntry.values()).filter(v -> v.apiName().equals(r)).findFirst().orElse(null);
            if (reEntry == null) {
                errors.add(new FieldError("re_entry", "must be one of never, after_end, always"));
                reEntry = ReEntry.NEVER;
            }
        }
        JsonNode statesNode = body.get("states");
        Map<String, State> states = new LinkedHashMap<>();
        Map<String, String> statePaths = new HashMap<>();
        if (statesNode == null || !statesNode.isArray() || statesNode.isEmpty()) {
            errors.add(new FieldError("states", "is required: a list of at least one state"));
        } else if (statesNode.size() > MAX_STATES) {
            errors.add(new FieldError("states", "holds at most " + MAX_STATES + " states"));
        } else {
            // Keys first, so that transitions can name states defined after them.
            Map<String, String> keys = new HashMap<>();
            for (int i = 0; i < statesNode.size(); i++) {
                String k = statesNode.get(i).isObject() ? text(statesNode.get(i), "key") : null;
                if (k != null) {
                    keys.put(k, text(statesNode.get(i), "module"));
                }
            }
            for (int i = 0; i < statesNode.size(); i++) {
                String path = "states[" + i + "]";
                State s = state(actor, modules, actions, statesNode.get(i), path, keys, errors);
                if (s != null) {
                    if (states.containsKey(s.key())) {
                        errors.add(new FieldError(path + ".key", "state '" + s.key() + "' is defined twice"));
                    } else {
                        states.put(s.key(), s);
                        statePaths.put(s.key(), path);
                    }
                }
            }
        }
        List<Entry> entries = new ArrayList<>();
        String first = statesNode != null && statesNode.isArray() && !statesNode.isEmpty() ? text(statesNode.get(0), "key") : null;
        JsonNode entryNode = body.get("entry");
        if (entryNode == null || !entryNode.isArray() || entryNode.isEmpty()) {
            errors.add(new FieldError("entry", "is required: a list of at least one entry trigger"));
        } else {
            for (int i = 0; i < entryNode.size(); i++) {
                Entry e = entry(modules, entryNode.get(i), i, first, states, errors);
                if (e != null) {
                    entries.add(e);
                }
            }
        }
        if (errors.isEmpty()) {
            graphChecks(entries, states, statePaths, errors);
        }
        return errors.isEmpty() || actor == null ? new JourneyDefinition(name, reEntry, List.copyOf(entries), states, ((ObjectNode) body).deepCopy()) : null;
    }

    private static State state(Actor actor, ModuleCatalog modules, ActionCatalog actions, JsonNode n, String path, Map<String, String> keys,
                               List<FieldError> errors) {
        if (!n.isObject()) {
            errors.add(new FieldError(path, "must be an object"));
            return null;
        }
        unknownKeys(n, path, Set.of("key", "name", "module", "end", "on_enter", "transitions", "deadline"), errors);
        String key = text(n, "key");
        if (key == null || !KEY.matcher(key).matches()) {
            errors.add(new FieldError(path + ".key", "is required: a letter then letters, digits, _ or -, at most 60"));
            return null;
        }
        String label = "state '" + key + "'";
        String name = n.hasNonNull("name") ? text(n, "name") : key;
        String end = n.hasNonNull("end") ? text(n, "end") : null;
        if (end != null && !end.equals("success") && !end.equals("failure")) {
            errors.add(new FieldError(path + ".end", label + ": end must be success or failure"));
        }
        String moduleName = text(n, "module");
        Module module = null;
        if (moduleName != null) {
            module = modules.find(moduleName).orElse(null);
            if (module == null) {
                errors.add(new FieldError(path + ".module", label + ": unknown module '" + moduleName + "'"));
            }
        } else if (end == null) {
            errors.add(new FieldError(path + ".module", label + ": is required: the module of the record that represents the customer here"));
        }
        List<ActionDefinition> onEnter = actions(actor, actions, moduleName, n.get("on_enter"), path + ".on_enter", errors);
        List<Transition> transitions = new ArrayList<>();
        JsonNode ts = n.get("transitions");
        if (ts != null && !ts.isNull()) {
            if (!ts.isArray()) {
                errors.add(new FieldError(path + ".transitions", label + ": must be a list"));
            } else if (ts.size() > MAX_TRANSITIONS) {
                errors.add(new FieldError(path + ".transitions", label + ": at most " + MAX_TRANSITIONS + " transitions"));
            } else {
                Set<String> tkeys = new HashSet<>();
                for (int i = 0; i < ts.size(); i++) {
                    Transition t = transition(actor, modules, actions, key, module, ts.get(i), path + ".transitions[" + i + "]", i, keys, errors);
                    if (t != null) {
                        if (!tkeys.add(t.key())) {
                            errors.add(new FieldError(path + ".transitions[" + i + "].key", label + ": transition '" + t.key() + "' is defined twice"));
                        }
                        transitions.add(t);
                    }
                }
            }
        }
        transitions.sort(Comparator.comparingInt(Transition::precedence));
        Deadline deadline = null;
        JsonNode dn = n.get("deadline");
        if (dn != null && !dn.isNull()) {
            String dp = path + ".deadline";
            if (!dn.isObject()) {
                errors.add(new FieldError(dp, label + ": must be an object with after, and actions or to"));
            } else {
                unknownKeys(dn, dp, Set.of("after", "to", "actions"), errors);
                Duration after = duration(dn.get("after"), dp + ".after", label + " deadline", errors);
                String to = text(dn, "to");
                if (to != null && !keys.containsKey(to)) {
                    errors.add(new FieldError(dp + ".to", label + " deadline: unknown state '" + to + "'"));
                }
                List<ActionDefinition> da = actions(actor, actions, moduleName, dn.get("actions"), dp + ".actions", errors);
                if (to == null && da.isEmpty() && !dn.path("actions").isArray()) {
                    errors.add(new FieldError(dp, label + " deadline: needs actions to escalate with, or to (a state to move to)"));
                }
                deadline = new Deadline(after, to, da);
            }
        }
        if (end != null && (!transitions.isEmpty() || deadline != null)) {
            errors.add(new FieldError(path, label + " is an end state: it cannot have transitions or a deadline"));
        }
        return new State(key, name, moduleName, end, onEnter, List.copyOf(transitions), deadline);
    }

    private static Transition transition(Actor actor, ModuleCatalog modules, ActionCatalog actions, String from, Module fromModule,
                                         JsonNode n, String path, int index, Map<String, String> keys, List<FieldError> errors) {
        if (!n.isObject()) {
            errors.add(new FieldError(path, "state '" + from + "': a transition must be an object"));
            return null;
        }
        unknownKeys(n, path, Set.of("key", "to", "signal", "module", "after", "automatic", "criteria", "record_criteria", "precedence", "actions"), errors);
        String to = text(n, "to");
        String key = n.hasNonNull("key") ? text(n, "key") : to == null ? "t" + index : "to_" + to;
        String label = "transition '" + from + "." + key + "'";
        if (key == null || !KEY.matcher(key).matches()) {
            errors.add(new FieldError(path + ".key", label + ": a key is a letter then letters, digits, _ or -, at most 60"));
        }
        if (to == null) {
            errors.add(new FieldError(path + ".to", label + ": is required (the state it moves to)"));
        } else if (!keys.containsKey(to)) {
            errors.add(new FieldError(path + ".to", label + ": unknown state '" + to + "'"));
        }
        String signal = text(n, "signal");
        boolean automatic = n.path("automatic").asBoolean(false);
        Duration after = n.hasNonNull("after") ? duration(n.get("after"), path + ".after", label, errors) : null;
        int kinds = (signal != null ? 1 : 0) + (automatic ? 1 : 0) + (n.hasNonNull("after") ? 1 : 0);
        if (kinds != 1) {
            errors.add(new FieldError(path, label + ": needs exactly one of signal (wait for it), after (nothing happened for a while) or automatic"));
        }
        String module = text(n, "module");
        Matcher criteria = null;
        if (signal != null) {
            if (!JourneySignals.isKnown(signal)) {
                errors.add(new FieldError(path + ".signal", label + ": unknown signal type '" + signal + "'; expected one of "
                        + JourneySignals.known() + " or custom.<name>"));
            } else {
                criteria = signalCriteria(modules, signal, module, n.get("criteria"), path, label, errors);
            }
        } else {
            if (module != null) {
                errors.add(new FieldError(path + ".module", label + ": module applies to a signal"));
            }
            if (n.hasNonNull("criteria")) {
                errors.add(new FieldError(path + ".criteria", label + ": criteria test a signal; use record_criteria"));
            }
        }
        Matcher recordCriteria = null;
        if (n.hasNonNull("record_criteria")) {
            if (fromModule == null) {
                errors.add(new FieldError(path + ".record_criteria", label + ": the state has no module to test"));
            } else {
                recordCriteria = criteria(n.get("record_criteria"), fromModule, false, path + ".record_criteria", label, errors);
            }
        } else if (automatic) {
            errors.add(new FieldError(path + ".record_criteria", label + ": an automatic transition needs record_criteria (else it is always taken)"));
        }
        // Sorted by precedence, then by position: ties keep the order they are written in.
        int precedence = (index + 1) * 1000 + index;
        if (n.hasNonNull("precedence")) {
            if (!n.get("precedence").canConvertToInt() || n.get("precedence").intValue() < 0 || n.get("precedence").intValue() > 1000) {
                errors.add(new FieldError(path + ".precedence", label + ": must be an integer from 0 to 1000"));
            } else {
                precedence = n.get("precedence").intValue() * 1000 + index;
            }
        }
        // Actions act on the customer's record in the module of the state the transition leads to.
        String toModule = to == null ? null : keys.get(to);
        List<ActionDefinition> acts = actions(actor, actions, toModule == null ? (fromModule == null ? null : fromModule.apiName()) : toModule,
                n.get("actions"), path + ".actions", errors);
        return new Transition(key, from, to, signal, module, after, automatic, precedence, criteria, recordCriteria, acts);
    }

    /** Criteria on a signal: on the record's fields for record signals, else on the payload's. */
    private static Matcher signalCriteria(ModuleCatalog modules, String signal, String module, JsonNode c, String path, String label,
                                          List<FieldError> errors) {
        if (JourneySignals.RECORD_SIGNALS.contains(signal)) {
            String m = signal.equals("lead.converted") ? "Leads" : module;
            if (m == null) {
                errors.add(new FieldError(path + ".module", label + ": a " + signal + " signal needs the module of its record"));
                return null;
            }
            if (signal.equals("lead.converted") && module != null && !module.equals("Leads")) {
                errors.add(new FieldError(path + ".module", label + ": lead.converted is about Leads"));
            }
            Module mod = modules.find(m).orElse(null);
            if (mod == null) {
                errors.add(new FieldError(path + ".module", label + ": unknown module '" + m + "'"));
                return null;
            }
            return c == null || c.isNull() ? null : criteria(c, mod, signal.equals("record.updated"), path + ".criteria", label, errors);
        }
        if (module != null && modules.find(module).isEmpty()) {
            errors.add(new FieldError(path + ".module", label + ": unknown module '" + module + "'"));
        }
        if (c == null || c.isNull()) {
            return null;
        }
        Criteria parsed = parseCriteria(c, path + ".criteria", label, errors);
        if (parsed == null) {
            return null;
        }
        Set<String> names = new LinkedHashSet<>();
        parsed.conditions().forEach(x -> names.add(x.field()));
        Module pseudo = JourneySignals.payloadModule(signal, names).orElseThrow();
        return compile(parsed, pseudo, false, path + ".criteria", label + " (payload of " + signal + ")", errors);
    }

    private static Matcher criteria(JsonNode c, Module module, boolean changes, String path, String label, List<FieldError> errors) {
        Criteria parsed = parseCriteria(c, path, label, errors);
        return parsed == null ? null : compile(parsed, module, changes, path, label, errors);
    }

    private static Matcher compile(Criteria parsed, Module module, boolean changes, String path, String label, List<FieldError> errors) {
        try {
            return new Matcher(CompiledCriteria.compile(parsed, module, changes), module);
        } catch (ValidationException e) {
            e.errors().forEach(fe -> errors.add(new FieldError(path + (fe.field().isEmpty() ? "" : "." + fe.field()), label + ": " + fe.message())));
        } catch (RuntimeException e) {
            errors.add(new FieldError(path, label + ": " + e.getMessage()));
        }
        return null;
    }

    private static Criteria parseCriteria(JsonNode c, String path, String label, List<FieldError> errors) {
        try {
            if (c.isTextual()) {
                return CompactCriteria.parse(c.textValue());
            }
            if (!c.isObject() || !c.path("conditions").isArray()) {
                errors.add(new FieldError(path, label + ": criteria are the compact form, e.g. (template:equals:welcome), or {\"conditions\": [...], \"pattern\": \"1 AND 2\"}"));
                return null;
            }
            List<Condition> conditions = new ArrayList<>();
            int i = 0;
            for (JsonNode n : c.get("conditions")) {
                String where = path + ".conditions[" + i++ + "]";
                String field = text(n, "field");
                Operator op = n.path("operator").isTextual() ? Operator.fromApiName(n.get("operator").textValue()).orElse(null) : null;
                if (field == null || op == null) {
                    errors.add(new FieldError(where, label + ": a condition needs field and a known operator"));
                    return null;
                }
                List<JsonNode> values = new ArrayList<>();
                if (n.path("values").isArray()) {
                    n.get("values").forEach(values::add);
                } else if (n.has("value")) {
                    values.add(n.get("value"));
                }
                conditions.add(new Condition(field, op, values));
            }
            Criteria parsed = Criteria.of(conditions, text(c, "pattern"));
            parsed.expression();
            return parsed;
        } catch (ValidationException e) {
            errors.add(new FieldError(path, label + ": " + e.getMessage()));
        } catch (RuntimeException e) {
            errors.add(new FieldError(path, label + ": " + e.getMessage()));
        }
        return null;
    }

    private static List<ActionDefinition> actions(Actor actor, ActionCatalog catalog, String module, JsonNode list, String path,
                                                  List<FieldError> errors) {
        if (actor == null) {
            return ActionCatalog.fromJson(list);
        }
        return catalog.parse(actor, module, list, path, errors);
    }

    private static Entry entry(ModuleCatalog modules, JsonNode n, int i, String first, Map<String, State> states, List<FieldError> errors) {
        String path = "entry[" + i + "]";
        if (!n.isObject()) {
            errors.add(new FieldError(path, "must be an object with a type"));
            return null;
        }
        unknownKeys(n, path, Set.of("type", "module", "signal", "criteria", "form", "cadence", "state"), errors);
        String type = text(n, "type");
        String state = n.hasNonNull("state") ? text(n, "state") : first;
        String label = "entry trigger " + i;
        if (state != null && !states.containsKey(state)) {
            errors.add(new FieldError(path + ".state", label + ": unknown state '" + state + "'"));
        } else if (state != null && states.get(state).isEnd()) {
            errors.add(new FieldError(path + ".state", label + ": cannot enter at end state '" + state + "'"));
        }
        if (type == null) {
            errors.add(new FieldError(path + ".type", "is required: record_created, record_updated, signal, form_submitted, cadence_goal, endpoint or api"));
            return null;
        }
        switch (type) {
            case "record_created", "record_updated" -> {
                String m = text(n, "module");
                Module mod = m == null ? null : modules.find(m).orElse(null);
                if (mod == null) {
                    errors.add(new FieldError(path + ".module", label + ": " + (m == null ? "is required" : "unknown module '" + m + "'")));
                    return null;
                }
                Matcher c = n.hasNonNull("criteria") ? criteria(n.get("criteria"), mod, type.equals("record_updated"), path + ".criteria", label, errors) : null;
                return new Entry(i, type, type.equals("record_created") ? "record.created" : "record.updated", m, c, state);
            }
            case "signal", "endpoint" -> {
                String s = text(n, "signal");
                if (s == null || !JourneySignals.isKnown(s) || JourneySignals.RECORD_SIGNALS.contains(s)) {
                    errors.add(new FieldError(path + ".signal", label + ": " + (s == null ? "is required" : "unknown signal type '" + s + "'")
                            + (type.equals("endpoint") ? "; an incoming-signal endpoint takes custom.<name>" : "; record signals enter through record_created or record_updated")));
                    return null;
                }
                if (type.equals("endpoint") && !JourneySignals.isCustom(s)) {
                    errors.add(new FieldError(path + ".signal", label + ": an incoming-signal endpoint takes custom.<name>"));
                    return null;
                }
                Matcher c = signalCriteria(modules, s, null, n.get("criteria"), path, label, errors);
                return new Entry(i, type, s, null, c, state);
            }
            case "form_submitted", "cadence_goal" -> {
                String s = type.equals("form_submitted") ? "form.submitted" : "cadence.goal_reached";
                String f = type.equals("form_submitted") ? "form" : "cadence";
                ObjectNode crit = null;
                if (n.hasNonNull(f)) {
                    crit = io.waymark.json.Json.object();
                    ObjectNode cond = crit.putArray("conditions").addObject();
                    cond.put("field", f).put("operator", "equals").put("value", n.get(f).asText());
                }
                if (n.hasNonNull("criteria")) {
                    errors.add(new FieldError(path + ".criteria", label + ": name the " + f + " instead"));
                }
                Matcher c = crit == null ? null : signalCriteria(modules, s, null, crit, path, label, errors);
                return new Entry(i, type, s, null, c, state);
            }
            case "api" -> {
                return new Entry(i, type, null, null, null, state);
            }
            default -> {
                errors.add(new FieldError(path + ".type", label + ": unknown type '" + type
                        + "'; expected record_created, record_updated, signal, form_submitted, cadence_goal, endpoint or api"));
                return null;
            }
        }
    }

    /** Unreachable states, states with no way out, and loops that never wait for a signal. */
    private static void graphChecks(List<Entry> entries, Map<String, State> states, Map<String, String> paths, List<FieldError> errors) {
        boolean anyEnd = false;
        for (State s : states.values()) {
            anyEnd |= s.isEnd();
            boolean way = s.transitions().stream().anyMatch(t -> !t.to().equals(s.key())) || s.deadline() != null && s.deadline().to() != null
                    && !s.deadline().to().equals(s.key());
            if (!s.isEnd() && !way) {
                errors.add(new FieldError(paths.get(s.key()), "state '" + s.key()
                        + "' is not an end state and has no way out: give it a transition, a deadline with to, or end: success|failure"));
            }
        }
        if (!anyEnd) {
            errors.add(new FieldError("states", "a journey needs at least one end state (end: success or failure)"));
        }
        Set<String> reached = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        entries.forEach(e -> todo.add(e.state()));
        while (!todo.isEmpty()) {
            String k = todo.poll();
            if (k == null || !reached.add(k)) {
                continue;
            }
            State s = states.get(k);
            s.transitions().forEach(t -> todo.add(t.to()));
            if (s.deadline() != null && s.deadline().to() != null) {
                todo.add(s.deadline().to());
            }
        }
        for (State s : states.values()) {
            if (!reached.contains(s.key())) {
                errors.add(new FieldError(paths.get(s.key()), "state '" + s.key() + "' is unreachable: no entry trigger or transition leads to it"));
            }
        }
        // Edges taken without waiting for anything from outside: automatic transitions, and
        // transitions on a signal that the state's own on-enter actions emit.
        Map<String, List<Transition>> instant = new HashMap<>();
        for (State s : states.values()) {
            Set<String> emitted = new HashSet<>();
            s.onEnter().forEach(a -> {
                if (a.type().equals("emit_signal") && a.config().path("type").isTextual()) {
                    emitted.add(a.config().get("type").textValue());
                }
            });
            for (Transition t : s.transitions()) {
                if (t.automatic() || t.signal() != null && emitted.contains(t.signal())) {
                    instant.computeIfAbsent(s.key(), x -> new ArrayList<>()).add(t);
                }
            }
        }
        Set<String> done = new HashSet<>();
        for (String start : states.keySet()) {
            List<Transition> cycle = cycleFrom(start, instant, new ArrayList<>(), new HashSet<>(), done);
            if (cycle != null) {
                List<String> names = cycle.stream().map(t -> t.from() + "." + t.key()).toList();
                Transition t0 = cycle.get(0);
                int idx = states.get(t0.from()).transitions().indexOf(t0);
                errors.add(new FieldError(paths.get(t0.from()) + ".transitions", "transitions " + names
                        + " form a loop that never waits for a signal (automatic, or on a signal its own state emits)" + (idx < 0 ? "" : "")));
                return;
            }
        }
    }

    private static List<Transition> cycleFrom(String at, Map<String, List<Transition>> edges, List<Transition> path, Set<String> onPath,
                                              Set<String> done) {
        if (onPath.contains(at)) {
            int from = 0;
            for (int i = 0; i < path.size(); i++) {
                if (path.get(i).from().equals(at)) {
                    from = i;
                    break;
                }
            }
            return new ArrayList<>(path.subList(from, path.size()));
        }
        if (done.contains(at)) {
            return null;
        }
        onPath.add(at);
        for (Transition t : edges.getOrDefault(at, List.of())) {
            path.add(t);
            List<Transition> c = cycleFrom(t.to(), edges, path, onPath, done);
            if (c != null) {
                return c;
            }
            path.remove(path.size() - 1);
        }
        onPath.remove(at);
        done.add(at);
        return null;
    }

    /** {@code 2d}, {@code 4h}, {@code 30m} or ISO-8601 ({@code P2D}, {@code PT4H}). */
    static Duration duration(JsonNode n, String path, String label, List<FieldError> errors) {
        String s = n != null && n.isTextual() ? n.textValue().strip() : null;
        Duration d = null;
        if (s != null) {
            try {
                if (s.matches("\\d{1,6}[mhdw]")) {
                    long v = Long.parseLong(s.substring(0, s.length() - 1));
                    d = switch (s.charAt(s.length() - 1)) {
                        case 'm' -> Duration.ofMinutes(v);
                        case 'h' -> Duration.ofHours(v);
                        case 'd' -> Duration.ofDays(v);
                        default -> Duration.ofDays(7 * v);
                    };
                } else {
                    d = Duration.parse(s.toUpperCase(Locale.ROOT));
                }
            } catch (DateTimeParseException e) {
                d = null;
            }
        }
        if (d == null || d.compareTo(MIN_WAIT) < 0 || d.compareTo(MAX_WAIT) > 0) {
            errors.add(new FieldError(path, label + ": after must be a duration between 1 minute and 3650 days, e.g. 2d, 4h, 30m or P2D"));
            return MIN_WAIT;
        }
        return d;
    }

    private static void unknownKeys(JsonNode n, String path, Set<String> allowed, List<FieldError> errors) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                errors.add(new FieldError(path.isEmpty() ? k : path + "." + k, "unknown property; expected one of " + new java.util.TreeSet<>(allowed)));
            }
        }
    }

    private static String text(JsonNode n, String k) {
        JsonNode v = n.get(k);
        return v != null && v.isTextual() ? v.textValue() : null;
    }
}

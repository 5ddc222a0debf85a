package io.waymark.cadence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.action.ActionCatalog;
import io.waymark.action.ActionDefinition;
import io.waymark.error.FieldError;
import io.waymark.json.Json;
import io.waymark.record.Field;
import io.waymark.record.Metadata;
import io.waymark.record.Module;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A validated cadence definition: the module its records come from, the sender of its calls and
 * tasks, the time-zone policy and sending window, how enrollments end, and its follow-ups.
 *
 * <pre>{@code
 * {"name": "Next Steps", "module": "Leads",
 *  "sender": {"type": "owner"} | {"type": "user", "user_id": "..."},
 *  "time_zone": {"field": "Time_Zone", "default": "Asia/Kolkata"},
 *  "window": {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "18:00"},
 *  "unenroll": {"on_reply": "goal" | "end" | "ignore", "on_bounce": true, "on_unsubscribe": true,
 *               "out_of_office_pause_days": 3, "ends_after_days": 3, "goal_criteria": "(Lead_Status:equals:Pre-Qualified)",
 *               "related_record": {"module": "Deals", "lookup": "Contact_Name"}},  // a lookup to the cadence's module
 *  "enrollment": {"criteria": "(Lead_Source:equals:Web Form)", "automatic": true, "on_publish": false,
 *                 "re_enroll": "never" | "after_end" | "after_days", "re_enroll_days": 30, "after_goal": false},
 *  "daily_limit": 200,
 *  "follow_ups": [
 *    {"key": "welcome", "type": "email", "template_id": "...", "after": {"days": 0, "hours": 0, "from": "enrollment"}},
 *    {"key": "survey", "type": "email", "template_id": "...", "after": {"days": 0, "from": "previous"}, "at": "10:00",
 *     "conditions": [{"follow_up": "welcome", "event": "opened", "within_days": 3}]},
 *    {"key": "call", "type": "call", "subject": "Call about the trip"},
 *    {"key": "todo", "type": "task", "subject": "Send the brochure"}]}
 * }</pre>
 *
 * A follow-up is due its offset after enrollment ({@code from: enrollment}) or after the previous
 * follow-up ran or was skipped ({@code from: previous}, the default), at its time of day if it
 * names one, moved forward into the sending window — all in the recipient's time zone. Its
 * conditions test what happened to an earlier email follow-up within N days of its sending.
 *
 * <p>Enrollment: {@code enrollment.criteria} is the filter that {@code automatic} enrollment
 * watches (a record is enrolled when it starts to match: created matching, or updated from not
 * matching to matching) and that {@code on_publish} uses to enroll the records already matching
 * when a version is published. Re-enrollment, once a record's enrollment ended: {@code after_end}
 * (the default) at once, {@code after_days} when {@code re_enroll_days} have passed since it
 * ended, {@code never} not at all; a record that reached the goal is never enrolled again unless
 * {@code after_goal} is true. {@code daily_limit} caps the cadence emails of one sender per day;
 * the rest wait for the next sending window.
 */
public final class CadenceDefinition {
    /** The outcomes a condition can test. */
    public static final Set<String> EVENTS = Set.of("opened", "not_opened", "clicked", "not_clicked", "replied", "not_replied", "bounced");
    private static final Set<String> KEYS = Set.of("name", "module", "sender", "time_zone", "window", "unenroll", "follow_ups", "enrollment",
            "daily_limit");
    /** Re-enrollment policies: never again, once the previous enrollment ended, or N days after it ended. */
    public static final Set<String> RE_ENROLL = Set.of("never", "after_end", "after_days");
    private static final Set<String> FOLLOW_UP_KEYS = Set.of("key", "type", "template_id", "subject", "after", "at", "conditions");
    private static final int MAX_FOLLOW_UPS = 50;

    /** One condition on an earlier email follow-up. */
    public record Condition(String followUp, String event, int withinDays) {
        /** The tracking event this condition looks at: {@code opened} for {@code not_opened} … */
        public String signalEvent() {
            return event.startsWith("not_") ? event.substring(4) : event;
        }

        public boolean negative() {
            return event.startsWith("not_");
        }
    }

    /** One step of the cadence. */
    public record FollowUp(int index, String key, String type, int days, int hours, boolean fromEnrollment, LocalTime at,
                           List<Condition> conditions, ActionDefinition action) {
    }

    /**
     * How records come into the cadence.
     *
     * @param criteria     the filter of automatic and on-publish enrollment, or null
     * @param criteriaText the criteria as written
     */
    public record EnrollmentPolicy(io.waymark.criteria.CompiledCriteria criteria, String criteriaText, boolean automatic, boolean onPublish,
                                   String reEnroll, int reEnrollDays, boolean afterGoal) {
        static final EnrollmentPolicy DEFAULT = new EnrollmentPolicy(null, null, false, false, "after_end", 0, false);
    }

    /** Ends an enrollment when a record of {@code module} is created whose {@code lookup} field points at the enrolled record. */
    public record RelatedRecord(String module, String lookup) {
    }

    private EnrollmentPolicy enrollment = EnrollmentPolicy.DEFAULT;
    private RelatedRecord relatedRecord;
    private int dailyLimit;
    private final String name;
    private final String module;
    private final String senderType;
    private final UUID senderUser;
    private final String zoneField;
    private final ZoneId defaultZone;
    private final Set<DayOfWeek> days;
    private final LocalTime from;
    private final LocalTime to;
    private final String onReply;
    private final boolean onBounce;
    private final boolean onUnsubscribe;
    private final int pauseDays;
    private final int endsAfterDays;
    private final List<FollowUp> followUps;
    private final io.waymark.criteria.CompiledCriteria goalCriteria;

    private CadenceDefinition(String name, String module, String senderType, UUID senderUser, String zoneField, ZoneId defaultZone,
                              Set<DayOfWeek> days, LocalTime from, LocalTime to, String onReply, boolean onBounce, boolean onUnsubscribe,
                              int pauseDays, int endsAfterDays, io.waymark.criteria.CompiledCriteria goalCriteria, List<FollowUp> followUps) {
        this.goalCriteria = goalCriteria;
        this.name = name;
        this.module = module;
        this.senderType = senderType;
        this.senderUser = senderUser;
        this.zoneField = zoneField;
        this.defaultZone = defaultZone;
        this.days = days;
        this.from = from;
        this.to = to;
        this.onReply = onReply;
        this.onBounce = onBounce;
        this.onUnsubscribe = onUnsubscribe;
        this.pauseDays = pauseDays;
        this.endsAfterDays = endsAfterDays;
        this.followUps = followUps;
    }

    public String name() {
        return name;
    }

    public String module() {
        return module;
    }

    public List<FollowUp> followUps() {
        return followUps;
    }

    /** The time-zone field of the recipient's record, or null. */
    public String zoneField() {
        return zoneField;
    }

    /** The zone used when the record names none (null: the organisation's). */
    public ZoneId defaultZone() {
        return defaultZone;
    }

    /** {@code goal}, {@code end} or {@code ignore}: what a (human) reply to a cadence email does. */
    public String onReply() {
        return onReply;
    }

    public boolean onBounce() {
        return onBounce;
    }

    public boolean onUnsubscribe() {
        return onUnsubscribe;
    }

    public int outOfOfficePauseDays() {
        return pauseDays;
    }

    /** Days after the last follow-up ran before the enrollment ends as exhausted (replies still count meanwhile). */
    public int endsAfterDays() {
        return endsAfterDays;
    }

    /** Criteria on the record that, once it matches (after a change), end the enrollment as goal reached; or null. */
    public io.waymark.criteria.CompiledCriteria goalCriteria() {
        return goalCriteria;
    }

    /** How records come into the cadence and may come back. */
    public EnrollmentPolicy enrollment() {
        return enrollment;
    }

    /** The related record whose creation ends an enrollment (goal reached), or null. */
    public RelatedRecord relatedRecord() {
        return relatedRecord;
    }

    /** Cadence emails one sender sends per day at most (0: no limit). */
    public int dailyLimit() {
        return dailyLimit;
    }

    /** The first instant at or after {@code t} inside the sending window, in {@code zone}. */
    public Instant firstInWindow(Instant t, ZoneId zone) {
        return intoWindow(t.atZone(zone)).toInstant();
    }

    public FollowUp followUp(String key) {
        return followUps.stream().filter(f -> f.key().equals(key)).findFirst().orElse(null);
    }

    /**
     * When follow-up {@code f} is due, given the instant it counts from: the offset added in the
     * recipient's zone (days as calendar days, so a daylight-saving change keeps the wall-clock
     * time), then its time of day (the next such time, never before the offset), then moved
     * forward into the sending window.
     */
    public Instant due(FollowUp f, Instant anchor, ZoneId zone) {
        ZonedDateTime t = anchor.atZone(zone).plusDays(f.days()).plusHours(f.hours());
        if (f.at() != null) {
            ZonedDateTime c = t.with(f.at());
            if (c.isBefore(t)) {
                c = c.plusDays(1).with(f.at());
            }
            t = c;
        }
        return intoWindow(t).toInstant();
    }

    /** The first instant at or after {@code t} inside the sending window (its days, from ≤ time < to). */
    ZonedDateTime intoWindow(ZonedDateTime t) {
        for (int i = 0; i < 8; i++) {
            LocalTime lt = t.toLocalTime();
            if (days.contains(t.getDayOfWeek()) && !lt.isBefore(from) && lt.isBefore(to)) {
                return t;
            }
            if (days.contains(t.getDayOfWeek()) && lt.isBefore(from)) {
                return t.with(from);
            }
            t = t.toLocalDate().plusDays(1).atTime(from).atZone(t.getZone());
            if (days.contains(t.getDayOfWeek())) {
                return t;
            }
        }
        throw new IllegalStateException("no sending day");
    }

    /** The stored (normalised) form. */
    public static ObjectNode normalise(ObjectNode raw) {
        return raw.deepCopy();
    }

    /**
     * Parses and validates a definition; every problem is added to {@code errors} naming its field
     * ({@code follow_ups[1].conditions[0].event} …). Returns null when there were errors.
     */
    public static CadenceDefinition parse(Actor actor, JsonNode n, Metadata metadata, ActionCatalog actions, List<FieldError> errors) {
        if (n == null || !n.isObject()) {
            errors.add(new FieldError("", "must be a JSON object"));
            return null;
        }
        unknown(n, "", KEYS, errors);
        String name = n.path("name").isTextual() ? n.get("name").textValue().strip() : null;
        if (name == null || name.isEmpty() || name.length() > 200) {
            errors.add(new FieldError("name", "is required: 1 to 200 characters"));
        }
        String moduleName = n.path("module").isTextual() ? n.get("module").textValue() : null;
        Module module = moduleName == null ? null : metadata.catalog(actor.orgId()).find(moduleName).orElse(null);
        if (module == null) {
            errors.add(new FieldError("module", moduleName == null ? "is required: Leads, Contacts, Deals or a custom module"
                    : "no module '" + moduleName + "'"));
        }
        // sender
        String senderType = "owner";
        UUID senderUser = null;
        JsonNode s = n.get("sender");
        if (s != null && !s.isNull()) {
            if (!s.isObject()) {
                errors.add(new FieldError("sender", "must be an object: {type: owner} or {type: user, user_id}"));
            } else {
                unknown(s, "sender.", Set.of("type", "user_id"), errors);
                senderType = s.path("type").asText("");
                if (senderType.equals("user")) {
                    senderUser = Ids.parse(s.path("user_id").asText(""));
                    if (senderUser == null) {
                        errors.add(new FieldError("sender.user_id", "is required for a fixed sender: a user id"));
                    }
                } else if (!senderType.equals("owner")) {
                    errors.add(new FieldError("sender.type", "must be owner or user"));
                }
            }
        }
        // time zone
        String zoneField = null;
        ZoneId zone = null;
        JsonNode tz = n.get("time_zone");
        if (tz != null && !tz.isNull()) {
            if (!tz.isObject()) {
                errors.add(new FieldError("time_zone", "must be an object: {field, default}"));
            } else {
                unknown(tz, "time_zone.", Set.of("field", "default"), errors);
                if (tz.hasNonNull("field")) {
                    zoneField = tz.get("field").asText();
                    Field f = module == null ? null : module.field(zoneField).orElse(null);
                    if (module != null && f == null) {
                        errors.add(new FieldError("time_zone.field", "no field '" + zoneField + "' in " + module.apiName()));
                    }
                }
                if (tz.hasNonNull("default")) {
                    try {
                        zone = ZoneId.of(tz.get("default").asText());
                    } catch (DateTimeException e) {
                        errors.add(new FieldError("time_zone.default", "unknown time zone '" + tz.get("default").asText() + "'"));
                    }
                }
            }
        }
        // window
        Set<DayOfWeek> days = EnumSet.allOf(DayOfWeek.class);
        LocalTime from = LocalTime.MIN;
        LocalTime to = LocalTime.MAX;
        JsonNode w = n.get("window");
        if (w != null && !w.isNull()) {
            if (!w.isObject()) {
                errors.add(new FieldError("window", "must be an object: {days, from, to}"));
            } else {
                unknown(w, "window.", Set.of("days", "from", "to"), errors);
                if (w.has("days")) {
                    days = EnumSet.noneOf(DayOfWeek.class);
                    if (!w.get("days").isArray() || w.get("days").isEmpty()) {
                        errors.add(new FieldError("window.days", "must be a non-empty list of mon, tue, wed, thu, fri, sat, sun"));
                    } else {
                        for (JsonNode d : w.get("days")) {
                            DayOfWeek dw = day(d.asText());
                            if (dw == null) {
                                errors.add(new FieldError("window.days", "unknown day '" + d.asText() + "'; expected mon … sun"));
                            } else {
                                days.add(dw);
                            }
                        }
                    }
                }
                from = time(w, "from", "window.from", LocalTime.MIN, errors);
                to = time(w, "to", "window.to", LocalTime.MAX, errors);
                if (from != null && to != null && !from.isBefore(to)) {
                    errors.add(new FieldError("window.to", "must be after window.from"));
                }
            }
        }
        // unenroll
        String onReply = "goal";
        boolean onBounce = true;
        boolean onUnsub = true;
        int pause = 3;
        int endsAfter = 3;
        io.waymark.criteria.CompiledCriteria goal = null;
        RelatedRecord related = null;
        JsonNode u = n.get("unenroll");
        if (u != null && !u.isNull()) {
            if (!u.isObject()) {
                errors.add(new FieldError("unenroll", "must be an object"));
            } else {
                unknown(u, "unenroll.", Set.of("on_reply", "on_bounce", "on_unsubscribe", "out_of_office_pause_days", "ends_after_days", "goal_criteria",
                        "related_record"), errors);
                related = related(actor, u.get("related_record"), moduleName, metadata, errors);
                if (u.hasNonNull("goal_criteria")) {
                    if (!u.get("goal_criteria").isTextual()) {
                        errors.add(new FieldError("unenroll.goal_criteria", "must be criteria in the compact form, e.g. (Lead_Status:equals:Pre-Qualified)"));
                    } else if (module != null) {
                        try {
                            goal = io.waymark.criteria.CompiledCriteria.compile(io.waymark.criteria.CompactCriteria.parse(u.get("goal_criteria").textValue()),
                                    module, false);
                        } catch (io.waymark.error.ValidationException e) {
                            if (e.errors().isEmpty()) {
                                errors.add(new FieldError("unenroll.goal_criteria", e.getMessage()));
                            }
                            e.errors().forEach(fe -> errors.add(new FieldError("unenroll.goal_criteria" + (fe.field().isEmpty() ? "" : "." + fe.field()),
                                    fe.message())));
                        } catch (RuntimeException e) {
                            errors.add(new FieldError("unenroll.goal_criteria", String.valueOf(e.getMessage())));
                        }
                    }
                }
                if (u.has("on_reply")) {
                    onReply = u.get("on_reply").asText();
                    if (!Set.of("goal", "end", "ignore").contains(onReply)) {
                        errors.add(new FieldError("unenroll.on_reply", "must be goal, end or ignore"));
                    }
                }
                onBounce = bool(u, "on_bounce", "unenroll.on_bounce", errors);
                onUnsub = bool(u, "on_unsubscribe", "unenroll.on_unsubscribe", errors);
                pause = count(u, "out_of_office_pause_days", "unenroll.out_of_office_pause_days", 3, 1, 60, errors);
                endsAfter = count(u, "ends_after_days", "unenroll.ends_after_days", 3, 0, 60, errors);
            }
        }
        // follow-ups
        List<FollowUp> fus = new ArrayList<>();
        JsonNode list = n.get("follow_ups");
        if (list == null || !list.isArray() || list.isEmpty() || list.size() > MAX_FOLLOW_UPS) {
            errors.add(new FieldError("follow_ups", "is required: a list of 1 to " + MAX_FOLLOW_UPS + " follow-ups"));
        } else {
            Map<String, String> types = new HashMap<>();
            for (int i = 0; i < list.size(); i++) {
                FollowUp f = followUp(actor, list.get(i), i, "follow_ups[" + i + "]", moduleName, module != null, types, actions, errors);
                if (f != null) {
                    fus.add(f);
                }
            }
        }
        EnrollmentPolicy policy = enrollmentPolicy(n.get("enrollment"), module, errors);
        int dailyLimit = count(n, "daily_limit", "daily_limit", 0, 1, 100_000, errors);
        if (!errors.isEmpty()) {
            return null;
        }
        CadenceDefinition d = new CadenceDefinition(name, moduleName, senderType, senderUser, zoneField, zone, days, from, to,
                onReply, onBounce, onUnsub, pause, endsAfter, goal, List.copyOf(fus));
        d.enrollment = policy;
        d.relatedRecord = related;
        d.dailyLimit = dailyLimit;
        return d;
    }

    private static EnrollmentPolicy enrollmentPolicy(JsonNode e, Module module, List<FieldError> errors) {
        if (e == null || e.isNull()) {
            return EnrollmentPolicy.DEFAULT;
        }
        if (!e.isObject()) {
            errors.add(new FieldError("enrollment", "must be an object: {criteria, automatic, on_publish, re_enroll, re_enroll_days, after_goal}"));
            return null;
        }
        unknown(e, "enrollment.", Set.of("criteria", "automatic", "on_publish", "re_enroll", "re_enroll_days", "after_goal"), errors);
        io.waymark.criteria.CompiledCriteria criteria = null;
        String text = null;
        if (e.hasNonNull("criteria")) {
            if (!e.get("criteria").isTextual()) {
                errors.add(new FieldError("enrollment.criteria", "must be criteria in the compact form, e.g. (Lead_Source:equals:Web Form)"));
            } else if (module != null) {
                text = e.get("criteria").textValue();
                criteria = criteria(text, module, "enrollment.criteria", errors);
            }
        }
        boolean automatic = e.has("automatic") && bool(e, "automatic", "enrollment.automatic", errors);
        boolean onPublish = e.has("on_publish") && bool(e, "on_publish", "enrollment.on_publish", errors);
        if ((automatic || onPublish) && !e.hasNonNull("criteria")) {
            errors.add(new FieldError("enrollment.criteria", "is required for automatic or on_publish enrollment"));
        }
        String reEnroll = e.path("re_enroll").asText("after_end");
        if (!RE_ENROLL.contains(reEnroll)) {
            errors.add(new FieldError("enrollment.re_enroll", "must be never, after_end or after_days"));
        }
        int days = count(e, "re_enroll_days", "enrollment.re_enroll_days", 0, 1, 3650, errors);
        if (reEnroll.equals("after_days") && !e.has("re_enroll_days")) {
            errors.add(new FieldError("enrollment.re_enroll_days", "is required for re_enroll after_days: 1 to 3650"));
        } else if (!reEnroll.equals("after_days") && e.has("re_enroll_days")) {
            errors.add(new FieldError("enrollment.re_enroll_days", "applies only to re_enroll after_days"));
        }
        boolean afterGoal = e.has("after_goal") && bool(e, "after_goal", "enrollment.after_goal", errors);
        return new EnrollmentPolicy(criteria, text, automatic, onPublish, reEnroll, days, afterGoal);
    }

    private static io.waymark.criteria.CompiledCriteria criteria(String text, Module module, String path, List<FieldError> errors) {
        try {
            return io.waymark.criteria.CompiledCriteria.compile(io.waymark.criteria.CompactCriteria.parse(text), module, false);
        } catch (io.waymark.error.ValidationException ex) {
            if (ex.errors().isEmpty()) {
                errors.add(new FieldError(path, ex.getMessage()));
            }
            ex.errors().forEach(fe -> errors.add(new FieldError(path + (fe.field().isEmpty() ? "" : "." + fe.field()), fe.message())));
        } catch (RuntimeException ex) {
            errors.add(new FieldError(path, String.valueOf(ex.getMessage())));
        }
        return null;
    }

    private static RelatedRecord related(Actor actor, JsonNode r, String cadenceModule, Metadata metadata, List<FieldError> errors) {
        if (r == null || r.isNull()) {
            return null;
        }
        if (!r.isObject()) {
            errors.add(new FieldError("unenroll.related_record", "must be an object: {module, lookup}"));
            return null;
        }
        unknown(r, "unenroll.related_record.", Set.of("module", "lookup"), errors);
        String m = r.path("module").asText("");
        Module module = metadata.catalog(actor.orgId()).find(m).orElse(null);
        if (module == null) {
            errors.add(new FieldError("unenroll.related_record.module", m.isEmpty() ? "is required: the module of the related record" : "no module '" + m + "'"));
            return null;
        }
        String l = r.path("lookup").asText("");
        Field f = module.field(l).orElse(null);
        if (f == null || f.type() != io.waymark.record.FieldType.LOOKUP) {
            errors.add(new FieldError("unenroll.related_record.lookup", l.isEmpty() ? "is required: a lookup field of " + m
                    : "no lookup field '" + l + "' in " + m));
            return null;
        }
        if (cadenceModule != null && !cadenceModule.equals(f.lookupModule())) {
            errors.add(new FieldError("unenroll.related_record.lookup", m + "." + l + " points at " + f.lookupModule() + ", not " + cadenceModule));
            return null;
        }
        return new RelatedRecord(module.apiName(), f.apiName());
    }

    private static FollowUp followUp(Actor actor, JsonNode f, int i, String path, String module, boolean moduleOk, Map<String, String> earlier,
                                     ActionCatalog actions, List<FieldError> errors) {
        if (!f.isObject()) {
            errors.add(new FieldError(path, "must be an object"));
            return null;
        }
        unknown(f, path + ".", FOLLOW_UP_KEYS, errors);
        String key = f.path("key").asText("");
        if (!key.matches("[a-z][a-z0-9_]{0,49}")) {
            errors.add(new FieldError(path + ".key", "is required: lower-case letters, digits and _ (at most 50), starting with a letter"));
        } else if (earlier.containsKey(key)) {
            errors.add(new FieldError(path + ".key", "'" + key + "' is used by an earlier follow-up"));
        }
        String type = f.path("type").asText("");
        ActionDefinition action = null;
        ObjectNode cfg = Json.object();
        String actionType = null;
        switch (type) {
            case "email" -> {
                actionType = "send_email";
                if (!f.hasNonNull("template_id")) {
                    errors.add(new FieldError(path + ".template_id", "is required for an email follow-up: the id of an email template"));
                } else {
                    cfg.put("template_id", f.get("template_id").asText());
                }
            }
            case "call", "task" -> {
                actionType = type.equals("call") ? "schedule_call" : "create_task";
                if (!f.path("subject").isTextual() || f.get("subject").textValue().isBlank()) {
                    errors.add(new FieldError(path + ".subject", "is required for a " + type + " follow-up"));
                } else {
                    cfg.put("subject", f.get("subject").textValue());
                    cfg.put(type.equals("call") ? "at" : "due", type.equals("call") ? "now" : "today");
                }
            }
            default -> errors.add(new FieldError(path + ".type", "is required: email, call or task"));
        }
        if (actionType != null && moduleOk && (cfg.has("template_id") || cfg.has("subject"))) {
            if (actions.find(actionType).isEmpty()) {
                errors.add(new FieldError(path + ".type", "this server has no " + actionType + " action"));
            } else {
                List<FieldError> inner = new ArrayList<>();
                List<ActionDefinition> parsed = actions.parse(actor, module,
                        Json.MAPPER.createArrayNode().add(Json.object().put("type", actionType).set("config", cfg)), "a", inner);
                for (FieldError fe : inner) {
                    String field = fe.field().replaceFirst("^a\\[0\\]\\.config\\.?", "");
                    errors.add(new FieldError(path + (field.isEmpty() || field.equals("to") ? "" : "." + field), fe.message()));
                }
                action = parsed.isEmpty() ? null : parsed.get(0);
            }
        }
        int days = 0;
        int hours = 0;
        boolean fromEnrollment = i == 0;
        JsonNode after = f.get("after");
        if (after != null && !after.isNull()) {
            if (!after.isObject()) {
                errors.add(new FieldError(path + ".after", "must be an object: {days, hours, from}"));
            } else {
                unknown(after, path + ".after.", Set.of("days", "hours", "from"), errors);
                days = count(after, "days", path + ".after.days", 0, 0, 365, errors);
                hours = count(after, "hours", path + ".after.hours", 0, 0, 23, errors);
                if (after.has("from")) {
                    String fr = after.get("from").asText();
                    if (!fr.equals("enrollment") && !fr.equals("previous")) {
                        errors.add(new FieldError(path + ".after.from", "must be enrollment or previous"));
                    }
                    fromEnrollment = fr.equals("enrollment");
                }
            }
        }
        LocalTime at = f.has("at") ? time(f, "at", path + ".at", null, errors) : null;
        List<Condition> conditions = new ArrayList<>();
        JsonNode cs = f.get("conditions");
        if (cs != null && !cs.isNull()) {
            if (!cs.isArray()) {
                errors.add(new FieldError(path + ".conditions", "must be a list"));
            } else {
                for (int k = 0; k < cs.size(); k++) {
                    String cp = path + ".conditions[" + k + "]";
                    JsonNode c = cs.get(k);
                    if (!c.isObject()) {
                        errors.add(new FieldError(cp, "must be an object: {follow_up, event, within_days}"));
                        continue;
                    }
                    unknown(c, cp + ".", Set.of("follow_up", "event", "within_days"), errors);
                    String ref = c.path("follow_up").asText("");
                    if (!"email".equals(earlier.get(ref))) {
                        errors.add(new FieldError(cp + ".follow_up", earlier.containsKey(ref) ? "'" + ref + "' is not an email follow-up"
                                : "must name an earlier email follow-up"));
                    }
                    String event = c.path("event").asText("");
                    if (!EVENTS.contains(event)) {
                        errors.add(new FieldError(cp + ".event", "must be one of opened, not_opened, clicked, not_clicked, replied, not_replied, bounced"));
                    }
                    int within = count(c, "within_days", cp + ".within_days", -1, 1, 365, errors);
                    if (within == -1 && !c.has("within_days")) {
                        errors.add(new FieldError(cp + ".within_days", "is required: 1 to 365"));
                    }
                    conditions.add(new Condition(ref, event, within));
                }
            }
        }
        if (!key.isEmpty() && !earlier.containsKey(key)) {
            earlier.put(key, type);
        }
        return new FollowUp(i, key, type, days, hours, fromEnrollment, at, List.copyOf(conditions), action);
    }

    private static void unknown(JsonNode n, String prefix, Set<String> keys, List<FieldError> errors) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!keys.contains(k)) {
                errors.add(new FieldError(prefix + k, "unknown property; expected one of " + new java.util.TreeSet<>(keys)));
            }
        }
    }

    private static DayOfWeek day(String s) {
        for (DayOfWeek d : DayOfWeek.values()) {
            if (d.name().substring(0, 3).equalsIgnoreCase(s)) {
                return d;
            }
        }
        return null;
    }

    private static LocalTime time(JsonNode n, String key, String path, LocalTime dflt, List<FieldError> errors) {
        if (!n.has(key)) {
            return dflt;
        }
        String v = n.get(key).asText("");
        if (v.equals("24:00")) {
            return LocalTime.MAX;
        }
        try {
            if (!v.matches("\\d\\d:\\d\\d")) {
                throw new DateTimeParseException("", v, 0);
            }
            return LocalTime.parse(v);
        } catch (DateTimeParseException e) {
            errors.add(new FieldError(path, "must be a time of day HH:MM"));
            return dflt;
        }
    }

    private static boolean bool(JsonNode n, String key, String path, List<FieldError> errors) {
        if (!n.has(key)) {
            return true;
        }
        if (!n.get(key).isBoolean()) {
            errors.add(new FieldError(path, "must be true or false"));
            return true;
        }
        return n.get(key).booleanValue();
    }

    private static int count(JsonNode n, String key, String path, int dflt, int min, int max, List<FieldError> errors) {
        if (!n.has(key)) {
            return dflt;
        }
        JsonNode v = n.get(key);
        if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
            errors.add(new FieldError(path, "must be a whole number from " + min + " to " + max));
            return dflt;
        }
        return v.intValue();
    }

    /** The fixed sender of calls and tasks, or null when the record's owner is. */
    public UUID senderUser() {
        return "user".equals(senderType) ? senderUser : null;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    static Duration days(int n) {
        return Duration.ofDays(n);
    }
}

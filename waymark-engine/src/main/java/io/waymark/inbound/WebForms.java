package io.waymark.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.criteria.Condition;
import io.waymark.criteria.Criteria;
import io.waymark.criteria.Operator;
import io.waymark.error.FieldError;
import io.waymark.error.NotFoundException;
import io.waymark.identity.Access;
import io.waymark.identity.Capability;
import io.waymark.integration.Definitions;
import io.waymark.integration.IntegrationSettings;
import io.waymark.integration.IntegrationStore;
import io.waymark.json.Json;
import io.waymark.record.Field;
import io.waymark.record.FieldType;
import io.waymark.record.Metadata;
import io.waymark.record.Module;
import io.waymark.record.Record;
import io.waymark.record.RecordStore;
import io.waymark.record.Records;
import io.waymark.signal.NewSignal;
import io.waymark.signal.SignalStore;
import io.waymark.tx.Transactor;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Public web forms. A submission fills the form's fields into a record — updating the record
 * whose match field (e.g. {@code Email}) has the submitted value, else creating one owned by
 * the form's owner — and appends {@code form.submitted} on it, all in one transaction. A flood is
 * limited per form and source, and per form overall ({@link RateLimiter}, 429 with Retry-After).
 *
 * <p>Definition: {@code {"name", "title", "module", "fields": [{"field", "label", "required"}],
 * "match_field", "owner_id", "redirect_url", "active"}}.
 */
public final class WebForms {
    static final String KIND = "web_form";
    private static final Set<String> KEYS = Set.of("name", "title", "module", "fields", "match_field", "owner_id", "redirect_url", "active");
    private static final int MAX_FIELDS = 50;

    private final Definitions definitions;
    private final IntegrationStore store;
    private final Metadata metadata;
    private final Records records;
    private final SignalStore signals;
    private final Transactor tx;
    private final Clock clock;
    private final Access access;
    private final RateLimiter limiter;
    private final IntegrationSettings settings;
    private final Runnable afterCommit;

    public WebForms(Definitions definitions, IntegrationStore store, Metadata metadata, Records records, SignalStore signals, Transactor tx,
                    Clock clock, Access access, RateLimiter limiter, IntegrationSettings settings, Runnable afterCommit) {
        this.definitions = definitions;
        this.store = store;
        this.metadata = metadata;
        this.records = records;
        this.signals = signals;
        this.tx = tx;
        this.clock = clock;
        this.access = access;
        this.limiter = limiter;
        this.settings = settings;
        this.afterCommit = afterCommit;
    }

    public WebForm create(Actor actor, JsonNode body) {
        access.require(actor, Capability.MANAGE_INTEGRATIONS);
        ObjectNode v = validate(actor, Definitions.object(body));
        return of(definitions.create(actor, KIND, v.get("name").textValue(), v), null);
    }

    public WebForm update(Actor actor, UUID id, JsonNode body, Long expectedVersion) {
        access.require(actor, Capability.MANAGE_INTEGRATIONS);
        IntegrationStore.Definition old = definitions.get(actor, KIND, id, "web form");
        ObjectNode v = validate(actor, Definitions.merge(old.body(), Definitions.object(body)));
        return of(definitions.update(actor, old, v.get("name").textValue(), v, expectedVersion), null);
    }

    public WebForm get(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_INTEGRATIONS);
        return of(definitions.get(actor, KIND, id, "web form"), metadata.catalog(actor.orgId()).find(
                definitions.get(actor, KIND, id, "web form").body().path("module").asText()).orElse(null));
    }

    public record Page(List<WebForm> items, String next) {
    }

    public Page list(Actor actor, int limit, String cursor) {
        access.require(actor, Capability.MANAGE_INTEGRATIONS);
        Definitions.Page p = definitions.list(actor, KIND, limit, cursor);
        return new Page(p.items().stream().map(d -> of(d, null)).toList(), p.next());
    }

    public void delete(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_INTEGRATIONS);
        definitions.delete(actor, KIND, id, "web form");
    }

    /** The form behind a public URL, with field types and options for rendering; 404 when unknown or inactive. */
    public WebForm published(UUID formId) {
        IntegrationStore.Definition d = formId == null ? null : store.definitionAnyOrg(KIND, formId).orElse(null);
        if (d == null || !d.body().path("active").asBoolean(true)) {
            throw new NotFoundException("No form at this address");
        }
        return of(d, metadata.catalog(d.orgId()).find(d.body().path("module").asText()).orElse(null));
    }

    private ObjectNode validate(Actor actor, ObjectNode in) {
        List<FieldError> errors = new ArrayList<>();
        Definitions.rejectUnknown(in, KEYS, "", errors);
        String name = Definitions.text(in, "name", true, 100, errors);
        String title = Definitions.text(in, "title", false, 200, errors);
        String moduleName = Definitions.text(in, "module", true, 50, errors);
        String matchField = Definitions.text(in, "match_field", false, 50, errors);
        String redirect = Definitions.text(in, "redirect_url", false, 2048, errors);
        if (redirect != null && !redirect.matches("(?i)^https?://[^\\s]+$")) {
            errors.add(new FieldError("redirect_url", "must be an http or https URL"));
        }
        JsonNode activeNode = in.get("active");
        if (activeNode != null && !activeNode.isNull() && !activeNode.isBoolean()) {
            errors.add(new FieldError("active", "must be true or false"));
        }
        UUID owner = actor.isSystem() ? null : actor.userId();
        JsonNode ownerNode = in.get("owner_id");
        if (ownerNode != null && !ownerNode.isNull()) {
            owner = ownerNode.isTextual() ? Ids.parse(ownerNode.textValue()) : null;
            if (owner == null || store.user(actor.orgId(), owner).isEmpty()) {
                errors.add(new FieldError("owner_id", "must be the id of a user of the organisation"));
            }
        } else if (owner == null) {
            errors.add(new FieldError("owner_id", "is required: the owner of the records the form creates"));
        }
        Module module = moduleName == null ? null : metadata.catalog(actor.orgId()).find(moduleName).orElse(null);
        if (moduleName != null && module == null) {
            errors.add(new FieldError("module", "no module named " + moduleName));
        }
        ArrayNode fields = Json.MAPPER.createArrayNode();
        JsonNode f = in.get("fields");
        Set<String> used = new HashSet<>();
        if (f == null || !f.isArray() || f.isEmpty() || f.size() > MAX_FIELDS) {
            errors.add(new FieldError("fields", "must list 1 to " + MAX_FIELDS + " fields"));
        } else if (module != null) {
            for (int i = 0; i < f.size(); i++) {
                String at = "fields[" + i + "]";
                JsonNode one = f.get(i);
                if (!one.isObject()) {
                    errors.add(new FieldError(at, "must be an object with field, label and required"));
                    continue;
                }
                Definitions.rejectUnknown((ObjectNode) one, Set.of("field", "label", "required"), at + ".", errors);
                String api = one.path("field").asText("");
                Field field = module.field(api).orElse(null);
                if (field == null) {
                    errors.add(new FieldError(at + ".field", "module " + module.apiName() + " has no field " + api));
                    continue;
                }
                if (field.readOnly() || field.system() || field.type().isReference()) {
                    errors.add(new FieldError(at + ".field", api + " cannot be filled by a public form"));
                    continue;
                }
                if (!used.add(api)) {
                    errors.add(new FieldError(at + ".field", api + " is on the form twice"));
                    continue;
                }
                JsonNode label = one.get("label");
                if (label != null && !label.isNull() && (!label.isTextual() || label.textValue().length() > 200)) {
                    errors.add(new FieldError(at + ".label", "must be a string of at most 200 characters"));
                }
                JsonNode req = one.get("required");
                if (req != null && !req.isNull() && !req.isBoolean()) {
                    errors.add(new FieldError(at + ".required", "must be true or false"));
                }
                ObjectNode o = fields.addObject();
                o.put("field", api);
                o.put("label", label != null && label.isTextual() ? label.textValue() : field.label());
                o.put("required", field.required() || req != null && req.asBoolean());
            }
            for (Field req : module.visibleFields()) {
                if (req.required() && !req.readOnly() && !used.contains(req.apiName()) && !req.apiName().equals("Owner")) {
                    errors.add(new FieldError("fields", module.apiName() + "." + req.apiName() + " is required, so the form must ask for it"));
                }
            }
            if (matchField != null && !used.contains(matchField)) {
                errors.add(new FieldError("match_field", "must be one of the form's fields"));
            } else if (matchField != null) {
                FieldType t = module.field(matchField).get().type();
                if (!(t.isText() && t != FieldType.LONG_TEXT || t == FieldType.INTEGER)) {
                    errors.add(new FieldError("match_field", "must be a text, email, phone or whole-number field"));
                }
            }
        }
        Definitions.throwIfAny("The web form is invalid", errors);
        ObjectNode out = Json.object();
        out.put("name", name.strip());
        out.put("title", title);
        out.put("module", module.apiName());
        out.set("fields", fields);
        out.put("match_field", matchField);
        out.put("owner_id", owner.toString());
        out.put("redirect_url", redirect);
        out.put("active", activeNode == null || activeNode.isNull() || activeNode.asBoolean());
        return out;
    }

    /** What a submission did. */
    public record Submission(WebForm form, Record record, boolean created, UUID signalId) {
    }

    /**
     * Takes a submission of the public form. Values are strings as browsers send them (several
     * for a multi-select); empty ones count as not given; other keys are ignored.
     *
     * @param source the submitter's address, for rate limiting
     * @throws io.waymark.error.TooManyRequestsException when the source or the form is over its rate
     * @throws io.waymark.error.ValidationException  naming each missing or invalid field; nothing is stored
     */
    public Submission submit(UUID formId, Map<String, List<String>> values, String source) {
        WebForm form = published(formId);
        limiter.take("form|" + form.id() + "|" + source, settings.formBurst(), settings.formPerMinute(), "submissions from your address; slow down");
        limiter.take("form|" + form.id(), settings.formTotalPerMinute(), settings.formTotalPerMinute(), "submissions of this form");
        Actor system = Actor.system(form.orgId());
        Module module = records.module(system, form.module());
        List<FieldError> errors = new ArrayList<>();
        ObjectNode input = Json.object();
        ObjectNode submitted = Json.object();
        for (WebForm.FormField ff : form.fields()) {
            List<String> vs = values.getOrDefault(ff.field(), List.of()).stream().filter(s -> s != null && !s.isBlank()).toList();
            Field field = module.field(ff.field()).orElse(null);
            if (field == null) {
                continue;
            }
            if (vs.isEmpty()) {
                if (ff.required()) {
                    errors.add(new FieldError(ff.field(), "is required"));
                }
                continue;
            }
            JsonNode v = toJson(field, vs);
            input.set(field.apiName(), v);
            submitted.set(field.apiName(), v);
        }
        Definitions.throwIfAny("The submission is invalid", errors);
        Record existing = null;
        if (form.matchField() != null && input.hasNonNull(form.matchField())) {
            RecordStore.RecordPage page = records.list(system, module.apiName(), Criteria.of(List.of(
                    new Condition(form.matchField(), Operator.EQUALS, List.of(input.get(form.matchField())))), null), null, 1, null);
            existing = page.records().isEmpty() ? null : page.records().get(0);
        }
        Record match = existing;
        UUID signalId = Ids.next(clock);
        Record stored = tx.inTransaction(() -> {
            Record r;
            if (match != null) {
                r = records.update(system, module.apiName(), match.id(), input, null);
            } else {
                ObjectNode create = input.deepCopy();
                create.put("Owner", form.ownerId().toString());
                r = records.create(system, module.apiName(), create, io.waymark.record.CreationSource.FORM);
            }
            ObjectNode p = Json.object();
            p.put("form_id", form.id().toString());
            p.put("form", form.name());
            p.put("record_id", r.id().toString());
            p.put("created", match == null);
            p.set("fields", submitted);
            signals.append(List.of(new NewSignal(signalId, form.orgId(), "form.submitted", r.subject(), module.apiName(), r.id(), p,
                    clock.instant(), null)));
            return r;
        });
        afterCommit.run();
        return new Submission(form, stored, match == null, signalId);
    }

    /** A browser's strings as the JSON the record API expects; left as text when they do not parse, so the record's validation names the field. */
    private static JsonNode toJson(Field field, List<String> vs) {
        String s = vs.get(0).strip();
        switch (field.type()) {
            case INTEGER, DECIMAL, CURRENCY, PERCENT -> {
                try {
                    return Json.MAPPER.getNodeFactory().numberNode(new BigDecimal(s));
                } catch (NumberFormatException e) {
                    return Json.MAPPER.getNodeFactory().textNode(s);
                }
            }
            case BOOLEAN -> {
                String b = s.toLowerCase(Locale.ROOT);
                return Json.MAPPER.getNodeFactory().booleanNode(Set.of("true", "on", "yes", "1").contains(b));
            }
            case MULTI_SELECT -> {
                ArrayNode a = Json.MAPPER.createArrayNode();
                vs.forEach(x -> a.add(x.strip()));
                return a;
            }
            default -> {
                return Json.MAPPER.getNodeFactory().textNode(field.type() == FieldType.LONG_TEXT ? vs.get(0) : s);
            }
        }
    }

    static WebForm of(IntegrationStore.Definition d, Module module) {
        ObjectNode b = d.body();
        List<WebForm.FormField> fields = new ArrayList<>();
        b.path("fields").forEach(f -> {
            Field field = module == null ? null : module.field(f.path("field").asText()).orElse(null);
            fields.add(new WebForm.FormField(f.path("field").asText(), f.path("label").asText(), field == null ? null : field.type().apiName(),
                    f.path("required").asBoolean(), field == null ? List.of() : field.picklistValues()));
        });
        return new WebForm(d.id(), d.orgId(), d.name(), b.hasNonNull("title") ? b.get("title").asText() : null, b.path("module").asText(),
                fields, b.hasNonNull("match_field") ? b.get("match_field").asText() : null, Ids.parse(b.path("owner_id").asText()),
                b.hasNonNull("redirect_url") ? b.get("redirect_url").asText() : null, b.path("active").asBoolean(true), d.version(),
                d.createdAt(), d.modifiedAt());
    }
}

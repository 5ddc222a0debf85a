package io.waymark.email;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.error.FieldError;
import io.waymark.identity.Access;
import io.waymark.identity.Capability;
import io.waymark.integration.Definitions;
import io.waymark.integration.IntegrationStore;
import io.waymark.integration.MergeFields;
import io.waymark.json.Json;
import io.waymark.record.Metadata;
import io.waymark.record.Module;
import io.waymark.record.ModuleCatalog;
import io.waymark.record.Record;
import io.waymark.record.Records;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Email templates: saved only when every merge field names something that exists (an unknown
 * module or field is a 400 naming the merge field), rendered against one record.
 *
 * <p>A template is {@code {"name", "module", "subject", "html", "text"}}; {@code html} or
 * {@code text} (or both) is required. Besides the record's merge fields, bodies may use
 * {@code {{Unsubscribe_URL}}}.
 */
public final class EmailTemplates {
    static final String KIND = "email_template";
    /** Names an email body may use besides the record's. */
    public static final Set<String> EXTRA = Set.of("Unsubscribe_URL");
    private static final Set<String> KEYS = Set.of("name", "module", "subject", "html", "text");
    private static final int MAX_BODY = 200_000;

    private final Definitions definitions;
    private final Metadata metadata;
    private final Records records;
    private final MergeFields merge;
    private final Access access;

    public EmailTemplates(Definitions definitions, Metadata metadata, Records records, MergeFields merge, Access access) {
        this.definitions = definitions;
        this.metadata = metadata;
        this.records = records;
        this.merge = merge;
        this.access = access;
    }

    /** A template's texts filled for one record. {@code text} is never null. */
    public record Rendered(String subject, String html, String text) {
    }

    public EmailTemplate create(Actor actor, JsonNode body) {
        access.require(actor, Capability.MANAGE_INTEGRATIONS);
        ObjectNode in = validate(actor, Definitions.object(body));
        return of(definitions.create(actor, KIND, in.get("name").textValue(), in));
    }

    /** Changes the given properties; the rest stay. {@code expectedVersion} may be null. */
    public EmailTemplate update(Actor actor, UUID id, JsonNode body, Long expectedVersion) {
        access.require(actor, Capability.MANAGE_INTEGRATIONS);
        IntegrationStore.Definition old = definitions.get(actor, KIND, id, "email template");
        ObjectNode in = validate(actor, Definitions.merge(old.body(), Definitions.object(body)));
        return of(definitions.update(actor, old, in.get("name").textValue(), in, expectedVersion));
    }

    public EmailTemplate get(Actor actor, UUID id) {
        return of(definitions.get(actor, KIND, id, "email template"));
    }

    public record Page(List<EmailTemplate> items, String next) {
    }

    public Page list(Actor actor, int limit, String cursor) {
        Definitions.Page p = definitions.list(actor, KIND, limit, cursor);
        return new Page(p.items().stream().map(EmailTemplates::of).toList(), p.next());
    }

    public void delete(Actor actor, UUID id) {
        access.require(actor, Capability.MANAGE_INTEGRATIONS);
        definitions.delete(actor, KIND, id, "email template");
    }

    /** Fills a template for a record of its module; {@code extra} gives values to extra names. */
    public Rendered render(Actor actor, EmailTemplate t, UUID recordId, Map<String, Object> extra) {
        Module module = records.module(actor, t.module());
        Record record = records.get(actor, module.apiName(), recordId);
        Map<String, Object> ctx = merge.context(actor, module, record, extra);
        String subject = MergeFields.fill(t.subject(), ctx, false).replaceAll("[\\r\\n]+", " ").strip();
        String html = MergeFields.fill(t.html(), ctx, true);
        String text = t.text() != null ? MergeFields.fill(t.text(), ctx, false) : HtmlText.of(html);
        return new Rendered(subject, html, text);
    }

    private ObjectNode validate(Actor actor, ObjectNode in) {
        List<FieldError> errors = new ArrayList<>();
        Definitions.rejectUnknown(in, KEYS, "", errors);
        String name = Definitions.text(in, "name", true, 100, errors);
        String moduleName = Definitions.text(in, "module", true, 50, errors);
        String subject = Definitions.text(in, "subject", true, 500, errors);
        String html = Definitions.text(in, "html", false, MAX_BODY, errors);
        String text = Definitions.text(in, "text", false, MAX_BODY, errors);
        if (html == null && text == null && !in.hasNonNull("html") && !in.hasNonNull("text")) {
            errors.add(new FieldError("html", "a template needs an html or a text body (or both)"));
        }
        ModuleCatalog catalog = metadata.catalog(actor.orgId());
        Module module = moduleName == null ? null : catalog.find(moduleName).orElse(null);
        if (moduleName != null && module == null) {
            errors.add(new FieldError("module", "no module named " + moduleName));
        }
        if (module != null) {
            errors.addAll(MergeFields.check(catalog, module, subject, "subject", Set.of()));
            errors.addAll(MergeFields.check(catalog, module, html, "html", EXTRA));
            errors.addAll(MergeFields.check(catalog, module, text, "text", EXTRA));
        }
        Definitions.throwIfAny("The template is invalid", errors);
        ObjectNode out = Json.object();
        out.put("name", name.strip());
        out.put("module", module.apiName());
        out.put("subject", subject);
        out.put("html", html);
        out.put("text", text);
        return out;
    }

    static EmailTemplate of(IntegrationStore.Definition d) {
        ObjectNode b = d.body();
        return new EmailTemplate(d.id(), d.name(), b.path("module").asText(), b.path("subject").asText(),
                b.hasNonNull("html") ? b.get("html").asText() : null, b.hasNonNull("text") ? b.get("text").asText() : null,
                d.version(), d.createdAt(), d.modifiedAt());
    }
}

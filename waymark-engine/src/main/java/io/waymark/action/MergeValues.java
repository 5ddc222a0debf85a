package io.waymark.action;

import io.waymark.error.FieldError;
import io.waymark.record.Field;
import io.waymark.record.FieldType;
import io.waymark.record.Module;
import io.waymark.record.ModuleCatalog;
import io.waymark.record.SystemFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Merge fields in action configs: {@code {{Deals.Amount}}} is a field of the subject record,
 * {@code {{Contacts.Email}}} a field of the record a lookup of the subject points to, and
 * {@code {{Amount}}} short for a field of the subject's own module.
 */
public final class MergeValues {
    static final Pattern REF = Pattern.compile("\\{\\{\\s*([A-Za-z][A-Za-z0-9_]*)(?:\\.([A-Za-z][A-Za-z0-9_]*))?\\s*}}");

    private MergeValues() {
    }

    /** A reference to a field, reached from the subject record directly or through one lookup. */
    public record Ref(String module, String field, String via) {
    }

    /** Looks up the value of a reference for one subject record. */
    @FunctionalInterface
    public interface Resolver {
        Object value(Ref ref);
    }

    /**
     * Resolves {@code {{Module.Field}}} or {@code {{Field}}} against the subject module; adds an
     * error naming {@code where} when the reference is unknown.
     */
    public static Optional<Ref> resolve(ModuleCatalog catalog, Module subject, String first, String second, String where,
                                        List<FieldError> errors) {
        if (second == null) {
            if (subject != null && SystemFields.resolve(subject, first).isPresent()) {
                return Optional.of(new Ref(subject.apiName(), first, null));
            }
            errors.add(new FieldError(where, "unknown merge field {{" + first + "}}" + (subject == null ? "" : " in module " + subject.apiName())));
            return Optional.empty();
        }
        if (subject != null && subject.apiName().equals(first)) {
            if (SystemFields.resolve(subject, second).isPresent()) {
                return Optional.of(new Ref(first, second, null));
            }
            errors.add(new FieldError(where, "unknown merge field {{" + first + "." + second + "}}: " + first + " has no field " + second));
            return Optional.empty();
        }
        Module target = catalog.find(first).orElse(null);
        if (target == null) {
            errors.add(new FieldError(where, "unknown merge field {{" + first + "." + second + "}}: no module " + first));
            return Optional.empty();
        }
        if (target.field(second).isEmpty() && SystemFields.resolve(target, second).isEmpty()) {
            errors.add(new FieldError(where, "unknown merge field {{" + first + "." + second + "}}: " + first + " has no field " + second));
            return Optional.empty();
        }
        Field via = subject == null ? null : subject.visibleFields().stream()
                .filter(f -> f.type() == FieldType.LOOKUP && first.equals(f.lookupModule())).findFirst().orElse(null);
        if (via == null) {
            errors.add(new FieldError(where, "merge field {{" + first + "." + second + "}} is out of reach: "
                    + (subject == null ? "there is no subject record" : subject.apiName() + " has no lookup to " + first)));
            return Optional.empty();
        }
        return Optional.of(new Ref(first, second, via.apiName()));
    }

    /** Checks every merge field of a text template; returns the references. */
    public static List<Ref> check(ModuleCatalog catalog, Module subject, String text, String where, List<FieldError> errors) {
        List<Ref> refs = new ArrayList<>();
        Matcher m = REF.matcher(text);
        while (m.find()) {
            resolve(catalog, subject, m.group(1), m.group(2), where, errors).ifPresent(refs::add);
        }
        return refs;
    }

    /** The text with every merge field replaced by its value (empty when the field is empty). */
    public static String render(ModuleCatalog catalog, Module subject, String text, Resolver resolver) {
        Matcher m = REF.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            List<FieldError> ignored = new ArrayList<>();
            Object v = resolve(catalog, subject, m.group(1), m.group(2), "", ignored).map(resolver::value).orElse(null);
            m.appendReplacement(out, Matcher.quoteReplacement(v == null ? "" : display(v)));
        }
        m.appendTail(out);
        return out.toString();
    }

    static String display(Object v) {
        if (v instanceof java.math.BigDecimal d) {
            return d.stripTrailingZeros().toPlainString();
        }
        if (v instanceof List<?> l) {
            return String.join(", ", l.stream().map(String::valueOf).toList());
        }
        return String.valueOf(v);
    }
}

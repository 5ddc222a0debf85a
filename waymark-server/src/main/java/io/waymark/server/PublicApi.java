package io.waymark.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.waymark.Ids;
import io.waymark.email.Email;
import io.waymark.error.FieldError;
import io.waymark.error.NotFoundException;
import io.waymark.error.TooManyRequestsException;
import io.waymark.error.ValidationException;
import io.waymark.error.WaymarkException;
import io.waymark.inbound.SignalEndpoints;
import io.waymark.inbound.WebForm;
import io.waymark.inbound.WebForms;
import io.waymark.json.Json;
import io.waymark.signal.Signal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes the outside world calls without an API token: email tracking ({@code /t/o/...}
 * open pixel, {@code /t/c/...} click redirect, {@code /t/u/...} unsubscribe), incoming-signal
 * endpoints ({@code /in/{id}}, authenticated by their own key) and public web forms
 * ({@code /forms/{id}}). A bad tracking token never gets more than a generic answer: the pixel is
 * served anyway, a click goes nowhere.
 */
final class PublicApi {
    private static final Logger log = LoggerFactory.getLogger(PublicApi.class);
    private static final byte[] PIXEL = Base64.getDecoder().decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    private final Email email;
    private final SignalEndpoints endpoints;
    private final WebForms forms;
    private final long maxBody;

    PublicApi(Email email, SignalEndpoints endpoints, WebForms forms, long maxBody) {
        this.email = email;
        this.endpoints = endpoints;
        this.forms = forms;
        this.maxBody = maxBody;
    }

    // ---------------------------------------------------------------- tracking

    void pixel(Context ctx) {
        try {
            email.opened(token(ctx));
        } catch (RuntimeException e) {
            // The recipient's mail client must get its image whatever happens here.
            log.warn("Could not record an email open", e);
        }
        noStore(ctx);
        ctx.contentType("image/gif");
        ctx.result(PIXEL);
    }

    void click(Context ctx) {
        var target = email.clicked(token(ctx));
        noStore(ctx);
        if (target.isEmpty()) {
            page(ctx, 404, "Link not valid", "<p>This link is not valid or has expired.</p>");
            return;
        }
        ctx.status(302);
        ctx.header("Location", target.get());
    }

    void unsubscribePage(Context ctx) {
        String token = token(ctx);
        var address = email.unsubscribeAddress(token);
        noStore(ctx);
        if (address.isEmpty()) {
            page(ctx, 404, "Link not valid", "<p>This unsubscribe link is not valid or has expired.</p>");
            return;
        }
        // A GET only asks: mail scanners follow links, and must not unsubscribe anyone by doing so.
        page(ctx, 200, "Unsubscribe", "<p>Stop sending email to <b>" + html(address.get()) + "</b>?</p>"
                + "<form method=\"post\"><button type=\"submit\">Unsubscribe</button></form>");
    }

    /** The confirmation button, and RFC 8058 one-click unsubscribe from the List-Unsubscribe header. */
    void unsubscribe(Context ctx) {
        noStore(ctx);
        if (!email.unsubscribe(token(ctx))) {
            page(ctx, 404, "Link not valid", "<p>This unsubscribe link is not valid or has expired.</p>");
            return;
        }
        page(ctx, 200, "Unsubscribed", "<p>You will receive no more email from us at this address.</p>");
    }

    private static String token(Context ctx) {
        String t = ctx.pathParam("token");
        return t.endsWith(".gif") ? t.substring(0, t.length() - 4) : t;
    }

    private static void noStore(Context ctx) {
        ctx.header("Cache-Control", "no-store, no-cache, must-revalidate");
        ctx.header("Referrer-Policy", "no-referrer");
    }

    // ---------------------------------------------------------------- incoming signals

    /** 202 with the stored signal. Parameters come from the query and, for POST, a form or flat JSON body. */
    void signalIn(Context ctx) {
        UUID id = Ids.parse(ctx.pathParam("id"));
        if (id == null) {
            throw new NotFoundException("No endpoint at this address, or the key is wrong");
        }
        Map<String, String> params = new LinkedHashMap<>();
        ctx.queryParamMap().forEach((k, v) -> params.put(k, v.isEmpty() ? null : v.get(0)));
        if (ctx.method().name().equals("POST")) {
            if (JsonBody.isJson(ctx.contentType())) {
                JsonNode body = JsonBody.optional(ctx, maxBody);
                if (!body.isMissingNode()) {
                    if (!body.isObject()) {
                        throw new ValidationException("The body must be a JSON object", List.of(new FieldError("body", "must be a JSON object")));
                    }
                    body.fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
                }
            } else {
                ctx.formParamMap().forEach((k, v) -> params.put(k, v.isEmpty() ? null : v.get(0)));
            }
        }
        String key = params.remove("key");
        if (key == null) {
            key = ctx.header("X-Waymark-Key");
        }
        Signal s = endpoints.receive(id, key, params, ctx.ip());
        ObjectNode o = Json.object();
        o.put("signal_id", s.id().toString());
        o.put("type", s.type());
        o.put("subject", s.subject());
        o.put("module", s.module());
        o.put("record_id", s.recordId() == null ? null : s.recordId().toString());
        Responses.json(ctx, 202, o);
    }

    // ---------------------------------------------------------------- web forms

    void formPage(Context ctx) {
        WebForm f;
        try {
            f = forms.published(Ids.parse(ctx.pathParam("id")));
        } catch (NotFoundException e) {
            page(ctx, 404, "Form not found", "<p>There is no form at this address.</p>");
            return;
        }
        page(ctx, 200, f.title() == null ? f.name() : f.title(), formHtml(f, Map.of(), List.of()));
    }

    /**
     * A submission: a browser's form post gets HTML (a redirect or a thank-you page, or the form
     * again with the errors); a JSON post gets JSON (201, or problem details).
     */
    void formSubmit(Context ctx) {
        UUID id = Ids.parse(ctx.pathParam("id"));
        boolean json = JsonBody.isJson(ctx.contentType());
        Map<String, List<String>> values = new LinkedHashMap<>();
        if (json) {
            JsonNode body = JsonBody.required(ctx, maxBody);
            if (!body.isObject()) {
                throw new ValidationException("The body must be a JSON object", List.of(new FieldError("body", "must be a JSON object")));
            }
            body.fields().forEachRemaining(e -> {
                List<String> vs = new ArrayList<>();
                if (e.getValue().isArray()) {
                    e.getValue().forEach(x -> vs.add(x.asText()));
                } else if (!e.getValue().isNull()) {
                    vs.add(e.getValue().asText());
                }
                values.put(e.getKey(), vs);
            });
            WebForms.Submission s = forms.submit(id, values, ctx.ip());
            ObjectNode o = Json.object();
            o.put("record_id", s.record().id().toString());
            o.put("module", s.form().module());
            o.put("created", s.created());
            o.put("signal_id", s.signalId().toString());
            Responses.json(ctx, 201, o);
            return;
        }
        values.putAll(ctx.formParamMap());
        try {
            WebForms.Submission s = forms.submit(id, values, ctx.ip());
            if (s.form().redirectUrl() != null) {
                ctx.status(303);
                ctx.header("Location", s.form().redirectUrl());
                return;
            }
            page(ctx, 200, "Thank you", "<p>Thank you, we have received your submission.</p>");
        } catch (TooManyRequestsException e) {
            ctx.header("Retry-After", Long.toString(e.retryAfter().toSeconds()));
            page(ctx, 429, "Too many submissions", "<p>" + html(e.getMessage()) + "</p>");
        } catch (NotFoundException e) {
            page(ctx, 404, "Form not found", "<p>There is no form at this address.</p>");
        } catch (WaymarkException e) {
            WebForm f = forms.published(id);
            page(ctx, e.status(), f.title() == null ? f.name() : f.title(), formHtml(f, values, e.errors()));
        }
    }

    private static String formHtml(WebForm f, Map<String, List<String>> values, List<FieldError> errors) {
        StringBuilder b = new StringBuilder();
        if (!errors.isEmpty()) {
            b.append("<ul class=\"errors\">");
            errors.forEach(e -> b.append("<li>").append(html(label(f, e.field()))).append(": ").append(html(e.message())).append("</li>"));
            b.append("</ul>");
        }
        b.append("<form method=\"post\">");
        for (WebForm.FormField x : f.fields()) {
            String value = values.getOrDefault(x.field(), List.of()).stream().findFirst().orElse("");
            b.append("<p><label>").append(html(x.label())).append(x.required() ? " *" : "").append("<br>");
            String type = x.type() == null ? "text" : x.type();
            String required = x.required() ? " required" : "";
            switch (type) {
                case "long_text" -> b.append("<textarea name=\"").append(html(x.field())).append("\"").append(required).append(">")
                        .append(html(value)).append("</textarea>");
                case "picklist", "multi_select" -> {
                    b.append("<select name=\"").append(html(x.field())).append("\"").append(type.equals("multi_select") ? " multiple" : "")
                            .append(required).append("><option value=\"\"></option>");
                    x.options().forEach(o -> b.append("<option").append(o.equals(value) ? " selected" : "").append(">").append(html(o)).append("</option>"));
                    b.append("</select>");
                }
                case "boolean" -> b.append("<input type=\"checkbox\" name=\"").append(html(x.field())).append("\" value=\"true\">");
                default -> b.append("<input type=\"").append(switch (type) {
                    case "email" -> "email";
                    case "phone" -> "tel";
                    case "url" -> "url";
                    case "integer", "decimal", "currency", "percent" -> "number\" step=\"any";
                    case "date" -> "date";
                    default -> "text";
                }).append("\" name=\"").append(html(x.field())).append("\" value=\"").append(html(value)).append("\"").append(required).append(">");
            }
            b.append("</label></p>");
        }
        b.append("<p><button type=\"submit\">Send</button></p></form>");
        return b.toString();
    }

    private static String label(WebForm f, String field) {
        return f.fields().stream().filter(x -> x.field().equals(field)).map(WebForm.FormField::label).findFirst().orElse(field);
    }

    private static void page(Context ctx, int status, String title, String body) {
        ctx.status(status);
        ctx.contentType("text/html; charset=utf-8");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
        ctx.result("<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>"
                + html(title) + "</title><style>body{font-family:sans-serif;max-width:32em;margin:2em auto;padding:0 1em}"
                + ".errors{color:#b00}</style></head><body><h1>" + html(title) + "</h1>" + body + "</body></html>");
    }

    static String html(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}

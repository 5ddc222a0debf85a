package io.waymark.email;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Ids;
import io.waymark.error.FieldError;
import io.waymark.error.NotFoundException;
import io.waymark.error.ValidationException;
import io.waymark.identity.Access;
import io.waymark.identity.Capability;
import io.waymark.integration.IntegrationSettings;
import io.waymark.integration.IntegrationStore;
import io.waymark.json.Json;
import io.waymark.record.Field;
import io.waymark.record.FieldType;
import io.waymark.record.Module;
import io.waymark.record.Record;
import io.waymark.record.Records;
import io.waymark.signal.NewSignal;
import io.waymark.signal.Signal;
import io.waymark.signal.SignalStore;
import io.waymark.tx.Transactor;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sending email from templates, the outbound log (which is the embedded mail catcher's mailbox
 * when no SMTP server is configured), tracking of opens and clicks, unsubscribes, and the
 * recognition of replies, bounces and automatic replies read from the mailbox.
 *
 * <p>Every outcome is a signal on the record the email was sent for: {@code email.sent},
 * {@code email.opened}, {@code email.clicked}, {@code email.replied} (with {@code auto_reply}),
 * {@code email.bounced}, {@code email.unsubscribed}, {@code email.blocked}. Signals that outside
 * events cause (replies, bounces, unsubscribes) have ids derived from those events, so reading
 * the same reply twice records it once.
 *
 * <pre>{@code
 * EmailMessage m = waymark.email().send(Actor.system(org), new Email.SendRequest(templateId, "Contacts", contactId, null, "welcome-" + contactId));
 * }</pre>
 */
public final class Email {
    private static final Logger log = LoggerFactory.getLogger(Email.class);
    private static final Pattern ADDRESS = Pattern.compile("^[^@\\s<>,;\"]+@[^@\\s.<>,;\"]+(\\.[^@\\s.<>,;\"]+)+$");
    private static final Pattern HREF = Pattern.compile("(?i)(<a\\s[^>]*?href\\s*=\\s*\")(https?://[^\"]+)(\")");
    private static final Pattern AUTO_SUBJECT = Pattern.compile("(?i)^\\s*(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|abwesenheit|auto:|absence)");
    private static final int MAX_LINKS = 500;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final EmailTemplates templates;
    private final Records records;
    private final IntegrationStore store;
    private final SignalStore signals;
    private final MailTransport transport;
    private final IntegrationSettings settings;
    private final Transactor tx;
    private final Clock clock;
    private final Runnable afterCommit;
    private final Access access;
    private final java.util.function.BiFunction<UUID, UUID, Optional<io.waymark.identity.User>> users;
    private volatile TrackingTokens tokens;

    public Email(EmailTemplates templates, Records records, IntegrationStore store, SignalStore signals, MailTransport transport,
                 IntegrationSettings settings, Transactor tx, Clock clock, Access access, Runnable afterCommit) {
        this(templates, records, store, signals, transport, settings, tx, clock, access, afterCommit, (org, user) -> Optional.empty());
    }

    /**
     * @param users finds a user of an organisation (for a message sent from a user's address)
     */
    public Email(EmailTemplates templates, Records records, IntegrationStore store, SignalStore signals, MailTransport transport,
                 IntegrationSettings settings, Transactor tx, Clock clock, Access access, Runnable afterCommit,
                 java.util.function.BiFunction<UUID, UUID, Optional<io.waymark.identity.User>> users) {
        this.users = users;
        this.access = access;
        this.templates = templates;
        this.records = records;
        this.store = store;
        this.signals = signals;
        this.transport = transport;
        this.settings = settings;
        this.tx = tx;
        this.clock = clock;
        this.afterCommit = afterCommit;
    }

    public EmailTemplates templates() {
        return templates;
    }

    /** Where messages go: {@code smtp} or the {@code catcher}. */
    public MailTransport transport() {
        return transport;
    }

    public IntegrationSettings settings() {
        return settings;
    }

    /**
     * What to send.
     *
     * @param to             null for the record's email field ({@code Email}, else its first email field);
     *                       the API name of an email field of the module; {@code owner}; or an address
     * @param idempotencyKey a repeat with the same key returns the first message instead of sending
     *                       again (null: always send)
     * @param from           whose address and name the message is from: {@code record_owner}, a user id,
     *                       or null for the organisation's; an unknown or inactive user falls back to the organisation's
     */
    public record SendRequest(UUID templateId, String module, UUID recordId, String to, String idempotencyKey, String from) {
        public SendRequest(UUID templateId, String module, UUID recordId, String to, String idempotencyKey) {
            this(templateId, module, recordId, to, idempotencyKey, null);
        }
    }

    /**
     * Renders a template for a record and sends it. A repeat with the same idempotency key after
     * success sends nothing and returns the stored message; after a failure it sends the stored
     * message again with the same Message-ID.
     *
     * @throws EmailNotSentException retryable when the transport failed, permanent when the
     *                               recipient unsubscribed or opted out or has no address
     */
    public EmailMessage send(Actor actor, SendRequest req) {
        if (req.templateId() == null || req.module() == null || req.recordId() == null) {
            throw new ValidationException("template_id, module and record_id are required", List.of(
                    new FieldError(req.templateId() == null ? "template_id" : req.module() == null ? "module" : "record_id", "is required")));
        }
        String key = req.idempotencyKey();
        if (key != null && key.length() > 200) {
            throw new ValidationException("idempotency_key is too long", List.of(new FieldError("idempotency_key", "is longer than 200 characters")));
        }
        EmailMessage existing = key == null ? null : store.messageByIdempotencyKey(actor.orgId(), key).orElse(null);
        if (existing != null) {
            if (existing.delivered()) {
                return existing;
            }
            if ("blocked".equals(existing.status())) {
                throw new EmailNotSentException(existing.error(), false);
            }
            Optional<Instant> gone = store.unsubscribedAt(actor.orgId(), existing.toAddress().toLowerCase(Locale.ROOT));
            if (gone.isPresent()) {
                String reason = "Recipient " + existing.toAddress() + " unsubscribed on " + gone.get() + "; no further email is sent to this address";
                tx.run(() -> store.updateMessageDelivery(existing.orgId(), existing.id(), "blocked", null, reason, null, existing.attempts()));
                throw new EmailNotSentException(reason, false);
            }
            return deliver(existing);
        }
        EmailTemplate t = templates.get(actor, req.templateId());
        if (!t.module().equals(req.module())) {
            throw new ValidationException("The template is for " + t.module(), List.of(new FieldError("module",
                    "template '" + t.name() + "' is for " + t.module() + ", not " + req.module())));
        }
        Module module = records.module(actor, t.module());
        Record record = records.get(actor, module.apiName(), req.recordId());
        String to = recipient(actor, module, record, req.to());
        UUID id = Ids.next(clock);
        Instant now = clock.instant();
        String headerId = id + "@" + messageDomain();
        String fromAddress = settings.fromAddress();
        String fromName = null;
        if (req.from() != null) {
            UUID sender = req.from().equals("record_owner") ? record.owner() : Ids.parse(req.from());
            io.waymark.identity.User u = sender == null ? null : users.apply(actor.orgId(), sender).filter(io.waymark.identity.User::active).orElse(null);
            if (u != null && u.email() != null && !u.email().isBlank()) {
                fromAddress = u.email();
                fromName = u.name();
            }
        }
        String blockedReason = blockedReason(actor, module, record, to);
        if (blockedReason != null) {
            EmailMessage m = new EmailMessage(id, actor.orgId(), t.id(), module.apiName(), record.id(), record.subject(), fromAddress,
                    to, t.subject(), null, null, headerId, key, "blocked", null, blockedReason, 0, List.of(), now, null, null, null, null, null, fromName);
            ObjectNode p = Json.object();
            p.put("email_id", id.toString());
            p.put("to", to);
            p.put("template_id", t.id().toString());
            p.put("reason", blockedReason);
            tx.run(() -> {
                store.insertMessage(m);
                signals.append(List.of(signal(m, "email.blocked", p, id, Actor.SYSTEM_USER)));
            });
            afterCommit.run();
            throw new EmailNotSentException(blockedReason, false);
        }
        TrackingTokens tk = tokens();
        Instant expires = now.plus(settings.trackingTtl());
        String unsubscribeUrl = settings.publicBaseUrl() + "/t/u/" + tk.issue(TrackingTokens.Purpose.UNSUBSCRIBE, id, 0, expires);
        EmailTemplates.Rendered r = templates.render(actor, t, record.id(), Map.of("Unsubscribe_URL", unsubscribeUrl));
        List<String> links = new ArrayList<>();
        String html = r.html() == null ? null : trackLinks(r.html(), tk, id, expires, links);
        String text = r.text();
        if (html != null && !containsUnsubscribe(t.html())) {
            html = insertBeforeBodyEnd(html, "<p style=\"font-size:12px;color:#888\"><a href=\"" + unsubscribeUrl + "\">Unsubscribe</a></p>");
        }
        if (!containsUnsubscribe(t.text()) && (t.text() != null || !containsUnsubscribe(t.html()))) {
            text = text + "\n\n--\nUnsubscribe: " + unsubscribeUrl;
        }
        if (html != null) {
            html = insertBeforeBodyEnd(html, "<img src=\"" + settings.publicBaseUrl() + "/t/o/"
                    + tk.issue(TrackingTokens.Purpose.OPEN, id, 0, expires) + "\" width=\"1\" height=\"1\" alt=\"\" style=\"display:none\">");
        }
        EmailMessage m = new EmailMessage(id, actor.orgId(), t.id(), module.apiName(), record.id(), record.subject(), fromAddress, to,
                r.subject(), html, text, headerId, key, "sending", null, null, 0, links, now, null, null, null, null, null, fromName);
        if (transport == MailTransport.CATCHER) {
            // Nothing leaves the database: keeping the message and its signal is one transaction.
            Instant at = clock.instant();
            EmailMessage caught = withDelivery(m, "caught", null, at, 1);
            try {
                tx.run(() -> {
                    store.insertMessage(caught);
                    signals.appendOnce(List.of(sentSignal(caught)));
                });
            } catch (RuntimeException e) {
                EmailMessage other = key == null ? null : store.messageByIdempotencyKey(actor.orgId(), key).orElse(null);
                if (other == null) {
                    throw e;
                }
                return other.delivered() ? other : deliver(other);
            }
            afterCommit.run();
            return caught;
        }
        try {
            tx.run(() -> store.insertMessage(m));
        } catch (RuntimeException e) {
            // Two sends with one key at once: the other one stored its message first; use it.
            EmailMessage other = key == null ? null : store.messageByIdempotencyKey(actor.orgId(), key).orElse(null);
            if (other == null) {
                throw e;
            }
            return other.delivered() ? other : deliver(other);
        }
        return deliver(m);
    }

    private EmailMessage deliver(EmailMessage m) {
        Map<String, String> headers = new LinkedHashMap<>();
        String unsubscribe = unsubscribeUrl(m);
        headers.put("List-Unsubscribe", "<" + unsubscribe + ">");
        headers.put("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        if (m.idempotencyKey() != null) {
            headers.put("X-Waymark-Idempotency-Key", m.idempotencyKey());
        }
        headers.put("X-Waymark-Email-Id", m.id().toString());
        if (!m.fromAddress().equalsIgnoreCase(settings.fromAddress())) {
            // Sent from a user's address: replies still come to the mailbox Waymark reads, so they are recognised.
            headers.put("Reply-To", settings.fromAddress());
        }
        OutgoingMail mail = new OutgoingMail(m.headerMessageId(), m.fromAddress(), m.fromName() == null ? settings.fromName() : m.fromName(), m.toAddress(), m.subjectLine(),
                m.text(), m.html(), headers);
        int attempts = m.attempts() + 1;
        try {
            transport.send(mail);
        } catch (MailTransport.DeliveryException e) {
            tx.run(() -> store.updateMessageDelivery(m.orgId(), m.id(), "failed", transport.name(), e.getMessage(), null, attempts));
            log.warn("Email {} to {} not sent (attempt {}, {}): {}", m.id(), m.toAddress(), attempts,
                    e.retryable() ? "will be retried" : "permanent", e.getMessage());
            throw new EmailNotSentException("Email to " + m.toAddress() + " not sent: " + e.getMessage(), e.retryable());
        }
        Instant now = clock.instant();
        EmailMessage done = withDelivery(m, transport == MailTransport.CATCHER ? "caught" : "sent", null, now, attempts);
        tx.run(() -> {
            store.updateMessageDelivery(m.orgId(), m.id(), done.status(), transport.name(), null, now, attempts);
            signals.appendOnce(List.of(sentSignal(done)));
        });
        afterCommit.run();
        return done;
    }

    private EmailMessage withDelivery(EmailMessage m, String status, String error, Instant sentAt, int attempts) {
        return new EmailMessage(m.id(), m.orgId(), m.templateId(), m.module(), m.recordId(), m.subject(), m.fromAddress(), m.toAddress(),
                m.subjectLine(), m.html(), m.text(), m.headerMessageId(), m.idempotencyKey(), status, transport.name(), error, attempts,
                m.links(), m.createdAt(), sentAt, m.openedAt(), m.clickedAt(), m.repliedAt(), m.bouncedAt(), m.fromName());
    }

    /** {@code email.sent}; its id is the message's, so a message is recorded as sent once. */
    private NewSignal sentSignal(EmailMessage m) {
        ObjectNode p = Json.object();
        p.put("email_id", m.id().toString());
        p.put("message_id", m.headerMessageId());
        p.put("to", m.toAddress());
        p.put("template_id", m.templateId() == null ? null : m.templateId().toString());
        p.put("subject_line", m.subjectLine());
        p.put("transport", transport.name());
        return signal(m, "email.sent", p, m.id(), Actor.SYSTEM_USER);
    }

    private String unsubscribeUrl(EmailMessage m) {
        return settings.publicBaseUrl() + "/t/u/" + tokens().issue(TrackingTokens.Purpose.UNSUBSCRIBE, m.id(), 0,
                m.createdAt().plus(settings.trackingTtl()));
    }

    /**
     * Where an email for this record goes (see {@link SendRequest#to()}); a permanent
     * {@link EmailNotSentException} when there is no usable address.
     */
    String recipient(Actor actor, Module module, Record record, String to) {
        String address;
        String source;
        if (to == null || to.isBlank()) {
            Field f = defaultEmailField(module).orElseThrow(() -> new EmailNotSentException(
                    "Module " + module.apiName() + " has no email field; name the recipient in 'to'", false));
            address = (String) record.values().get(f.apiName());
            source = module.apiName() + "." + f.apiName();
        } else if (to.equalsIgnoreCase("owner")) {
            address = record.owner() == null ? null : store.user(actor.orgId(), record.owner()).map(IntegrationStore.UserContact::email).orElse(null);
            source = "the record owner";
        } else if (to.contains("@")) {
            address = to.strip();
            source = "'to'";
        } else {
            Field f = module.field(to).filter(x -> x.type() == FieldType.EMAIL).orElseThrow(() -> new EmailNotSentException(
                    module.apiName() + " has no email field " + to, false));
            address = (String) record.values().get(f.apiName());
            source = module.apiName() + "." + f.apiName();
        }
        if (address == null || address.isBlank()) {
            throw new EmailNotSentException("No email address: " + source + " of " + module.singularLabel() + " " + record.id() + " is empty", false);
        }
        if (!ADDRESS.matcher(address).matches()) {
            throw new EmailNotSentException("Not an email address: '" + address + "' (" + source + ")", false);
        }
        return address;
    }

    static Optional<Field> defaultEmailField(Module module) {
        return module.field("Email").filter(f -> f.type() == FieldType.EMAIL)
                .or(() -> module.visibleFields().stream().filter(f -> f.type() == FieldType.EMAIL).findFirst());
    }

    /** Checks a {@code to} setting when a definition is saved; null when it is fine. */
    static String checkRecipient(Module module, String to) {
        if (to == null || to.isBlank()) {
            return defaultEmailField(module).isPresent() ? null : "module " + module.apiName() + " has no email field; name the recipient";
        }
        if (to.equalsIgnoreCase("owner")) {
            return null;
        }
        if (to.contains("@")) {
            return ADDRESS.matcher(to.strip()).matches() ? null : "'" + to + "' is not an email address";
        }
        return module.field(to).filter(f -> f.type() == FieldType.EMAIL).isPresent() ? null
                : "must be owner, an email address or an email field of " + module.apiName() + " (no email field " + to + ")";
    }

    private String blockedReason(Actor actor, Module module, Record record, String to) {
        Optional<Instant> at = store.unsubscribedAt(actor.orgId(), to.toLowerCase(Locale.ROOT));
        if (at.isPresent()) {
            return "Recipient " + to + " unsubscribed on " + at.get() + "; no further email is sent to this address";
        }
        if (module.field("Email_Opt_Out").filter(f -> f.type() == FieldType.BOOLEAN).isPresent()
                && Boolean.TRUE.equals(record.values().get("Email_Opt_Out"))) {
            return "Recipient " + to + " opted out of email (" + module.apiName() + ".Email_Opt_Out)";
        }
        return null;
    }

    private static boolean containsUnsubscribe(String template) {
        return template != null && template.contains("Unsubscribe_URL");
    }

    private String trackLinks(String html, TrackingTokens tk, UUID id, Instant expires, List<String> links) {
        String own = settings.publicBaseUrl().toString();
        Matcher m = HREF.matcher(html);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String target = m.group(2).replace("&amp;", "&");
            if (target.startsWith(own + "/t/") || links.size() >= MAX_LINKS) {
                m.appendReplacement(out, Matcher.quoteReplacement(m.group()));
                continue;
            }
            links.add(target);
            String url = own + "/t/c/" + tk.issue(TrackingTokens.Purpose.CLICK, id, links.size() - 1, expires);
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + url + m.group(3)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String insertBeforeBodyEnd(String html, String fragment) {
        int at = html.toLowerCase(Locale.ROOT).lastIndexOf("</body>");
        return at < 0 ? html + fragment : html.substring(0, at) + fragment + html.substring(at);
    }

    private String messageDomain() {
        String host = settings.publicBaseUrl().getHost();
        return host == null || host.isBlank() ? "waymark.local" : host;
    }

    private TrackingTokens tokens() {
        TrackingTokens t = tokens;
        if (t == null) {
            byte[] secret = settings.secret() != null ? settings.secret() : tx.inTransaction(() -> store.secret(() -> {
                byte[] b = new byte[32];
                RANDOM.nextBytes(b);
                return b;
            }));
            t = new TrackingTokens(secret);
            tokens = t;
        }
        return t;
    }

    // ---------------------------------------------------------------- the outbound log (mail catcher)

    public EmailMessage message(Actor actor, UUID id) {
        // Sent mail holds customers' addresses and words: for integration administrators.
        access(actor);
        return store.message(actor.orgId(), id).orElseThrow(() -> new NotFoundException("No email message has id " + id));
    }

    /** A page of messages, newest first, and the cursor of the next. */
    public record Page(List<EmailMessage> items, String next) {
    }

    /** The organisation's messages, newest first; {@code to} filters by recipient (exact, any case). */
    public Page messages(Actor actor, String to, int limit, String cursor) {
        access(actor);
        if (limit < 1 || limit > 1000) {
            throw new ValidationException("Invalid limit", List.of(new FieldError("limit", "must be between 1 and 1000")));
        }
        UUID before = null;
        if (cursor != null) {
            before = Ids.parse(cursor);
            if (before == null) {
                throw new ValidationException("Invalid cursor", List.of(new FieldError("cursor", "is not a cursor this list returned")));
            }
        }
        List<EmailMessage> rows = store.messages(actor.orgId(), limit + 1, before, to == null ? null : to.toLowerCase(Locale.ROOT));
        String next = null;
        if (rows.size() > limit) {
            rows = new ArrayList<>(rows.subList(0, limit));
            next = rows.get(limit - 1).id().toString();
        }
        return new Page(rows, next);
    }

    /** When the address unsubscribed, if it did. */
    public Optional<Instant> unsubscribedAt(Actor actor, String address) {
        access(actor);
        return store.unsubscribedAt(actor.orgId(), address.strip().toLowerCase(Locale.ROOT));
    }

    /** Lets email reach an address again (an administrator's decision, e.g. after a mistaken click). */
    public void resubscribe(Actor actor, String address) {
        access(actor);
        if (!tx.inTransaction(() -> store.resubscribe(actor.orgId(), address.strip().toLowerCase(Locale.ROOT)))) {
            throw new NotFoundException(address + " is not unsubscribed");
        }
    }

    /** Throws 403 unless the actor manages integrations (email settings, the mailbox, the catcher). */
    public void requireManager(Actor actor) {
        access(actor);
    }

    private void access(Actor actor) {
        // Resubscribing overrides a recipient's wish: an integration administrator's call.
        access.require(actor, Capability.MANAGE_INTEGRATIONS);
    }

    // ---------------------------------------------------------------- tracking (public routes)

    /** An open pixel was fetched. A forged or expired token is ignored and logged. */
    public void opened(String token) {
        Optional<TrackingTokens.Claim> c = tokens().verify(token, TrackingTokens.Purpose.OPEN, clock.instant());
        EmailMessage m = c.flatMap(x -> store.messageAnyOrg(x.messageId())).orElse(null);
        if (m == null) {
            refused("open", token, TrackingTokens.Purpose.OPEN);
            return;
        }
        Instant now = clock.instant();
        ObjectNode p = Json.object();
        p.put("email_id", m.id().toString());
        p.put("message_id", m.headerMessageId());
        tx.run(() -> {
            boolean first = store.markFirst(m.orgId(), m.id(), "opened_at", now);
            p.put("first", first);
            signals.append(List.of(signal(m, "email.opened", p, Ids.next(clock), null)));
        });
        afterCommit.run();
    }

    /**
     * A tracked link was followed: the original target, or empty for a forged or expired token
     * (ignored and logged; the caller shows a generic page and redirects nowhere).
     */
    public Optional<String> clicked(String token) {
        Optional<TrackingTokens.Claim> c = tokens().verify(token, TrackingTokens.Purpose.CLICK, clock.instant());
        EmailMessage m = c.flatMap(x -> store.messageAnyOrg(x.messageId())).orElse(null);
        if (m == null || c.get().link() >= m.links().size()) {
            refused("click", token, TrackingTokens.Purpose.CLICK);
            return Optional.empty();
        }
        String url = m.links().get(c.get().link());
        Instant now = clock.instant();
        ObjectNode p = Json.object();
        p.put("email_id", m.id().toString());
        p.put("message_id", m.headerMessageId());
        p.put("url", url);
        p.put("link", c.get().link());
        tx.run(() -> {
            boolean first = store.markFirst(m.orgId(), m.id(), "clicked_at", now);
            p.put("first", first);
            signals.append(List.of(signal(m, "email.clicked", p, Ids.next(clock), null)));
        });
        afterCommit.run();
        return Optional.of(url);
    }

    /** The address an unsubscribe token stands for (to show on the confirmation page), if genuine. */
    public Optional<String> unsubscribeAddress(String token) {
        return tokens().verify(token, TrackingTokens.Purpose.UNSUBSCRIBE, clock.instant())
                .flatMap(x -> store.messageAnyOrg(x.messageId())).map(EmailMessage::toAddress);
    }

    /**
     * Unsubscribes the recipient of the message the token names; every later send to the address
     * fails permanently. False (and logged) for a forged or expired token. Repeats are harmless.
     */
    public boolean unsubscribe(String token) {
        Optional<TrackingTokens.Claim> c = tokens().verify(token, TrackingTokens.Purpose.UNSUBSCRIBE, clock.instant());
        EmailMessage m = c.flatMap(x -> store.messageAnyOrg(x.messageId())).orElse(null);
        if (m == null) {
            refused("unsubscribe", token, TrackingTokens.Purpose.UNSUBSCRIBE);
            return false;
        }
        Instant now = clock.instant();
        String address = m.toAddress().toLowerCase(Locale.ROOT);
        ObjectNode p = Json.object();
        p.put("email_id", m.id().toString());
        p.put("address", address);
        tx.run(() -> {
            if (store.unsubscribe(m.orgId(), address, m.id(), now)) {
                signals.appendOnce(List.of(signal(m, "email.unsubscribed", p, derived(m.orgId(), "unsubscribed", address + "/" + now), null)));
            }
        });
        afterCommit.run();
        return true;
    }

    private void refused(String what, String token, TrackingTokens.Purpose purpose) {
        log.warn("Ignored a {} request with an invalid tracking token ({}): {}", what, tokens().diagnose(token, purpose),
                token == null ? "-" : token.substring(0, Math.min(token.length(), 60)));
    }

    // ---------------------------------------------------------------- inbound mail

    /**
     * Recognises one message from the mailbox: a delivery failure report about a message Waymark
     * sent becomes {@code email.bounced}; a reply to one (by In-Reply-To or References) becomes
     * {@code email.replied}, with {@code auto_reply: true} for out-of-office and other automatic
     * answers. Anything else is ignored. Reading the same message again emits nothing new.
     *
     * @return the signals this message produced (the stored ones when it was seen before)
     */
    public List<Signal> receive(InboundMail mail) {
        if (mail.report() != null) {
            return bounce(mail);
        }
        EmailMessage original = null;
        List<String> candidates = new ArrayList<>(mail.inReplyTo());
        List<String> refs = new ArrayList<>(mail.references());
        java.util.Collections.reverse(refs);
        candidates.addAll(refs);
        for (String id : candidates) {
            original = store.messageByHeaderId(stripBrackets(id)).orElse(null);
            if (original != null) {
                break;
            }
        }
        if (original == null) {
            log.debug("Inbound message {} answers no message Waymark sent; ignored", mail.messageId());
            return List.of();
        }
        boolean auto = isAutoReply(mail);
        EmailMessage m = original;
        ObjectNode p = Json.object();
        p.put("email_id", m.id().toString());
        p.put("message_id", m.headerMessageId());
        p.put("reply_message_id", Json.scrubNul(mail.messageId()));
        p.put("from", Json.scrubNul(mail.from()));
        p.put("subject_line", Json.scrubNul(mail.subject()));
        String text = mail.text() == null ? "" : mail.text().strip();
        p.put("snippet", Json.scrubNul(text.length() > 500 ? text.substring(0, 500) : text));
        p.put("auto_reply", auto);
        Instant at = mail.date() != null && !mail.date().isAfter(clock.instant()) ? mail.date() : clock.instant();
        List<Signal> out = tx.inTransaction(() -> {
            if (!auto) {
                store.markFirst(m.orgId(), m.id(), "replied_at", at);
            }
            return signals.appendOnce(List.of(signal(m, "email.replied", p, derived(m.orgId(), "replied", mail.messageId()), null, at)));
        });
        afterCommit.run();
        return out;
    }

    private List<Signal> bounce(InboundMail mail) {
        InboundMail.DeliveryReport r = mail.report();
        if (r.action() != null && !r.action().equalsIgnoreCase("failed")) {
            log.debug("Delivery report {} says '{}'; not a bounce", mail.messageId(), r.action());
            return List.of();
        }
        EmailMessage m = r.originalMessageId() == null ? null : store.messageByHeaderId(stripBrackets(r.originalMessageId())).orElse(null);
        if (m == null) {
            for (String id : mail.references()) {
                m = store.messageByHeaderId(stripBrackets(id)).orElse(null);
                if (m != null) {
                    break;
                }
            }
        }
        if (m == null) {
            log.info("Delivery report {} is about a message Waymark did not send ({}); ignored", mail.messageId(), r.originalMessageId());
            return List.of();
        }
        EmailMessage original = m;
        ObjectNode p = Json.object();
        p.put("email_id", m.id().toString());
        p.put("message_id", m.headerMessageId());
        p.put("recipient", r.recipient() == null ? m.toAddress() : Json.scrubNul(r.recipient()));
        p.put("status", Json.scrubNul(r.status()));
        p.put("action", Json.scrubNul(r.action()));
        p.put("diagnostic", Json.scrubNul(r.diagnostic()));
        p.put("hard", r.hard() || r.status() == null);
        Instant now = clock.instant();
        List<Signal> out = tx.inTransaction(() -> {
            store.markFirst(original.orgId(), original.id(), "bounced_at", now);
            return signals.appendOnce(List.of(signal(original, "email.bounced", p, derived(original.orgId(), "bounced", mail.messageId()), null)));
        });
        afterCommit.run();
        return out;
    }

    /** Whether a message is an automatic answer (out of office, vacation, auto-responder). */
    static boolean isAutoReply(InboundMail mail) {
        Map<String, String> h = mail.headers();
        String autoSubmitted = h.get("auto-submitted");
        if (autoSubmitted != null && !autoSubmitted.strip().equalsIgnoreCase("no")) {
            return true;
        }
        if (h.containsKey("x-autoreply") || h.containsKey("x-autorespond") || h.containsKey("x-autoresponder")) {
            return true;
        }
        String precedence = h.get("precedence");
        if (precedence != null && precedence.strip().equalsIgnoreCase("auto_reply")) {
            return true;
        }
        return mail.subject() != null && AUTO_SUBJECT.matcher(mail.subject()).find();
    }

    static String stripBrackets(String id) {
        String s = id.strip();
        if (s.startsWith("<") && s.endsWith(">")) {
            s = s.substring(1, s.length() - 1);
        }
        return s;
    }

    private NewSignal signal(EmailMessage m, String type, ObjectNode payload, UUID id, UUID actor) {
        return signal(m, type, payload, id, actor, clock.instant());
    }

    private NewSignal signal(EmailMessage m, String type, ObjectNode payload, UUID id, UUID actor, Instant at) {
        return new NewSignal(id, m.orgId(), type, m.subject(), m.module(), m.recordId(), payload, at, actor);
    }

    /** A signal id fixed by an outside event, so that seeing the event again stores nothing new. */
    static UUID derived(UUID orgId, String type, String key) {
        return UUID.nameUUIDFromBytes((orgId + "|" + type + "|" + key).getBytes(StandardCharsets.UTF_8));
    }
}

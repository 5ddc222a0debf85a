package io.waymark.store.integration;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Waymark;
import io.waymark.action.ActionContext;
import io.waymark.action.ActionFailure;
import io.waymark.action.ActionResult;
import io.waymark.action.ActionType;
import io.waymark.email.Email;
import io.waymark.email.EmailMessage;
import io.waymark.email.EmailNotSentException;
import io.waymark.email.EmailTemplate;
import io.waymark.email.InboundMail;
import io.waymark.email.MailTransport;
import io.waymark.email.OutgoingMail;
import io.waymark.error.FieldError;
import io.waymark.error.ValidationException;
import io.waymark.json.Json;
import io.waymark.record.Record;
import io.waymark.signal.Signal;
import io.waymark.signal.SignalQuery;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

class EmailSendingTest {

    /** A transport that records what it is given, and fails while told to. */
    static final class RecordingTransport implements MailTransport {
        final List<OutgoingMail> sent = new ArrayList<>();
        volatile Boolean failRetryable;

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public void send(OutgoingMail mail) throws DeliveryException {
            if (failRetryable != null) {
                throw new DeliveryException("server said no", failRetryable, null);
            }
            sent.add(mail);
        }
    }

    static Record contact(TestDb db, String email) {
        return db.engine().records().create(db.admin(), "Contacts", json("{'First_Name': 'Asha', 'Last_Name': 'Patel', 'Email': '" + email + "'}"));
    }

    static List<Signal> signals(TestDb db, Record r, String type) {
        return db.engine().signals().query(db.admin(), new SignalQuery(r.subject(), null, type, null, null, 1000, null)).signals();
    }

    static String token(String html, String kind) {
        Matcher m = Pattern.compile("/t/" + kind + "/([A-Za-z0-9_-]+)").matcher(html);
        assertThat(m.find()).as("a /t/" + kind + "/ link in " + html).isTrue();
        return m.group(1);
    }

    static ActionContext context(TestDb db, Record r, ObjectNode config, String key) {
        return new ActionContext(Actor.system(db.admin().orgId()), "Contacts", r.id(), config, key, 1, db.clock().instant());
    }

    static ActionType action(Waymark engine, String name) {
        return engine.integrationActions().stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow();
    }

    @BothDatabases
    void withoutSmtpTheCatcherKeepsTheMessageWithTrackingAndASentSignal(TestDb db) {
        EmailTemplate t = EmailTemplatesTest.welcome(db);
        Record c = contact(db, "asha@example.com");
        EmailMessage m = db.engine().email().send(db.admin(), new Email.SendRequest(t.id(), "Contacts", c.id(), null, "k-1"));
        assertThat(m.status()).isEqualTo("caught");
        assertThat(m.transport()).isEqualTo("catcher");
        assertThat(m.toAddress()).isEqualTo("asha@example.com");
        assertThat(m.subjectLine()).isEqualTo("Welcome, Asha!");
        assertThat(m.links()).containsExactly("https://zylker.com/tours?a=1&b=2");
        assertThat(m.html()).contains("/t/o/").contains("/t/c/").contains("/t/u/").doesNotContain("https://zylker.com/tours");
        assertThat(m.text()).contains("Unsubscribe: http://localhost:8080/t/u/");
        assertThat(db.engine().email().messages(db.admin(), null, 50, null).items()).extracting(EmailMessage::id).containsExactly(m.id());
        assertThat(db.engine().email().messages(db.admin(), "ASHA@example.com", 50, null).items()).hasSize(1);
        assertThat(db.engine().email().messages(db.admin(), "other@example.com", 50, null).items()).isEmpty();
        assertThat(db.engine().email().messages(db.otherOrg().admin(), null, 50, null).items()).isEmpty();
        List<Signal> sent = signals(db, c, "email.sent");
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).recordId()).isEqualTo(c.id());
        assertThat(sent.get(0).payload().get("message_id").asText()).isEqualTo(m.headerMessageId());

        EmailMessage again = db.engine().email().send(db.admin(), new Email.SendRequest(t.id(), "Contacts", c.id(), null, "k-1"));
        assertThat(again.id()).isEqualTo(m.id());
        assertThat(db.engine().email().messages(db.admin(), null, 50, null).items()).hasSize(1);
        assertThat(signals(db, c, "email.sent")).hasSize(1);
    }

    @BothDatabases
    void opensAndClicksBecomeSignalsAndForgedOrExpiredTokensAreIgnored(TestDb db) {
        EmailTemplate t = EmailTemplatesTest.welcome(db);
        Record c = contact(db, "asha@example.com");
        EmailMessage m = db.engine().email().send(db.admin(), new Email.SendRequest(t.id(), "Contacts", c.id(), null, null));
        String open = token(m.html(), "o");
        String click = token(m.html(), "c");
        db.engine().email().opened(open);
        db.engine().email().opened(open);
        assertThat(signals(db, c, "email.opened")).extracting(s -> s.payload().get("first").asBoolean()).containsExactly(true, false);
        assertThat(db.engine().email().clicked(click)).contains("https://zylker.com/tours?a=1&b=2");
        assertThat(signals(db, c, "email.clicked")).singleElement().satisfies(s -> assertThat(s.payload().get("url").asText())
                .isEqualTo("https://zylker.com/tours?a=1&b=2"));
        assertThat(db.engine().email().message(db.admin(), m.id()).openedAt()).isNotNull();

        // Change one character inside the signature (the last one partly holds padding bits).
        char c50 = click.charAt(50);
        String forged = click.substring(0, 50) + (c50 == 'A' ? 'B' : 'A') + click.substring(51);
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Email.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged = new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            assertThat(db.engine().email().clicked(forged)).isEmpty();
        } finally {
            logger.detachAppender(logged);
        }
        assertThat(logged.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
            assertThat(e.getFormattedMessage()).contains("click").contains("forged (bad signature)");
        });
        assertThat(db.engine().email().clicked("not-a-token")).isEmpty();
        assertThat(db.engine().email().clicked(open)).as("an open token is no click token").isEmpty();
        db.engine().email().opened(forged);
        db.engine().email().opened(null);
        db.clock().advance(Duration.ofDays(366));
        assertThat(db.engine().email().message(db.admin(), m.id()).openedAt()).isNotNull();
        logger.addAppender(logged);
        try {
            db.engine().email().opened(open);
        } finally {
            logger.detachAppender(logged);
        }
        assertThat(logged.list.get(logged.list.size() - 1).getFormattedMessage()).contains("open").contains("expired");
        assertThat(db.engine().email().clicked(click)).isEmpty();
        assertThat(signals(db, c, "email.opened")).hasSize(2);
        assertThat(signals(db, c, "email.clicked")).hasSize(1);
    }

    @BothDatabases
    void anUnsubscribedAddressGetsNoMoreEmailAndTheRefusalIsASignal(TestDb db) throws Exception {
        EmailTemplate t = EmailTemplatesTest.welcome(db);
        Record c = contact(db, "Asha@Example.com");
        EmailMessage m = db.engine().email().send(db.admin(), new Email.SendRequest(t.id(), "Contacts", c.id(), null, null));
        String unsubscribe = token(m.html(), "u");
        assertThat(db.engine().email().unsubscribeAddress(unsubscribe)).contains("Asha@Example.com");
        assertThat(db.engine().email().unsubscribe(unsubscribe)).isTrue();
        assertThat(db.engine().email().unsubscribe(unsubscribe)).isTrue();
        assertThat(db.engine().email().unsubscribe("forged")).isFalse();
        assertThat(signals(db, c, "email.unsubscribed")).hasSize(1);
        assertThat(db.engine().email().unsubscribedAt(db.admin(), "asha@example.com")).isPresent();

        assertThatThrownBy(() -> db.engine().email().send(db.admin(), new Email.SendRequest(t.id(), "Contacts", c.id(), null, null)))
                .isInstanceOfSatisfying(EmailNotSentException.class, e -> {
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("Asha@Example.com unsubscribed");
                });
        ActionType sendEmail = action(db.engine(), "send_email");
        ObjectNode config = (ObjectNode) json("{'template_id': '" + t.id() + "'}");
        assertThatThrownBy(() -> sendEmail.execute(context(db, c, config, "wf-1")))
                .isInstanceOfSatisfying(ActionFailure.class, f -> {
                    assertThat(f.retryable()).isFalse();
                    assertThat(f.getMessage()).contains("unsubscribed");
                });
        assertThat(signals(db, c, "email.blocked")).hasSize(2).allSatisfy(s -> assertThat(s.payload().get("reason").asText()).contains("unsubscribed"));
        Record other = contact(db, "someone@example.com");
        assertThat(db.engine().email().send(db.admin(), new Email.SendRequest(t.id(), "Contacts", other.id(), null, null)).status()).isEqualTo("caught");

        db.engine().email().resubscribe(db.admin(), "ASHA@example.com");
        assertThat(sendEmail.execute(context(db, c, config, "wf-2")).detail().get("status").asText()).isEqualTo("caught");
    }

    @BothDatabases
    void aTransportFailureIsRetryableAndTheRetrySendsTheSameMessageOnce(TestDb db) throws Exception {
        RecordingTransport transport = new RecordingTransport();
        Waymark engine = db.store().engineBuilder(db.clock()).mailTransport(transport).build();
        EmailTemplate t = EmailTemplatesTest.welcome(db);
        Record c = contact(db, "asha@example.com");
        ActionType sendEmail = action(engine, "send_email");
        ObjectNode config = (ObjectNode) json("{'template_id': '" + t.id() + "'}");
        transport.failRetryable = true;
        assertThatThrownBy(() -> sendEmail.execute(context(db, c, config, "outbox-7")))
                .isInstanceOfSatisfying(ActionFailure.class, f -> assertThat(f.retryable()).isTrue());
        EmailMessage failed = engine.email().messages(db.admin(), null, 10, null).items().get(0);
        assertThat(failed.status()).isEqualTo("failed");
        assertThat(failed.error()).contains("server said no");
        assertThat(signals(db, c, "email.sent")).isEmpty();

        transport.failRetryable = null;
        ActionResult ok = sendEmail.execute(context(db, c, config, "outbox-7"));
        ActionResult repeat = sendEmail.execute(context(db, c, config, "outbox-7"));
        assertThat(ok.detail().get("email_id")).isEqualTo(repeat.detail().get("email_id"));
        assertThat(transport.sent).singleElement().satisfies(mail -> {
            assertThat(mail.messageId()).isEqualTo(failed.headerMessageId());
            assertThat(mail.headers()).containsEntry("X-Waymark-Idempotency-Key", "outbox-7").containsKey("List-Unsubscribe");
        });
        EmailMessage sent = engine.email().message(db.admin(), failed.id());
        assertThat(sent.status()).isEqualTo("sent");
        assertThat(sent.attempts()).isEqualTo(2);
        assertThat(signals(db, c, "email.sent")).hasSize(1);

        transport.failRetryable = false;
        assertThatThrownBy(() -> sendEmail.execute(context(db, c, config, "outbox-8")))
                .isInstanceOfSatisfying(ActionFailure.class, f -> assertThat(f.retryable()).isFalse());
    }

    @BothDatabases
    void theSendEmailConfigIsCheckedWhenSaved(TestDb db) {
        EmailTemplate t = EmailTemplatesTest.welcome(db);
        ActionType sendEmail = action(db.engine(), "send_email");
        sendEmail.validate(db.admin(), "Contacts", (ObjectNode) json("{'template_id': '" + t.id() + "', 'to': 'owner'}"));
        assertThatThrownBy(() -> sendEmail.validate(db.admin(), "Leads", (ObjectNode) json("{'template_id': '" + t.id() + "', 'to': 'Phone', 'cc': 1}")))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).extracting(FieldError::field)
                        .containsExactlyInAnyOrder("config.template_id", "config.to", "config.cc"));
        assertThatThrownBy(() -> sendEmail.validate(db.admin(), "Contacts", (ObjectNode) json("{'template_id': '" + java.util.UUID.randomUUID() + "'}")))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).extracting(FieldError::field).containsExactly("config.template_id"));
        Record noMail = db.engine().records().create(db.admin(), "Contacts", json("{'Last_Name': 'Nomail'}"));
        assertThatThrownBy(() -> sendEmail.execute(context(db, noMail, (ObjectNode) json("{'template_id': '" + t.id() + "'}"), "x")))
                .isInstanceOfSatisfying(ActionFailure.class, f -> {
                    assertThat(f.retryable()).isFalse();
                    assertThat(f.getMessage()).contains("Contacts.Email").contains("is empty");
                });
    }

    @BothDatabases
    void repliesBouncesAndAutoRepliesBecomeSignalsOnceEach(TestDb db) {
        EmailTemplate t = EmailTemplatesTest.welcome(db);
        Record c = contact(db, "asha@example.com");
        EmailMessage m = db.engine().email().send(db.admin(), new Email.SendRequest(t.id(), "Contacts", c.id(), null, null));
        InboundMail reply = new InboundMail("reply-1@mail.example.com", "asha@example.com", "Re: Welcome\u0000", db.clock().instant(),
                List.of("<" + m.headerMessageId() + ">"), List.of(), Map.of(), null, "Yes please!\u0000\n> quoted");
        db.engine().email().receive(reply);
        db.engine().email().receive(reply);
        InboundMail ooo = new InboundMail("ooo-1@mail.example.com", "asha@example.com", "Out of Office: Welcome", null,
                List.of(), List.of("<unrelated@x>", "<" + m.headerMessageId() + ">"), Map.of("auto-submitted", "auto-replied"), null, "Away");
        db.engine().email().receive(ooo);
        assertThat(signals(db, c, "email.replied")).extracting(s -> s.payload().get("auto_reply").asBoolean()).containsExactly(false, true);
        // Mail from outside may hold U+0000, which PostgreSQL stores in no text: kept, with the NUL replaced.
        assertThat(signals(db, c, "email.replied").get(0).payload().get("snippet").asText()).startsWith("Yes please!\uFFFD");
        assertThat(signals(db, c, "email.replied").get(0).payload().get("subject_line").asText()).isEqualTo("Re: Welcome\uFFFD");
        InboundMail stranger = new InboundMail("s@x", "a@b.c", "Hello", null, List.of("<nothing-we-sent@x>"), List.of(), Map.of(), null, "");
        assertThat(db.engine().email().receive(stranger)).isEmpty();

        InboundMail bounce = new InboundMail("dsn-1@mx.example.com", "MAILER-DAEMON@mx.example.com", "Undelivered Mail", null, List.of(), List.of(),
                Map.of(), new InboundMail.DeliveryReport(m.headerMessageId(), "asha@example.com", "failed", "5.1.1", "smtp; 550 no such user\u0000"), "");
        db.engine().email().receive(bounce);
        db.engine().email().receive(bounce);
        assertThat(signals(db, c, "email.bounced")).singleElement().satisfies(s -> {
            assertThat(s.payload().get("hard").asBoolean()).isTrue();
            assertThat(s.payload().get("status").asText()).isEqualTo("5.1.1");
            assertThat(s.payload().get("diagnostic").asText()).isEqualTo("smtp; 550 no such user\uFFFD");
        });
        InboundMail delayed = new InboundMail("dsn-2@mx", "MAILER-DAEMON@mx", "Delayed", null, List.of(), List.of(), Map.of(),
                new InboundMail.DeliveryReport(m.headerMessageId(), "asha@example.com", "delayed", "4.4.1", null), "");
        assertThat(db.engine().email().receive(delayed)).isEmpty();
        EmailMessage after = db.engine().email().message(db.admin(), m.id());
        assertThat(after.repliedAt()).isNotNull();
        assertThat(after.bouncedAt()).isNotNull();
        assertThat(Json.write(signals(db, c, null).stream().map(Signal::type).toList())).contains("email.sent");
    }
}

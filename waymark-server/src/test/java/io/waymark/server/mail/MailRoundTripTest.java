package io.waymark.server.mail;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.waymark.Actor;
import io.waymark.Waymark;
import io.waymark.action.ActionContext;
import io.waymark.action.ActionFailure;
import io.waymark.action.ActionType;
import io.waymark.email.Email;
import io.waymark.email.EmailMessage;
import io.waymark.email.EmailNotSentException;
import io.waymark.email.EmailTemplate;
import io.waymark.integration.IntegrationSettings;
import io.waymark.record.Record;
import io.waymark.signal.Signal;
import io.waymark.signal.SignalQuery;
import io.waymark.store.testing.BothDatabases;
import io.waymark.store.testing.TestDb;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/** Email against a real SMTP and IMAP server in-process (GreenMail): sending, replies, bounces, auto-replies, a server that is down. */
class MailRoundTripTest {
    static final String MAILBOX = "replies@zylker.test";

    static GreenMail greenMail() {
        GreenMail g = new GreenMail(ServerSetup.dynamicPort(ServerSetupTest.SMTP_IMAP));
        g.start();
        g.setUser(MAILBOX, MAILBOX, "secret");
        return g;
    }

    static Waymark engine(TestDb db, int smtpPort) {
        SmtpTransport smtp = new SmtpTransport(new SmtpTransport.Settings("127.0.0.1", smtpPort, SmtpTransport.Security.NONE, null, null,
                Duration.ofSeconds(5)));
        return db.store().engineBuilder(db.clock()).mailTransport(smtp).integrationSettings(IntegrationSettings.defaults()
                .withPublicBaseUrl(URI.create("https://crm.zylker.test")).withFrom(MAILBOX, "Zylker Travels")).build();
    }

    static ImapMailbox mailbox(GreenMail g, Email email) {
        return new ImapMailbox(new ImapMailbox.Settings("127.0.0.1", g.getImap().getPort(), false, MAILBOX, "secret", "INBOX",
                Duration.ofSeconds(5)), email);
    }

    static EmailTemplate template(TestDb db) {
        return db.engine().email().templates().create(db.admin(), json("{'name': 'Next Steps', 'module': 'Contacts', "
                + "'subject': 'Next steps for {{Contacts.First_Name}}', "
                + "'html': '<html><body><p>Dear {{Contacts.First_Name}},</p><a href=\\\"https://zylker.com/book\\\">Book</a>"
                + "<p><a href=\\\"{{Unsubscribe_URL}}\\\">Stop these emails</a></p></body></html>'}"));
    }

    static List<Signal> signals(TestDb db, Record r, String type) {
        return db.engine().signals().query(db.admin(), new SignalQuery(r.subject(), null, type, null, null, 1000, null)).signals();
    }

    static MimeMessage incoming(GreenMail g, String subject) throws Exception {
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
        m.setFrom(new InternetAddress("asha@example.com"));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress(MAILBOX));
        m.setSubject(subject);
        return m;
    }

    static void deliver(GreenMail g, MimeMessage m) throws Exception {
        m.saveChanges();
        GreenMailUser user = g.getUserManager().getUser(MAILBOX);
        user.deliver(m);
    }

    @BothDatabases
    void aTemplateGoesOutOverSmtpAndRepliesComeBackOverImapOnce(TestDb db) throws Exception {
        GreenMail g = greenMail();
        try {
            Waymark engine = engine(db, g.getSmtp().getPort());
            EmailTemplate t = template(db);
            Record c = db.engine().records().create(db.admin(), "Contacts", json("{'First_Name': 'Asha', 'Last_Name': 'Patel', 'Email': 'asha@example.com'}"));
            EmailMessage sent = engine.email().send(db.admin(), new Email.SendRequest(t.id(), "Contacts", c.id(), null, "cadence-42"));
            assertThat(sent.status()).isEqualTo("sent");
            assertThat(sent.transport()).isEqualTo("smtp");

            MimeMessage[] received = g.getReceivedMessages();
            assertThat(received).hasSize(1);
            MimeMessage out = received[0];
            assertThat(out.getMessageID()).isEqualTo("<" + sent.headerMessageId() + ">");
            assertThat(sent.headerMessageId()).endsWith("@crm.zylker.test");
            assertThat(out.getHeader("X-Waymark-Idempotency-Key", ",")).isEqualTo("cadence-42");
            assertThat(out.getHeader("List-Unsubscribe", ",")).startsWith("<https://crm.zylker.test/t/u/");
            assertThat(out.getSubject()).isEqualTo("Next steps for Asha");
            assertThat(((InternetAddress) out.getFrom()[0]).getPersonal()).isEqualTo("Zylker Travels");
            MimeMultipart alternative = (MimeMultipart) out.getContent();
            assertThat(alternative.getContentType()).startsWith("multipart/alternative");
            assertThat((String) alternative.getBodyPart(0).getContent()).contains("Dear Asha");
            String html = (String) alternative.getBodyPart(1).getContent();
            assertThat(html).contains("https://crm.zylker.test/t/c/").contains("https://crm.zylker.test/t/o/").doesNotContain("zylker.com/book")
                    .doesNotContain(">Unsubscribe</a>");

            MimeMessage reply = incoming(g, "Re: Next steps for Asha");
            reply.setHeader("In-Reply-To", "<" + sent.headerMessageId() + ">");
            reply.setHeader("References", "<" + sent.headerMessageId() + ">");
            reply.setText("Yes, let us book Bali.\n\nOn Monday you wrote:\n> Dear Asha");
            deliver(g, reply);
            MimeMessage ooo = incoming(g, "Automatic reply: Next steps for Asha");
            ooo.setHeader("In-Reply-To", "<" + sent.headerMessageId() + ">");
            ooo.setHeader("Auto-Submitted", "auto-replied");
            ooo.setText("I am away until Monday.");
            deliver(g, ooo);
            MimeMessage unrelated = incoming(g, "Hello");
            unrelated.setText("Not about anything we sent");
            deliver(g, unrelated);

            ImapMailbox mailbox = mailbox(g, engine.email());
            ImapMailbox.Result first = mailbox.poll();
            assertThat(first.read()).isEqualTo(3);
            assertThat(first.recognised()).isEqualTo(2);
            assertThat(mailbox.poll().read()).isZero();
            markAllUnread(g);
            assertThat(mailbox.poll().read()).as("read again after someone marked them unread").isEqualTo(3);

            List<Signal> replies = signals(db, c, "email.replied");
            assertThat(replies).hasSize(2);
            assertThat(replies).extracting(s -> s.payload().get("auto_reply").asBoolean()).containsExactlyInAnyOrder(false, true);
            assertThat(replies).filteredOn(s -> !s.payload().get("auto_reply").asBoolean()).singleElement()
                    .satisfies(s -> assertThat(s.payload().get("snippet").asText()).startsWith("Yes, let us book Bali."));
            assertThat(engine.email().message(db.admin(), sent.id()).repliedAt()).isNotNull();
        } finally {
            g.stop();
        }
    }

    @BothDatabases
    void aCadenceEmailIsFromItsFixedSenderElseFromTheRecordsOwner(TestDb db) throws Exception {
        GreenMail g = greenMail();
        try {
            Waymark engine = engine(db, g.getSmtp().getPort());
            EmailTemplate t = template(db);
            io.waymark.store.testing.Team team = io.waymark.store.testing.Team.of(engine, db.admin());
            Record c = engine.records().create(db.admin(), "Contacts", json("{'First_Name': 'Asha', 'Last_Name': 'Patel', 'Email': 'asha@example.com',"
                    + " 'Owner': '" + team.rep2.userId() + "'}"));
            String steps = "'follow_ups': [{'key': 'hello', 'type': 'email', 'template_id': '" + t.id() + "'}]}";
            for (String def : List.of("{'name': 'Fixed', 'module': 'Contacts', 'sender': {'type': 'user', 'user_id': '" + team.rep1.userId() + "'}, " + steps,
                    "{'name': 'Owner', 'module': 'Contacts', " + steps)) {
                java.util.UUID id = java.util.UUID.fromString(engine.cadences().create(db.admin(), json(def)).get("id").asText());
                engine.cadences().publish(db.admin(), id);
                engine.cadences().enroll(db.admin(), id, json("{'record_ids': ['" + c.id() + "']}"));
            }
            engine.runPending();
            List<String> from = new java.util.ArrayList<>();
            for (MimeMessage m : g.getReceivedMessages()) {
                InternetAddress a = (InternetAddress) m.getFrom()[0];
                from.add(a.getPersonal() + " <" + a.getAddress() + ">");
                assertThat(((InternetAddress) m.getReplyTo()[0]).getAddress()).as("replies reach the mailbox Waymark reads").isEqualTo(MAILBOX);
            }
            assertThat(from).containsExactlyInAnyOrder("rep1 <rep1@example.com>", "rep2 <rep2@example.com>");
        } finally {
            g.stop();
        }
    }

    @BothDatabases
    void aDeliveryStatusNotificationBecomesABounce(TestDb db) throws Exception {
        GreenMail g = greenMail();
        try {
            Waymark engine = engine(db, g.getSmtp().getPort());
            EmailTemplate t = template(db);
            Record c = db.engine().records().create(db.admin(), "Contacts", json("{'Last_Name': 'Gone', 'Email': 'gone@example.com'}"));
            EmailMessage sent = engine.email().send(db.admin(), new Email.SendRequest(t.id(), "Contacts", c.id(), null, null));

            MimeMessage dsn = incoming(g, "Undelivered Mail Returned to Sender");
            dsn.setFrom(new InternetAddress("MAILER-DAEMON@mx.example.com"));
            MimeMultipart report = new MimeMultipart("report; report-type=delivery-status");
            MimeBodyPart human = new MimeBodyPart();
            human.setText("Your message could not be delivered to gone@example.com.");
            MimeBodyPart status = new MimeBodyPart();
            status.setContent("Reporting-MTA: dns; mx.example.com\r\nArrival-Date: Mon, 5 Jan 2026 09:00:00 +0000\r\n\r\n"
                    + "Final-Recipient: rfc822; gone@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
                    + "Diagnostic-Code: smtp; 550 5.1.1 <gone@example.com>: Recipient address rejected\r\n", "message/delivery-status");
            MimeBodyPart headers = new MimeBodyPart();
            headers.setContent("Message-ID: <" + sent.headerMessageId() + ">\r\nFrom: " + MAILBOX + "\r\nTo: gone@example.com\r\nSubject: Next steps\r\n",
                    "text/rfc822-headers");
            report.addBodyPart(human);
            report.addBodyPart(status);
            report.addBodyPart(headers);
            dsn.setContent(report);
            deliver(g, dsn);

            String broken = "From: someone@example.com\r\nTo: " + MAILBOX + "\r\nSubject: broken\r\nMessage-ID: <broken-1@example.com>\r\n"
                    + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\nno boundary, so no parts\r\n";
            g.getUserManager().getUser(MAILBOX).deliver(new MimeMessage(Session.getInstance(new Properties()),
                    new java.io.ByteArrayInputStream(broken.getBytes(java.nio.charset.StandardCharsets.US_ASCII))));

            ImapMailbox mailbox = mailbox(g, engine.email());
            ImapMailbox.Result first = mailbox.poll();
            assertThat(first.recognised()).isEqualTo(1);
            assertThat(first.failed()).as("the unreadable message").isEqualTo(1);
            assertThat(mailbox.poll()).as("a failed message stays unread and is tried again; the bounce is not")
                    .isEqualTo(new ImapMailbox.Result(1, 0, 1));
            markAllUnread(g);
            mailbox.poll();
            assertThat(signals(db, c, "email.bounced")).singleElement().satisfies(s -> {
                assertThat(s.payload().get("recipient").asText()).isEqualTo("gone@example.com");
                assertThat(s.payload().get("status").asText()).isEqualTo("5.1.1");
                assertThat(s.payload().get("hard").asBoolean()).isTrue();
                assertThat(s.payload().get("diagnostic").asText()).contains("Recipient address rejected");
            });
        } finally {
            g.stop();
        }
    }

    @BothDatabases
    void theSmtpLoginIsUsedAndARefusedLoginIsRetryable(TestDb db) throws Exception {
        GreenMail g = greenMail();
        try {
            EmailTemplate t = template(db);
            Record c = db.engine().records().create(db.admin(), "Contacts", json("{'Last_Name': 'Patel', 'Email': 'asha@example.com'}"));
            Waymark wrong = db.store().engineBuilder(db.clock()).mailTransport(new SmtpTransport(new SmtpTransport.Settings("127.0.0.1",
                    g.getSmtp().getPort(), SmtpTransport.Security.NONE, MAILBOX, "wrong-password", Duration.ofSeconds(5)))).build();
            assertThatThrownBy(() -> wrong.email().send(db.admin(), new Email.SendRequest(t.id(), "Contacts", c.id(), null, "login-1")))
                    .isInstanceOfSatisfying(EmailNotSentException.class, e -> {
                        assertThat(e.retryable()).isTrue();
                        assertThat(e.getMessage()).contains("login");
                    });
            Waymark right = db.store().engineBuilder(db.clock()).mailTransport(new SmtpTransport(new SmtpTransport.Settings("127.0.0.1",
                    g.getSmtp().getPort(), SmtpTransport.Security.NONE, MAILBOX, "secret", Duration.ofSeconds(5)))).build();
            assertThat(right.email().send(db.admin(), new Email.SendRequest(t.id(), "Contacts", c.id(), null, "login-1")).status()).isEqualTo("sent");
            assertThat(g.getReceivedMessages()).hasSize(1);
        } finally {
            g.stop();
        }
    }

    @BothDatabases
    void anSmtpServerThatIsDownIsARetryableFailure(TestDb db) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Waymark engine = engine(db, closedPort);
        EmailTemplate t = template(db);
        Record c = db.engine().records().create(db.admin(), "Contacts", json("{'Last_Name': 'Patel', 'Email': 'asha@example.com'}"));
        assertThatThrownBy(() -> engine.email().send(db.admin(), new Email.SendRequest(t.id(), "Contacts", c.id(), null, "k-down")))
                .isInstanceOfSatisfying(EmailNotSentException.class, e -> {
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.getMessage()).contains("not reachable");
                });
        ActionType sendEmail = engine.integrationActions().stream().filter(a -> a.name().equals("send_email")).findFirst().orElseThrow();
        ActionContext ctx = new ActionContext(Actor.system(db.admin().orgId()), "Contacts", c.id(),
                (ObjectNode) json("{'template_id': '" + t.id() + "'}"), "k-down", 2, db.clock().instant());
        assertThatThrownBy(() -> sendEmail.execute(ctx)).isInstanceOfSatisfying(ActionFailure.class, f -> assertThat(f.retryable()).isTrue());
        EmailMessage m = engine.email().messages(db.admin(), null, 10, null).items().get(0);
        assertThat(m.status()).isEqualTo("failed");
        assertThat(m.attempts()).isEqualTo(2);
        assertThat(signals(db, c, "email.sent")).isEmpty();
    }

    private static void markAllUnread(GreenMail g) throws Exception {
        Properties p = new Properties();
        try (Store store = Session.getInstance(p).getStore("imap")) {
            store.connect("127.0.0.1", g.getImap().getPort(), MAILBOX, "secret");
            Folder f = store.getFolder("INBOX");
            f.open(Folder.READ_WRITE);
            for (Message m : f.getMessages()) {
                m.setFlag(Flags.Flag.SEEN, false);
            }
            f.close(false);
        }
    }
}

package io.waymark.server;

import static io.waymark.store.testing.TestDb.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.waymark.Actor;
import io.waymark.Waymark;
import io.waymark.clock.SettableClock;
import io.waymark.integration.IntegrationSettings;
import io.waymark.server.mail.ImapMailbox;
import io.waymark.server.mail.SmtpTransport;
import io.waymark.server.testing.Api;
import io.waymark.server.testing.BothServers;
import io.waymark.server.testing.ServerInvocations;
import io.waymark.store.JdbcStore;
import io.waymark.store.testing.TestDb;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DESIGN.md §6 end to end, over HTTP, on a server whose email goes out over SMTP and whose
 * replies come back over IMAP (GreenMail in-process), with the settable clock: what the
 * salesperson, the sales manager, the support agent and the customer see at each step.
 */
class ZylkerStoryTest {
    private static final String MAILBOX = "replies@zylker.test";
    private static final String ASHA = "asha@example.com";

    /** A server of its own on the test database, wired to GreenMail, with the story's definitions and team. */
    private static final class Story implements AutoCloseable {
        final GreenMail mail;
        final SettableClock clock = new SettableClock(TestDb.START);
        final Waymark engine;
        final WaymarkServer server;
        final Api admin;
        final Api manager;
        final Api rep;
        final Api support;
        final ZylkerTravels.Definitions d;

        Story(Api shared) {
            mail = new GreenMail(ServerSetup.dynamicPort(ServerSetupTest.SMTP_IMAP));
            mail.start();
            mail.setUser(MAILBOX, MAILBOX, "secret");
            JdbcStore store = shared.running().store();
            engine = store.engineBuilder(clock)
                    .mailTransport(new SmtpTransport(new SmtpTransport.Settings("127.0.0.1", mail.getSmtp().getPort(), SmtpTransport.Security.NONE,
                            null, null, Duration.ofSeconds(5))))
                    .integrationSettings(IntegrationSettings.defaults().withPublicBaseUrl(URI.create("https://crm.zylker.test"))
                            .withFrom(MAILBOX, "Zylker Travels"))
                    .build();
            ImapMailbox mailbox = new ImapMailbox(new ImapMailbox.Settings("127.0.0.1", mail.getImap().getPort(), false, MAILBOX, "secret", "INBOX",
                    Duration.ofSeconds(5)), engine.email());
            server = new WaymarkServer(store, engine, ServerConfig.ofPort(0)
                    .withRateLimit(new ServerConfig.RateLimit(1_000_000, Duration.ofMinutes(1))), mailbox).start();
            admin = Api.on(shared.kind(), new ServerInvocations.Running(store, engine, clock, server));
            d = ZylkerTravels.define(engine, admin.admin());
            manager = as(d.manager());
            rep = as(d.rep1());
            support = as(d.support());
        }

        Api as(Actor user) {
            return admin.withToken(engine.users().createToken(user, json("{'name': 'story'}")).secret());
        }

        void run() {
            engine.runPending();
        }

        /** The subjects of the emails that reached {@code to}, in the order they arrived. */
        List<String> inbox(String to) throws Exception {
            List<String> out = new ArrayList<>();
            for (MimeMessage m : received(to)) {
                out.add(m.getSubject());
            }
            return out;
        }

        List<MimeMessage> received(String to) throws Exception {
            List<MimeMessage> out = new ArrayList<>();
            for (MimeMessage m : mail.getReceivedMessages()) {
                for (var r : m.getAllRecipients()) {
                    if (((InternetAddress) r).getAddress().equalsIgnoreCase(to)) {
                        out.add(m);
                    }
                }
            }
            return out;
        }

        MimeMessage email(String to, String subjectStart) throws Exception {
            for (MimeMessage m : received(to)) {
                if (m.getSubject().startsWith(subjectStart)) {
                    return m;
                }
            }
            throw new AssertionError("no email '" + subjectStart + "…' to " + to + " in " + inbox(to));
        }

        /** The customer answers one of our emails; Waymark reads the reply mailbox. */
        void reply(MimeMessage to, String subject, String text) throws Exception {
            MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
            m.setFrom(new InternetAddress(ASHA));
            m.setRecipient(Message.RecipientType.TO, new InternetAddress(MAILBOX));
            m.setSubject(subject);
            m.setText(text);
            m.setHeader("In-Reply-To", to.getMessageID());
            m.setHeader("References", to.getMessageID());
            m.setSentDate(java.util.Date.from(clock.instant()));
            m.saveChanges();
            mail.getUserManager().getUser(MAILBOX).deliver(m);
            ok(admin.post("/api/v1/email/mailbox/poll", null));
            run();
        }

        @Override
        public void close() {
            try {
                server.stop();
            } finally {
                mail.stop();
            }
        }
    }

    private static JsonNode ok(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isBetween(200, 299);
        return r.json();
    }

    private static String html(MimeMessage m) throws Exception {
        Object content = m.getContent();
        if (content instanceof Multipart mp) {
            for (int i = 0; i < mp.getCount(); i++) {
                BodyPart p = mp.getBodyPart(i);
                if (p.isMimeType("text/html")) {
                    return (String) p.getContent();
                }
            }
        }
        return content.toString();
    }

    private static String token(String html, String kind) {
        Matcher m = Pattern.compile("https://crm\\.zylker\\.test/t/" + kind + "/([A-Za-z0-9_-]+)").matcher(html);
        assertThat(m.find()).as("a /t/" + kind + "/ link").isTrue();
        return m.group(1);
    }

    private static JsonNode transition(JsonNode view, String name) {
        for (JsonNode t : view.get("transitions")) {
            if (t.get("name").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no transition " + name + " in " + view);
    }

    private static JsonNode component(JsonNode run, String name) {
        for (JsonNode c : run.get("element").get("components")) {
            if (name.equals(c.path("name").asText(null))) {
                return c;
            }
        }
        throw new AssertionError("no component " + name + " in " + run);
    }

    private static JsonNode instance(Api api, String subject) {
        JsonNode list = ok(api.get("/api/v1/journeys/instances?subject=" + subject)).get("data");
        assertThat(list).hasSize(1);
        return ok(api.get("/api/v1/journeys/instances/" + list.get(0).get("id").asText()));
    }

    private static List<String> jobs(Api api, String kind, String field) {
        List<String> out = new ArrayList<>();
        ok(api.get("/api/v1/my-jobs" + (kind == null ? "" : "?kind=" + kind))).get("data").forEach(j -> out.add(j.path(field).asText()));
        return out;
    }

    @BothServers
    void zylkerTravelsFromTheWizardToPathFinder(Api shared) throws Exception {
        try (Story s = new Story(shared)) {
            Api admin = s.admin;

            // 1. Ravi, a salesperson, adds Asha through the two-screen wizard.
            JsonNode run = ok(s.rep.post("/api/v1/wizards/" + s.d.wizard() + "/runs", "{}"));
            assertThat(run.get("screen").get("title").asText()).isEqualTo("Contact details");
            String runId = run.get("id").asText();
            run = ok(s.rep.post("/api/v1/wizard-runs/" + runId + "/submit", "{'button': 'next', 'values': {'First_Name': 'Asha', 'Last_Name': 'Patel',"
                    + " 'Email': '" + ASHA + "', 'Company': 'Patel Family'}}"));
            assertThat(run.get("screen").get("title").asText()).isEqualTo("Travel interests");
            JsonNode saved = ok(s.rep.post("/api/v1/wizard-runs/" + runId + "/submit", "{'button': 'save', 'values': {'Destination': 'Bali',"
                    + " 'Travel_Month': 'February', 'Budget': 4200, 'Lead_Source': 'Web Form'}}"));
            assertThat(saved.get("status").asText()).isEqualTo("saved");
            String lead = saved.get("record").get("id").asText();
            assertThat(saved.get("record").get("owner").toString()).contains(s.d.rep1().userId().toString());
            String subject = ok(s.rep.get("/api/v1/records/Leads/" + lead)).get("subject").asText();

            // 2. Ravi calls her and gets no answer: he marks the lead "Attempted to Contact", and the "Next Steps"
            //    cadence takes her automatically (its enrollment criteria).
            s.run();
            assertThat(ok(admin.get("/api/v1/cadences/" + s.d.cadence() + "/enrollments")).get("data")).isEmpty();
            ok(s.rep.patch("/api/v1/records/Leads/" + lead, "{'Lead_Status': 'Attempted to Contact'}"));
            s.run();
            JsonNode enrollments = ok(admin.get("/api/v1/cadences/" + s.d.cadence() + "/enrollments?status=active")).get("data");
            assertThat(enrollments).hasSize(1);
            assertThat(enrollments.get(0).get("record_id").asText()).isEqualTo(lead);
            String enrollment = enrollments.get(0).get("id").asText();
            assertThat(s.inbox(ASHA)).containsExactly("Welcome to Zylker Travels, Asha");
            MimeMessage welcome = s.email(ASHA, "Welcome");
            // From her salesperson (the cadence's sender is the record owner); her reply goes to the organisation's mailbox.
            assertThat(((InternetAddress) welcome.getFrom()[0]).getPersonal()).isEqualTo("Ravi Rao");
            assertThat(((InternetAddress) welcome.getReplyTo()[0]).getAddress()).isEqualTo(MAILBOX);
            assertThat(html(welcome)).contains("Ravi Rao");
            // Three hours later she opens it: the destination survey goes out at once.
            s.clock.advance(Duration.ofHours(3));
            assertThat(IntegrationsApiTest.form(admin, "GET", "/t/o/" + token(html(welcome), "o"), null).statusCode()).isEqualTo(200);
            s.run();
            assertThat(s.inbox(ASHA)).containsExactly("Welcome to Zylker Travels, Asha", "Where would you like to go, Asha?");
            // Opened, no reply for two days: Next Steps (Wednesday 09:00), and no call yet.
            s.clock.set(Instant.parse("2026-01-07T09:00:00Z"));
            s.run();
            assertThat(s.inbox(ASHA)).containsExactly("Welcome to Zylker Travels, Asha", "Where would you like to go, Asha?",
                    "Next steps for your trip, Asha");
            // She answers Next Steps: the cadence's goal.
            s.clock.advance(Duration.ofHours(2));
            s.reply(s.email(ASHA, "Next steps"), "Re: Next steps for your trip, Asha", "Yes! Bali in February, two of us.");
            JsonNode e = ok(admin.get("/api/v1/cadences/enrollments/" + enrollment));
            assertThat(e.get("status").asText()).isEqualTo("ended");
            assertThat(e.get("reason").asText()).isEqualTo("goal_reached");
            assertThat(e.get("follow_ups").get("call").get("status").asText()).isNotEqualTo("sent");
            JsonNode cadence = ok(admin.get("/api/v1/cadences/" + s.d.cadence() + "/analytics"));
            assertThat(cadence.get("ended").get("goal_reached").asInt()).isEqualTo(1);

            // 3. The reply starts her journey: converted to a contact, a trip made for her.
            JsonNode journey = instance(admin, subject);
            assertThat(journey.get("state").asText()).isEqualTo("trip_planned");
            assertThat(journey.get("path")).extracting(n -> n.get("kind").asText() + ":" + n.get("to").asText())
                    .containsExactly("entered:engaged", "followed:engaged", "transition:contact", "transition:trip_planned");
            String trip = journey.get("record_id").asText();
            JsonNode tripRecord = ok(s.rep.get("/api/v1/records/Trips/" + trip));
            assertThat(tripRecord.get("Trip_Name").asText()).isEqualTo("Trip for Asha Patel");
            assertThat(tripRecord.get("Status").asText()).isEqualTo("Documents Pending");
            assertThat(tripRecord.get("Traveller_Email").asText()).isEqualTo(ASHA);
            String contact = tripRecord.get("Contact_Name").isObject() ? tripRecord.get("Contact_Name").get("id").asText()
                    : tripRecord.get("Contact_Name").asText();
            JsonNode contactRecord = ok(s.rep.get("/api/v1/records/Contacts/" + contact));
            assertThat(contactRecord.get("Email").asText()).isEqualTo(ASHA);
            assertThat(contactRecord.get("subject").asText()).isEqualTo(subject);

            // 4. The trip is in Trip Management: Ravi collects the documents.
            String tripPath = "/api/v1/records/Trips/" + trip;
            JsonNode view = ok(s.rep.get(tripPath + "/blueprint"));
            assertThat(view.get("blueprint").get("name").asText()).isEqualTo("Trip Management");
            assertThat(view.get("state").asText()).isEqualTo("Documents Pending");
            assertThat(transition(view, "Collect documents").get("available").asBoolean()).isTrue();
            assertThat(transition(view, "Cancel").get("available").asBoolean()).as("the manager's").isFalse();
            assertThat(jobs(s.rep, "blueprint_transition", "transition")).contains("Collect documents");
            assertThat(s.rep.patch(tripPath, "{'Status': 'Completed'}").status()).as("the state changes only by a transition").isEqualTo(409);
            ok(s.rep.post(tripPath + "/blueprint/transitions/Collect%20documents",
                    "{'fields': {'Passport_Number': 'Z1234567', 'Travellers': 2}, 'checklist': ['Passport copy', 'Visa']}"));
            // A 15% discount needs Maya, the sales manager: the trip is locked until she answers.
            ok(s.rep.patch(tripPath, "{'Discount': 15}"));
            assertThat(jobs(s.manager, "approval", "process")).containsExactly("Discount over 12%");
            String request = ok(s.manager.get("/api/v1/my-jobs?kind=approval")).get("data").get(0).get("request_id").asText();
            assertThat(jobs(s.rep, "approval", "process")).isEmpty();
            assertThat(s.rep.post(tripPath + "/blueprint/transitions/Arrange%20logistics",
                    "{'fields': {'Hotel': 'Ubud Villas', 'Flight': 'ZT101'}}").status()).isEqualTo(409);
            assertThat(s.rep.post("/api/v1/approvals/" + request + "/approve", "{}").status()).isEqualTo(403);
            ok(s.manager.post("/api/v1/approvals/" + request + "/approve", "{'comment': 'Honeymoon, fine'}"));
            s.run();
            assertThat(jobs(s.manager, "approval", "process")).isEmpty();
            assertThat(ok(admin.get("/api/v1/signals?type=trip.discount_approved&record_id=" + trip)).get("data")).hasSize(1);
            ok(s.rep.post(tripPath + "/blueprint/transitions/Arrange%20logistics", "{'fields': {'Hotel': 'Ubud Villas', 'Flight': 'ZT101'}}"));
            ok(s.rep.post(tripPath + "/blueprint/transitions/Confirm", "{'fields': {'Start_Date': '2026-02-01', 'End_Date': '2026-02-10'}}"));
            s.run();
            assertThat(jobs(s.rep, "task", "subject")).contains("Send the travel documents for Trip for Asha Patel");

            // 3 (any point). She emails about a problem: a Case is raised, and her journey stays where it is.
            s.clock.set(Instant.parse("2026-01-20T10:00:00Z"));
            s.reply(s.email(ASHA, "Welcome"), "A problem with my visa", "The embassy moved my appointment. Can you help?");
            assertThat(instance(admin, subject).get("state").asText()).isEqualTo("trip_planned");

            // 5. The case follows Case handling: Sam, the support agent, sees it, holds it, resolves it.
            JsonNode cases = ok(s.support.get("/api/v1/records/Cases?criteria=(Trip:equals:" + trip + ")")).get("data");
            assertThat(cases).hasSize(1);
            String kase = cases.get(0).get("id").asText();
            assertThat(cases.get(0).get("Priority").asText()).isEqualTo("High");
            String casePath = "/api/v1/records/Cases/" + kase;
            assertThat(ok(s.support.get(casePath + "/blueprint")).get("state").asText()).isEqualTo("New");
            s.clock.advance(Duration.ofHours(5));
            s.run();
            assertThat(jobs(s.rep, "task", "subject")).as("the SLA task, for the case owner").contains("Case waiting: Problem reported by email");
            assertThat(s.rep.post(casePath + "/blueprint/transitions/Hold", "{'note': 'x'}").status()).as("support only").isEqualTo(403);
            ok(s.support.post(casePath + "/blueprint/transitions/Hold", "{'note': 'Waiting for the embassy'}"));
            s.clock.advance(Duration.ofDays(1));
            ok(s.support.post(casePath + "/blueprint/transitions/Resolve", "{'fields': {'Description': 'New appointment on 25 January'},"
                    + " 'checklist': ['Customer informed']}"));
            s.run();
            assertThat(ok(s.support.get(casePath)).get("Status").asText()).isEqualTo("Closed");
            assertThat(ok(admin.get("/api/v1/signals?type=case.resolved&record_id=" + kase)).get("data")).hasSize(1);

            // 4. Back from Bali, the trip is completed: it leaves the blueprint, the journey asks for feedback.
            s.clock.set(Instant.parse("2026-02-11T10:00:00Z"));
            ok(s.rep.post(tripPath + "/blueprint/transitions/Complete", "{'note': 'Back home safely'}"));
            s.run();
            assertThat(ok(s.rep.get(tripPath)).get("Status").asText()).isEqualTo("Completed");
            assertThat(ok(s.rep.get(tripPath + "/blueprint")).get("transitions")).isEmpty();
            assertThat(instance(admin, subject).get("state").asText()).isEqualTo("feedback");
            assertThat(s.inbox(ASHA)).endsWith("How was Trip for Asha Patel?");
            // Two days later she rates it 9: advocacy.
            s.clock.advance(Duration.ofDays(2));
            ok(admin.post("/api/v1/signals", "{'type': 'survey.responded', 'subject': '" + subject + "', 'payload': {'survey': 'Trip feedback', 'score': 9}}"));
            s.run();
            JsonNode done = instance(admin, subject);
            assertThat(done.get("state").asText()).isEqualTo("advocate");
            assertThat(done.get("status").asText()).isEqualTo("succeeded");
            assertThat(s.inbox(ASHA)).endsWith("How was Trip for Asha Patel?", "Share the journey: a gift for you and a friend");

            // 6. Three months later she calls: Ravi opens the trip desk from her contact and changes it all in one console.
            s.clock.set(Instant.parse("2026-05-13T11:00:00Z"));
            JsonNode k = ok(s.rep.post("/api/v1/kiosks/" + s.d.kiosk() + "/runs", "{'record_id': '" + contact + "'}"));
            String kioskRun = k.get("id").asText();
            assertThat(k.get("element").get("title").asText()).isEqualTo("Trips of Asha");
            assertThat(component(k, "trip").get("records")).extracting(t -> t.get("id").asText()).containsExactly(trip);
            JsonNode deals = component(k, "deal").get("records");
            assertThat(deals).hasSize(1);
            String deal = deals.get(0).get("id").asText();
            String account = component(k, "account").get("record").get("id").asText();
            k = ok(s.rep.post("/api/v1/kiosk-runs/" + kioskRun + "/submit", "{'button': 'next', 'inputs': {'trip': '" + trip + "', 'deal': '" + deal + "'}}"));
            assertThat(component(k, "start").get("value").asText()).isEqualTo("2026-02-01");
            k = ok(s.rep.post("/api/v1/kiosk-runs/" + kioskRun + "/submit", "{'button': 'save', 'inputs': {'start': '2026-09-05', 'end': '2026-09-15',"
                    + " 'co_travellers': 'Arjun Patel', 'phone': '+91 98450 12345', 'account_phone': '+91 80 4000 1234'}}"));
            assertThat(k.get("status").asText()).isEqualTo("completed");
            assertThat(k.get("element").get("message").asText()).isEqualTo("Trip for Asha Patel now runs 2026-09-05 to 2026-09-15");
            JsonNode t = ok(s.rep.get(tripPath));
            assertThat(t.get("Start_Date").asText()).isEqualTo("2026-09-05");
            assertThat(t.get("End_Date").asText()).isEqualTo("2026-09-15");
            assertThat(t.get("Co_Travellers").asText()).isEqualTo("Arjun Patel");
            assertThat(ok(s.rep.get("/api/v1/records/Deals/" + deal)).get("Closing_Date").asText()).isEqualTo("2026-09-05");
            assertThat(ok(s.rep.get("/api/v1/records/Contacts/" + contact)).get("Phone").asText()).isEqualTo("+91 98450 12345");
            assertThat(ok(s.rep.get("/api/v1/records/Accounts/" + account)).get("Phone").asText()).isEqualTo("+91 80 4000 1234");
            s.run();
            assertThat(s.inbox(ASHA)).endsWith("Your trip has new dates, Asha");

            // 7. Path Finder: how customers like her moved, and where others dropped off.
            String other = ok(s.rep.post("/api/v1/records/Leads", "{'First_Name': 'Omar', 'Last_Name': 'Haddad', 'Email': 'omar@example.com'}"))
                    .get("subject").asText();
            ok(admin.post("/api/v1/signals", "[{'type': 'web.visit', 'subject': '" + subject + "', 'occurred_at': '2026-01-04T18:00:00Z',"
                    + " 'payload': {'page': '/destinations/bali'}},"
                    + " {'type': 'booking_site.visit', 'subject': '" + subject + "', 'occurred_at': '2026-01-04T19:00:00Z', 'payload': {'site': 'Booking.com'}},"
                    + " {'type': 'web.visit', 'subject': '" + other + "', 'payload': {'page': '/destinations/bali'}},"
                    + " {'type': 'chat.missed', 'subject': '" + other + "'}]"));
            JsonNode map = ok(admin.post("/api/v1/pathfinder/live/map", "{'goal': {'module': 'Trips', 'field': 'Status', 'value': 'Completed'}}"));
            assertThat(map.get("cases").asInt()).isEqualTo(2);
            List<String> activities = new ArrayList<>();
            map.get("map_activities").forEach(a -> activities.add(a.get("name").asText()));
            assertThat(activities).contains("Website: /destinations/bali", "Booking site: Booking.com", "Email opened", "Email replied", "Chat missed");
            assertThat(map.get("conversion").get("converted").asInt()).isEqualTo(1);
            assertThat(map.get("conversion").get("drop_offs").get(0).get("activity").asText()).isEqualTo("Chat missed");

            // 7. Journey analytics: where customers are and how long they stay.
            JsonNode an = ok(admin.get("/api/v1/journeys/" + s.d.journey() + "/analytics"));
            assertThat(an.get("started").asInt()).isEqualTo(1);
            assertThat(an.at("/ends/advocate/count").asInt()).isEqualTo(1);
            JsonNode planned = JourneysApiTest.state(an, "trip_planned");
            assertThat(planned.get("entered").asInt()).isEqualTo(1);
            // From the reply (7 January, 11:00) to the completion (11 February, 10:00).
            assertThat(planned.at("/time_in_state_seconds/median").asDouble()).isEqualTo(Duration.ofDays(35).minusHours(1).toSeconds());
            assertThat(an.get("actions")).anySatisfy(x -> {
                assertThat(x.get("type").asText()).isEqualTo("create_record");
                assertThat(x.get("key").asText()).isEqualTo("trip_planned.problem_reply:0");
                assertThat(x.get("succeeded").asInt()).isEqualTo(1);
            });
        }
    }
}

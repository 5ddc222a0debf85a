package io.waymark.server;

import static io.waymark.server.ZylkerTravels.j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Waymark;
import io.waymark.criteria.CompactCriteria;
import io.waymark.email.EmailMessage;
import io.waymark.email.InboundMail;
import io.waymark.json.Json;
import io.waymark.record.Record;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Months of Zylker Travels history, played through the engine's public API with the clock moved
 * forward: customers arrive (leads created by the salespeople), visit the website, booking and
 * review sites and chat; some are enrolled in the "Next Steps" cadence, open its emails and reply,
 * which starts their journey; the salespeople then work their trips through the Trip Management
 * blueprint, the sales manager answers discount approvals, customers answer the feedback survey or
 * email a problem that the support desk handles. Nothing is written behind the engine's back: the
 * cadence, journey, blueprint and approval figures are what their state machines made of it.
 *
 * <p>Every customer's behaviour comes from a {@link Random} seeded by the demo seed and the
 * customer's number, and events run in time order, so the same seed and count give the same history.
 */
final class ZylkerHistory {
    private static final Logger log = LoggerFactory.getLogger(ZylkerHistory.class);
    private static final Duration BLOCK = Duration.ofHours(8);
    private static final Pattern OPEN = Pattern.compile("/t/o/([A-Za-z0-9_-]+)");
    private static final String[] FIRST = {"Aarav", "Priya", "Liam", "Olivia", "Noah", "Emma", "Mateo", "Sofia", "Kenji", "Yuki",
        "Lucas", "Amara", "Elena", "Omar", "Fatima", "Hugo", "Chloe", "Ravi", "Ananya", "Jonas", "Ingrid", "Diego", "Lucia",
        "Wei", "Mei", "Samuel", "Grace", "Tariq", "Leila", "Nikolai"};
    private static final String[] LAST = {"Patel", "Sharma", "Smith", "Johnson", "Garcia", "Martinez", "Tanaka", "Sato",
        "Schmidt", "Rossi", "Bianchi", "Dubois", "Martin", "Okafor", "Mensah", "Kowalski", "Nowak", "Silva",
        "Santos", "Chen", "Wang", "Kim", "Park", "Haddad", "Nguyen", "Andersson", "Larsen", "Murphy"};
    private static final String[] COMPANY = {"Blue Harbor", "Summit Labs", "Golden Works", "Coastal Group", "Evergreen Studios",
        "Atlas Partners", "Orchid Hotels", "Maple Traders", "Horizon Systems", "Lotus Logistics", "Falcon Holdings", "Meridian Labs"};
    private static final String[] DESTINATIONS = {"Bali", "Kyoto", "Santorini", "Reykjavik", "Machu Picchu", "Cape Town", "Maldives", "Lapland"};
    private static final String[] PAGES = {"/destinations", "/destinations/bali", "/destinations/kyoto", "/offers/summer",
        "/offers/honeymoon", "/visa-help", "/pricing", "/contact"};
    private static final String[] BOOKING_SITES = {"Booking.com", "Expedia", "Agoda"};
    private static final String[] REVIEW_SITES = {"TripAdvisor", "Google"};
    private static final String[] SOURCES = {"Web Form", "Chat", "Advertisement", "Employee Referral", "Partner", "Trade Show"};

    /** What the history made. */
    record Summary(int customers, int signals, int enrolled, int replies, int trips, int steps, int skipped) {
    }

    private enum Step { ARRIVE, TOUCH, ENROLL, OPEN, REPLY, DOCUMENTS, DISCOUNT, DECIDE, LOGISTICS, CONFIRM, COMPLETE, CANCEL, SURVEY,
        PROBLEM, CASE_HOLD, CASE_RESOLVE }

    private record Event(Instant at, long seq, int customer, Step step, ObjectNode touch) {
    }

    /** One customer's hidden intentions and what the engine gave back (ids). */
    private static final class Customer {
        final int n;
        final Random r;
        final Actor owner;
        UUID lead;
        String subject;
        String email;
        UUID trip;
        UUID caseId;
        boolean missedChat;
        boolean readReviews;
        int tries;

        Customer(int n, long seed, Actor owner) {
            this.n = n;
            this.r = new Random(seed * 1_000_003L + n);
            this.owner = owner;
        }
    }

    private final Waymark e;
    private final ZylkerTravels.Definitions d;
    private final Demo.TimeMachine time;
    private final Instant end;
    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.at.equals(b.at) ? Long.compare(a.seq, b.seq) : a.at.compareTo(b.at));
    private final List<Customer> customers = new ArrayList<>();
    private long seq;
    private int signals;
    private int enrolled;
    private int replies;
    private int trips;
    private int steps;
    private int skipped;
    private int catchUps;
    private long catchUpNanos;

    private ZylkerHistory(Waymark e, ZylkerTravels.Definitions d, Demo.TimeMachine time, Instant end) {
        this.e = e;
        this.d = d;
        this.time = time;
        this.end = end;
    }

    /**
     * Plays {@code count} customers arriving over the {@code days} before {@code end}; leaves the
     * clock at {@code end} with everything due by then processed.
     */
    static Summary play(Waymark e, ZylkerTravels.Definitions d, Demo.TimeMachine time, Instant end, int days, int count, long seed) {
        ZylkerHistory h = new ZylkerHistory(e, d, time, end);
        Instant start = end.minus(days, ChronoUnit.DAYS).truncatedTo(ChronoUnit.HOURS);
        long span = Duration.between(start, end.minus(2, ChronoUnit.DAYS)).toMinutes();
        for (int i = 0; i < count; i++) {
            Customer c = new Customer(i, seed, i % 2 == 0 ? d.rep1() : d.rep2());
            h.customers.add(c);
            // Arrivals thicken towards the present: the business is growing.
            double u = Math.sqrt(c.r.nextDouble());
            h.at(start.plus((long) (u * span), ChronoUnit.MINUTES), c, Step.ARRIVE);
        }
        long t = System.nanoTime();
        h.run(start);
        log.info("Demo history: {} engine catch-ups took {} ms of {} ms", h.catchUps, h.catchUpNanos / 1_000_000, (System.nanoTime() - t) / 1_000_000);
        return new Summary(count, h.signals, h.enrolled, h.replies, h.trips, h.steps, h.skipped);
    }

    /** Plans a step; one that would fall after the present does not happen (yet): the history stops at the present. */
    private void at(Instant when, Customer c, Step step) {
        if (when.isBefore(end)) {
            queue.add(new Event(when, seq++, c.n, step, null));
        }
    }

    private void touch(Instant when, Customer c, String type, ObjectNode payload) {
        if (when.isBefore(end)) {
            ObjectNode s = Json.object();
            s.put("type", type);
            s.put("occurred_at", when.truncatedTo(ChronoUnit.SECONDS).toString());
            s.set("payload", payload);
            queue.add(new Event(when, seq++, c.n, Step.TOUCH, s));
        }
    }

    /**
     * Block by block (a few hours): let the engine catch up (signals, timers, outbox) when something
     * happened in the block before, or at least twice a day for timers, then play the block's events
     * in order. A catch-up costs tens of milliseconds even when idle, so it is not done every hour;
     * the automations' reactions land at the next catch-up, hours at most after their cause.
     */
    private void run(Instant start) {
        Instant block = start;
        boolean dirty = false;
        int idle = 0;
        while (true) {
            Instant next = block.plus(BLOCK);
            boolean busy = !queue.isEmpty() && queue.peek().at.isBefore(next);
            if (dirty || busy && ++idle >= 2 || ++idle >= 24 / BLOCK.toHours()) {
                idle = 0;
                // At the block's first event, so that what the automations did carries that event's (random) time, not a round hour.
                Instant at = busy ? queue.peek().at : block;
                time.set(at.isAfter(end) ? end : at);
                long t = System.nanoTime();
                e.runPending();
                catchUps++;
                catchUpNanos += System.nanoTime() - t;
            }
            List<Event> batch = new ArrayList<>();
            while (!queue.isEmpty() && queue.peek().at.isBefore(next)) {
                batch.add(queue.poll());
            }
            play(batch);
            dirty = !batch.isEmpty();
            if (!next.isBefore(end) && queue.isEmpty()) {
                break;
            }
            block = next;
        }
        time.set(end);
        e.runPending();
    }

    private void play(List<Event> batch) {
        List<Customer> arriving = new ArrayList<>();
        List<JsonNode> touches = new ArrayList<>();
        List<Customer> enrolling = new ArrayList<>();
        for (Event ev : batch) {
            Customer c = customers.get(ev.customer);
            switch (ev.step) {
                case ARRIVE -> arriving.add(c);
                case TOUCH -> {
                    if (c.subject != null) {
                        ev.touch.put("subject", c.subject);
                        touches.add(ev.touch);
                    }
                }
                case ENROLL -> enrolling.add(c);
                default -> {
                    time.set(ev.at);
                    try {
                        act(ev, c);
                    } catch (RuntimeException ex) {
                        // A step the state no longer allows (e.g. the trip expired first) is skipped, as a user would give up.
                        skipped++;
                        log.debug("Demo history: {} of customer {} skipped: {}", ev.step, c.n, ex.getMessage());
                    }
                }
            }
        }
        if (!batch.isEmpty()) {
            time.set(batch.get(batch.size() - 1).at);
        }
        arrive(arriving);
        if (!touches.isEmpty()) {
            signals += e.signals().ingest(d.admin(), touches).size();
        }
        // Her salesperson tried to reach her: the lead becomes "Attempted to Contact", and the cadence
        // takes it automatically (its enrollment criteria) when the dispatcher next runs.
        for (Customer c : enrolling) {
            ObjectNode status = Json.object();
            status.put("Lead_Status", ZylkerTravels.NURTURE_STATUS);
            e.records().update(c.owner, "Leads", c.lead, status, null);
            enrolled++;
        }
    }

    /** New leads, created by their salesperson; their touchpoints and, for some, the cadence are planned. */
    private void arrive(List<Customer> arriving) {
        Map<Actor, List<Customer>> byOwner = new LinkedHashMap<>();
        arriving.forEach(c -> byOwner.computeIfAbsent(c.owner, k -> new ArrayList<>()).add(c));
        for (Map.Entry<Actor, List<Customer>> g : byOwner.entrySet()) {
            List<JsonNode> inputs = new ArrayList<>();
            for (Customer c : g.getValue()) {
                Random r = c.r;
                String first = FIRST[r.nextInt(FIRST.length)];
                String last = LAST[r.nextInt(LAST.length)];
                c.email = (first + "." + last).toLowerCase() + c.n + "@example.com";
                ObjectNode o = Json.object();
                o.put("First_Name", first);
                o.put("Last_Name", last);
                o.put("Email", c.email);
                o.put("Company", COMPANY[r.nextInt(COMPANY.length)]);
                o.put("Lead_Source", SOURCES[r.nextInt(SOURCES.length)]);
                o.put("Lead_Status", "New");
                o.put("Destination", DESTINATIONS[r.nextInt(DESTINATIONS.length)]);
                o.put("Budget", 1_500 + r.nextInt(9_000));
                inputs.add(o);
            }
            List<Record> made = e.records().createAll(g.getKey(), "Leads", inputs);
            for (int i = 0; i < made.size(); i++) {
                Customer c = g.getValue().get(i);
                c.lead = made.get(i).id();
                c.subject = made.get(i).subject();
                plan(c, e.clock().instant());
            }
        }
    }

    /** A walk over the touchpoints (website, booking and review sites, chat), then maybe the cadence. */
    private void plan(Customer c, Instant t0) {
        Random r = c.r;
        Instant t = t0;
        String visitor = "v-" + Long.toHexString(r.nextLong() & 0xffffffffL);
        int n = 1 + r.nextInt(6);
        for (int k = 0; k < n; k++) {
            t = t.plus(20 + r.nextInt(60 * 30), ChronoUnit.MINUTES);
            ObjectNode p = Json.object();
            p.put("visitor_id", visitor);
            int pick = r.nextInt(100);
            if (k == 0 || pick < 35) {
                p.put("page", PAGES[r.nextInt(PAGES.length)]);
                touch(t, c, "web.visit", p);
            } else if (pick < 55) {
                p.put("site", BOOKING_SITES[r.nextInt(BOOKING_SITES.length)]);
                touch(t, c, "booking_site.visit", p);
            } else if (pick < 70) {
                p.put("site", REVIEW_SITES[r.nextInt(REVIEW_SITES.length)]);
                touch(t, c, "review.read", p);
                c.readReviews = true;
            } else if (pick < 85) {
                p.put("channel", r.nextBoolean() ? "website" : "whatsapp");
                touch(t, c, "chat.started", p);
            } else {
                touch(t, c, "chat.missed", p);
                c.missedChat = true;
            }
        }
        if (r.nextInt(100) < 35) {
            at(t0.plus(1 + r.nextInt(3), ChronoUnit.HOURS), c, Step.ENROLL);
            // Whether she opens the welcome email, and when (the survey follows at once; after 2 days Next Steps).
            if (r.nextInt(100) < 70) {
                at(t0.plus(4 + r.nextInt(30), ChronoUnit.HOURS), c, Step.OPEN);
                int replyChance = c.missedChat ? 20 : c.readReviews ? 70 : 50;
                if (r.nextInt(100) < replyChance) {
                    at(t0.plus(56 + r.nextInt(40), ChronoUnit.HOURS), c, Step.REPLY);
                }
            }
        }
    }

    private Instant now() {
        return e.clock().instant();
    }

    private Instant later(Customer c, int minHours, int maxHours) {
        return now().plus(minHours + c.r.nextInt(Math.max(1, maxHours - minHours)), ChronoUnit.HOURS);
    }

    private void act(Event ev, Customer c) {
        Random r = c.r;
        switch (ev.step) {
            case OPEN -> {
                EmailMessage welcome = message(c, "Welcome");
                if (welcome == null) {
                    // Not sent yet (outside the sending window): she opens it once it arrives.
                    retry(c, Step.OPEN, 6);
                    return;
                }
                Matcher m = OPEN.matcher(welcome.html());
                if (m.find()) {
                    e.email().opened(m.group(1));
                    steps++;
                }
            }
            case REPLY -> {
                EmailMessage next = message(c, "Next steps");
                if (next == null) {
                    retry(c, Step.REPLY, 12);
                    return;
                }
                reply(c, next, "Re: " + next.subjectLine(), "Yes please, let us plan it. Can we talk on Thursday?");
                replies++;
                c.tries = 0;
                at(later(c, 24, 24 * 6), c, Step.DOCUMENTS);
                if (r.nextInt(100) < 12) {
                    at(later(c, 24 * 3, 24 * 40), c, Step.PROBLEM);
                }
            }
            case DOCUMENTS -> {
                if (!findTrip(c)) {
                    retry(c, Step.DOCUMENTS, 24);
                    return;
                }
                if (r.nextInt(100) < 8) {
                    at(later(c, 2, 24 * 4), c, Step.CANCEL);
                    return;
                }
                if (r.nextInt(100) < 15) {
                    return; // documents never arrive: the SLA chases them, then the trip expires
                }
                transition(c, c.owner, "Collect documents", "{'fields': {'Passport_Number': 'Z" + (1_000_000 + r.nextInt(8_999_999))
                        + "', 'Travellers': " + (1 + r.nextInt(4)) + "}, 'checklist': ['Passport copy', 'Visa']}");
                if (r.nextInt(100) < 30) {
                    at(later(c, 2, 30), c, Step.DISCOUNT);
                } else {
                    at(later(c, 24, 24 * 7), c, Step.LOGISTICS);
                }
            }
            case DISCOUNT -> {
                e.records().update(c.owner, "Trips", c.trip, j("{'Discount': " + (13 + r.nextInt(13)) + "}"), null);
                steps++;
                at(later(c, 3, 60), c, Step.DECIDE);
            }
            case DECIDE -> {
                JsonNode pending = null;
                for (ObjectNode a : e.approvals().ofRecord(d.admin(), "Trips", c.trip)) {
                    if ("pending".equals(a.path("status").asText())) {
                        pending = a;
                    }
                }
                if (pending != null) {
                    UUID id = UUID.fromString(pending.get("id").asText());
                    if (r.nextInt(100) < 80) {
                        e.approvals().approve(d.manager(), id, j("{'comment': 'Loyal customer, fine'}"));
                    } else {
                        e.approvals().reject(d.manager(), id, j("{'comment': 'Too generous; 12% at most'}"));
                    }
                    steps++;
                }
                at(later(c, 12, 24 * 5), c, Step.LOGISTICS);
            }
            case LOGISTICS -> {
                transition(c, c.owner, "Arrange logistics", "{'fields': {'Hotel': 'Hotel " + DESTINATIONS[r.nextInt(DESTINATIONS.length)]
                        + "', 'Flight': 'ZT" + (100 + r.nextInt(900)) + "'}}");
                at(later(c, 24, 24 * 6), c, Step.CONFIRM);
            }
            case CONFIRM -> {
                LocalDate start = LocalDate.ofInstant(now(), ZoneOffset.UTC).plusDays(5 + r.nextInt(20));
                LocalDate back = start.plusDays(4 + r.nextInt(10));
                transition(c, c.owner, "Confirm", "{'fields': {'Start_Date': '" + start + "', 'End_Date': '" + back + "'}}");
                at(back.plusDays(1).atTime(10, r.nextInt(60)).toInstant(ZoneOffset.UTC), c, Step.COMPLETE);
            }
            case COMPLETE -> {
                transition(c, c.owner, "Complete", "{'note': 'Back home safely'}");
                if (r.nextInt(100) < 70) {
                    at(later(c, 6, 24 * 6), c, Step.SURVEY);
                }
            }
            case CANCEL -> transition(c, d.manager(), "Cancel", "{'note': 'The customer changed plans'}");
            case SURVEY -> {
                int score = c.missedChat ? 2 + r.nextInt(7) : 5 + r.nextInt(6);
                ObjectNode s = Json.object();
                s.put("type", "survey.responded");
                s.put("subject", c.subject);
                s.putObject("payload").put("score", score).put("survey", "Trip feedback");
                signals += e.signals().ingest(d.admin(), List.of(s)).size();
                steps++;
            }
            case PROBLEM -> {
                List<EmailMessage> sent = e.email().messages(d.admin(), c.email, 20, null).items();
                if (sent.isEmpty() || !findTrip(c)) {
                    return;
                }
                reply(c, sent.get(0), "A problem with my booking", "My visa appointment was moved; can we change the dates?");
                at(later(c, 1, 20), c, Step.CASE_HOLD);
            }
            case CASE_HOLD -> {
                if (!findCase(c)) {
                    retry(c, Step.CASE_HOLD, 4);
                    return;
                }
                if (r.nextBoolean()) {
                    perform(d.support(), "Cases", c.caseId, "Hold", "{'note': 'Waiting for the embassy'}");
                }
                at(later(c, 10, 24 * 5), c, Step.CASE_RESOLVE);
            }
            case CASE_RESOLVE -> {
                if (r.nextInt(100) < 85) {
                    perform(d.support(), "Cases", c.caseId, "Resolve", "{'fields': {'Description': 'New dates agreed with the customer'},"
                            + " 'checklist': ['Customer informed']}");
                }
            }
            default -> throw new IllegalStateException(ev.step.name());
        }
    }

    private void retry(Customer c, Step step, int hours) {
        if (++c.tries <= 8) {
            at(now().plus(hours, ChronoUnit.HOURS), c, step);
        } else {
            c.tries = 0;
            skipped++;
        }
    }

    private EmailMessage message(Customer c, String subjectStart) {
        for (EmailMessage m : e.email().messages(d.admin(), c.email, 20, null).items()) {
            if (m.subjectLine() != null && m.subjectLine().startsWith(subjectStart)) {
                return m;
            }
        }
        return null;
    }

    private void reply(Customer c, EmailMessage to, String subject, String text) {
        e.email().receive(new InboundMail("reply-" + c.n + "-" + now().toEpochMilli() + "@mail.example.com", c.email, subject, now(),
                List.of("<" + to.headerMessageId() + ">"), List.of("<" + to.headerMessageId() + ">"), Map.of(), null, text));
        steps++;
    }

    /** Her trip, once the journey created it. */
    private boolean findTrip(Customer c) {
        if (c.trip != null) {
            return true;
        }
        for (JsonNode i : e.journeys().instancesOfSubject(d.admin(), c.subject)) {
            if ("Trips".equals(i.path("module").asText())) {
                c.trip = UUID.fromString(i.get("record_id").asText());
                trips++;
                c.tries = 0;
                return true;
            }
        }
        return false;
    }

    private boolean findCase(Customer c) {
        var page = e.records().list(d.admin(), "Cases", CompactCriteria.parse("(Trip:equals:" + c.trip + ")"), "-created_at", 1, null);
        if (page.records().isEmpty()) {
            return false;
        }
        c.caseId = page.records().get(0).id();
        c.tries = 0;
        return true;
    }

    private void transition(Customer c, Actor who, String name, String body) {
        perform(who, "Trips", c.trip, name, body);
    }

    private void perform(Actor who, String module, UUID record, String name, String body) {
        e.blueprints().perform(who, module, record, name, j(body));
        steps++;
    }
}

package io.waymark.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Waymark;
import io.waymark.json.Json;
import io.waymark.record.Record;
import io.waymark.record.Records;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Zylker Travels demo (DESIGN §6): every definition of the story ({@link ZylkerTravels}), a team
 * with known passwords, a few hundred existing accounts, contacts and deals, and months of history
 * ({@link ZylkerHistory}): a few thousand customers arriving, their touchpoints, cadence
 * enrollments, journeys, trips worked through the blueprint, discount approvals and cases, played
 * through the engine's public API with the clock moved forward. The data come from a fixed seed, so
 * every demo database looks the same; loading is skipped when the Trips module already exists, so
 * a restart with {@code --demo} changes nothing.
 */
public final class Demo {
    private static final Logger log = LoggerFactory.getLogger(Demo.class);
    private static final long SEED = 20_260_501L;
    /** Customers of the history by default, and the days it covers. */
    public static final int CUSTOMERS = 2_000;
    public static final int DAYS = 120;
    private static final String[] FIRST = {"Aarav", "Priya", "Liam", "Olivia", "Noah", "Emma", "Mateo", "Sofia", "Kenji", "Yuki",
        "Lucas", "Amara", "Elena", "Omar", "Fatima", "Hugo", "Chloe", "Ravi", "Ananya", "Jonas", "Ingrid", "Diego", "Lucia",
        "Wei", "Mei", "Samuel", "Grace", "Tariq", "Leila", "Nikolai"};
    private static final String[] LAST = {"Patel", "Sharma", "Smith", "Johnson", "Garcia", "Martinez", "Tanaka", "Sato",
        "Müller", "Schmidt", "Rossi", "Bianchi", "Dubois", "Martin", "Okafor", "Mensah", "Kowalski", "Nowak", "Silva",
        "Santos", "Chen", "Wang", "Kim", "Park", "Haddad", "Nguyen", "Andersson", "Larsen", "O'Brien", "Murphy"};
    private static final String[] COMPANY_A = {"Blue", "Summit", "Harbor", "Northern", "Golden", "Silver", "Coastal", "Evergreen",
        "Sunrise", "Pioneer", "Atlas", "Orchid", "Maple", "Cedar", "Horizon", "Lotus", "Falcon", "Quartz", "Crescent", "Meridian"};
    private static final String[] COMPANY_B = {"Holdings", "Labs", "Partners", "Systems", "Traders", "Works", "Group", "Studios",
        "Logistics", "Hotels"};
    private static final String[] CITIES = {"Chennai", "Bengaluru", "Mumbai", "London", "Berlin", "Paris", "Austin", "Toronto",
        "Singapore", "Sydney", "Tokyo", "Dubai", "Lisbon", "Nairobi", "São Paulo"};
    private static final String[] COUNTRIES = {"India", "India", "India", "United Kingdom", "Germany", "France", "United States",
        "Canada", "Singapore", "Australia", "Japan", "United Arab Emirates", "Portugal", "Kenya", "Brazil"};
    private static final String[] INDUSTRIES = {"Travel", "Hospitality", "Technology", "Finance", "Retail", "Healthcare", "Education", "Other"};
    private static final String[] LEAD_SOURCES = {"Advertisement", "Chat", "Cold Call", "Employee Referral", "Online Store",
        "Partner", "Trade Show", "Web Form", "Web Research"};
    private static final String[] STAGES = {"Qualification", "Needs Analysis", "Value Proposition", "Proposal/Price Quote",
        "Negotiation/Review", "Closed Won", "Closed Lost"};
    private static final String[] DESTINATIONS = {"Bali", "Kyoto", "Santorini", "Reykjavik", "Machu Picchu", "Cape Town", "Maldives",
        "Banff", "Marrakech", "Queenstown", "Havana", "Petra", "Lapland", "Zanzibar", "Amalfi Coast"};

    private Demo() {
    }

    /** Moves the engine's clock while the history is played. */
    public interface TimeMachine {
        void set(Instant at);
    }

    /**
     * The server's clock in demo mode: the system clock, except while the demo's history is played,
     * when it shows the moment the history has reached.
     */
    public static final class DemoClock extends Clock implements TimeMachine {
        private final Clock system;
        private volatile Instant pinned;

        public DemoClock(Clock system) {
            this.system = system;
        }

        @Override
        public void set(Instant at) {
            pinned = at;
        }

        /** Back to the system clock. */
        public void release() {
            pinned = null;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            Instant p = pinned;
            return p != null ? p : system.instant();
        }
    }

    /**
     * Loads the demo into the administrator's organisation unless it is already there: the
     * definitions, then {@code customers} customers of history over the {@link #DAYS} days before
     * the clock's present, moving the clock with {@code time}, which is left at that present.
     *
     * @return whether anything was loaded
     */
    public static boolean load(Waymark engine, Actor admin, TimeMachine time, int customers) {
        return load(engine, admin, time, customers, DAYS);
    }

    /** {@link #load(Waymark, Actor, TimeMachine, int)} over a history of {@code days} days. */
    public static boolean load(Waymark engine, Actor admin, TimeMachine time, int customers, int days) {
        if (engine.metadata().catalog(admin.orgId()).find("Trips").isPresent()) {
            log.info("Demo data already loaded (module Trips exists); skipping");
            return false;
        }
        long started = System.nanoTime();
        Random random = new Random(SEED);
        Instant now = engine.clock().instant();
        Instant from = now.minus(days, ChronoUnit.DAYS).truncatedTo(ChronoUnit.HOURS);
        time.set(from);
        ZylkerTravels.Definitions d = ZylkerTravels.define(engine, admin);
        Records records = engine.records();
        // The customers of earlier years: accounts, contacts and their deals, owned by the salespeople.
        List<Record> accounts = create(records, d.rep1(), "Accounts", 200, i -> account(random, i));
        List<Record> contacts = new ArrayList<>(create(records, d.rep1(), "Contacts", 100, i -> contact(random, i, accounts)));
        contacts.addAll(create(records, d.rep2(), "Contacts", 100, i -> contact(random, i + 100, accounts)));
        List<Record> deals = create(records, d.manager(), "Deals", 100, i -> deal(random, i, contacts, accounts, from));
        integrations(engine, admin);
        workflowRules(engine, admin);
        ZylkerHistory.Summary h = ZylkerHistory.play(engine, d, time, now, days, customers, SEED);
        time.set(now);
        log.info("Demo data loaded in {} ms: {} accounts, {} contacts, {} deals; history of {} days: {} customers, {} touchpoint signals,"
                + " {} cadence enrollments, {} replies, {} trips, {} steps by the team ({} skipped)",
                Duration.ofNanos(System.nanoTime() - started).toMillis(), accounts.size(), contacts.size(), deals.size(), days,
                h.customers(), h.signals(), h.enrolled(), h.replies(), h.trips(), h.steps(), h.skipped());
        log.info("Demo users (password '{}'): {} (Sales Manager), {} and {} (Salespeople), {} (Support); the administrator uses the API token",
                ZylkerTravels.DEMO_PASSWORD, ZylkerTravels.MANAGER_EMAIL, ZylkerTravels.REP1_EMAIL, ZylkerTravels.REP2_EMAIL,
                ZylkerTravels.SUPPORT_EMAIL);
        return true;
    }

    /** The public destination survey form. */
    private static void integrations(Waymark engine, Actor actor) {
        engine.webForms().create(actor, Json.read("""
                {"name": "Destination survey", "title": "Where to next?", "module": "Leads", "match_field": "Email",
                 "fields": [{"field": "First_Name"}, {"field": "Last_Name", "label": "Last name", "required": true},
                            {"field": "Email", "required": true}, {"field": "City", "label": "Dream destination"}]}"""));
    }

    private interface Maker {
        ObjectNode make(int i);
    }

    private static List<Record> create(Records records, Actor actor, String module, int n, Maker maker) {
        List<JsonNode> inputs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            inputs.add(maker.make(i));
        }
        return records.createAll(actor, module, inputs);
    }

    private static ObjectNode account(Random r, int i) {
        ObjectNode o = Json.object();
        String name = COMPANY_A[i % COMPANY_A.length] + " " + COMPANY_B[(i / COMPANY_A.length) % COMPANY_B.length];
        o.put("Account_Name", name);
        o.put("Website", "https://www." + name.toLowerCase().replace(' ', '-') + ".example");
        o.put("Phone", phone(r));
        o.put("Industry", pick(r, INDUSTRIES));
        o.put("Annual_Revenue", BigDecimal.valueOf(100_000L + r.nextInt(50_000_000)));
        o.put("Employees", 5 + r.nextInt(5_000));
        int city = r.nextInt(CITIES.length);
        o.put("Billing_City", CITIES[city]);
        o.put("Billing_Country", COUNTRIES[city]);
        return o;
    }

    private static ObjectNode contact(Random r, int i, List<Record> accounts) {
        ObjectNode o = person(r, i, "Mailing_City", "Mailing_Country");
        o.put("Account_Name", accounts.get(r.nextInt(accounts.size())).id().toString());
        o.put("Title", pick(r, new String[] {"Travel Manager", "Office Manager", "CEO", "HR Lead", "Engineer", "Consultant"}));
        o.put("Lead_Source", pick(r, LEAD_SOURCES));
        return o;
    }

    private static ObjectNode person(Random r, int i, String cityField, String countryField) {
        ObjectNode o = Json.object();
        String first = pick(r, FIRST);
        String last = pick(r, LAST);
        o.put("First_Name", first);
        o.put("Last_Name", last);
        o.put("Email", (first + "." + last).toLowerCase().replaceAll("[^a-z.]", "") + i + "@example.com");
        o.put("Phone", phone(r));
        int city = r.nextInt(CITIES.length);
        o.put(cityField, CITIES[city]);
        o.put(countryField, COUNTRIES[city]);
        return o;
    }

    private static ObjectNode deal(Random r, int i, List<Record> contacts, List<Record> accounts, Instant now) {
        ObjectNode o = Json.object();
        Record contact = contacts.get(r.nextInt(contacts.size()));
        o.put("Deal_Name", pick(r, DESTINATIONS) + " package #" + (i + 1));
        String stage = pick(r, STAGES);
        o.put("Stage", stage);
        o.put("Amount", BigDecimal.valueOf(1_500 + r.nextInt(20_000)));
        o.put("Closing_Date", date(now).plusDays(r.nextInt(120) - 30).toString());
        o.put("Probability", stage.equals("Closed Won") ? 100 : stage.equals("Closed Lost") ? 0 : 10 + r.nextInt(80));
        o.put("Contact_Name", contact.id().toString());
        Object account = contact.values().get("Account_Name");
        o.put("Account_Name", account != null ? account.toString() : accounts.get(r.nextInt(accounts.size())).id().toString());
        o.put("Lead_Source", pick(r, LEAD_SOURCES));
        return o;
    }

    private static LocalDate date(Instant now) {
        return LocalDate.ofInstant(now, ZoneOffset.UTC);
    }

    private static String phone(Random r) {
        return "+1 555 " + (100 + r.nextInt(900)) + " " + (1000 + r.nextInt(9000));
    }

    private static String pick(Random r, String[] values) {
        return values[r.nextInt(values.length)];
    }

    /** Three workflow rules of the Zylker story: won-deal follow-up, birthday greetings, hot leads. */
    static void workflowRules(Waymark engine, Actor actor) {
        for (String rule : List.of(
                "{'name': 'Won deal follow-up', 'module': 'Deals', 'trigger': {'type': 'field_update', 'fields': ['Stage']},"
                        + " 'rules': [{'name': 'won', 'criteria': '(Stage:equals:Closed Won)', 'actions': [{'type': 'create_task', 'config':"
                        + " {'subject': 'Send the feedback survey for {{Deals.Deal_Name}}', 'due': 'today + 2d', 'priority': 'High'}}],"
                        + " 'scheduled': [{'offset': {'amount': 30, 'unit': 'days'}, 'actions': [{'type': 'emit_signal', 'config':"
                        + " {'type': 'deal.review_due', 'payload': {'deal': '{{Deals.Deal_Name}}'}}}]}]}]}",
                "{'name': 'Birthday greetings', 'module': 'Contacts', 'trigger': {'type': 'date', 'field': 'Date_of_Birth',"
                        + " 'offset': {'amount': 1, 'unit': 'days', 'direction': 'before'}, 'time': '09:00', 'recurrence': 'yearly'},"
                        + " 'rules': [{'actions': [{'type': 'create_task', 'config': {'subject': 'Birthday card for {{Contacts.First_Name}}"
                        + " {{Contacts.Last_Name}}', 'due': 'today + 1d'}}]}]}",
                "{'name': 'Hot leads', 'module': 'Leads', 'trigger': {'type': 'field_update', 'fields': ['Lead_Status']},"
                        + " 'rules': [{'name': 'pre-qualified', 'criteria': '(Lead_Status:equals:Pre-Qualified)', 'actions': [{'type':"
                        + " 'schedule_call', 'config': {'subject': 'Call {{Leads.First_Name}} {{Leads.Last_Name}}', 'at': 'now + 1d'}}]}]}")) {
            engine.workflowRules().create(actor, Json.read(rule.replace('\'', '"')));
        }
    }
}

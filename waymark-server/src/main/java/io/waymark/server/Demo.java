package io.waymark.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.Actor;
import io.waymark.Waymark;
import io.waymark.json.Json;
import io.waymark.record.Record;
import io.waymark.record.Records;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Zylker Travels demo data (DESIGN §6): a custom Trips module and a few hundred accounts,
 * contacts, leads, deals and trips, some converted leads, and months of outside signals. The
 * data are generated from a fixed seed, so every demo database looks the same; loading is
 * skipped when the Trips module already exists, so a restart with {@code --demo} changes nothing.
 * Everything goes through the engine's public (bulk) API, as a client would.
 */
public final class Demo {
    private static final Logger log = LoggerFactory.getLogger(Demo.class);
    private static final long SEED = 20_260_501L;
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
    private static final String[] LEAD_STATUS = {"New", "Not Contacted", "Attempted to Contact", "Contacted", "Contact in Future",
        "Pre-Qualified", "Not Qualified"};
    private static final String[] STAGES = {"Qualification", "Needs Analysis", "Value Proposition", "Proposal/Price Quote",
        "Negotiation/Review", "Closed Won", "Closed Lost"};
    private static final String[] DESTINATIONS = {"Bali", "Kyoto", "Santorini", "Reykjavik", "Machu Picchu", "Cape Town", "Maldives",
        "Banff", "Marrakech", "Queenstown", "Havana", "Petra", "Lapland", "Zanzibar", "Amalfi Coast"};
    private static final String[] TRIP_STATUS = {"Documents Pending", "Documents Received", "Discount Approval", "Logistics", "Ready",
        "Completed", "Cancelled"};
    private static final String[] PAGES = {"/", "/destinations", "/destinations/bali", "/destinations/kyoto", "/offers/summer",
        "/offers/honeymoon", "/visa-help", "/contact", "/blog/packing-tips", "/pricing"};
    private static final String[] CAMPAIGNS = {"Summer Escapes", "Monsoon Deals", "Winter Wonderland", "Honeymoon Specials", "Newsletter"};
    private static final String[] REVIEW_SITES = {"TripAdvisor", "Google", "Trustpilot"};

    private Demo() {
    }

    /**
     * Loads the demo data into the actor's organisation unless it is already there.
     *
     * @return whether anything was loaded
     */
    public static boolean load(Waymark engine, Actor actor) {
        if (engine.metadata().catalog(actor.orgId()).find("Trips").isPresent()) {
            log.info("Demo data already loaded (module Trips exists); skipping");
            return false;
        }
        long started = System.nanoTime();
        Random random = new Random(SEED);
        Instant now = engine.clock().instant();
        Records records = engine.records();
        engine.metadata().createModule(actor, tripsModule());

        List<Record> accounts = create(records, actor, "Accounts", 200, i -> account(random, i));
        List<Record> contacts = create(records, actor, "Contacts", 200, i -> contact(random, i, accounts));
        List<Record> leads = create(records, actor, "Leads", 200, i -> lead(random, i));
        List<Record> deals = create(records, actor, "Deals", 100, i -> deal(random, i, contacts, accounts, now));
        List<Record> trips = create(records, actor, "Trips", 100, i -> trip(random, i, contacts, deals, now));

        // A few conversions, so that converted leads and their contacts' joined histories show up.
        List<Record> converted = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Record lead = leads.get(i * 7);
            ObjectNode options = Json.object();
            if (i % 2 == 0) {
                ObjectNode deal = options.putObject("deal");
                deal.put("Deal_Name", "Trip for " + lead.values().get("Last_Name") + " family");
                deal.put("Stage", "Qualification");
                deal.put("Amount", 2_000 + random.nextInt(8_000));
            }
            converted.add(records.convertLead(actor, lead.id(), options).contact());
        }

        List<Record> people = new ArrayList<>(contacts);
        people.addAll(leads);
        people.addAll(converted);
        int signals = ingestSignals(engine, actor, random, people, now);
        int emails = integrations(engine, actor, leads);
        log.info("Demo email: 3 templates, a web form, {} welcome emails (see GET /api/v1/email/messages)", emails);
        workflowRules(engine, actor);
        log.info("Demo data loaded: {} accounts, {} contacts, {} leads ({} converted), {} deals, {} trips, {} signals in {} ms",
                accounts.size(), contacts.size(), leads.size(), converted.size(), deals.size(), trips.size(), signals,
                Duration.ofNanos(System.nanoTime() - started).toMillis());
        return true;
    }

    /**
     * The story's email templates (welcome, destination survey, next steps), the public
     * destination survey form, and the welcome email to a few leads; without an SMTP server they
     * land in the mail catcher.
     */
    private static int integrations(Waymark engine, Actor actor, List<Record> leads) {
        var templates = engine.email().templates();
        var welcome = templates.create(actor, Json.read("""
                {"name": "Welcome", "module": "Leads", "subject": "Welcome to Zylker Travels, {{Leads.First_Name}}",
                 "html": "<p>Hi {{Leads.First_Name}},</p><p>Thank you for your interest in travelling with us. Browse <a href=\\"https://www.zylker.example/destinations\\">our destinations</a>.</p><p>{{Owner.Name}}<br>Zylker Travels</p>"}"""));
        templates.create(actor, Json.read("""
                {"name": "Destination survey", "module": "Leads", "subject": "Where would you like to go, {{Leads.First_Name}}?",
                 "html": "<p>Hi {{Leads.First_Name}},</p><p>Tell us about your dream trip in <a href=\\"https://www.zylker.example/survey\\">a two-minute survey</a>.</p>"}"""));
        templates.create(actor, Json.read("""
                {"name": "Next Steps", "module": "Leads", "subject": "Next steps for your trip, {{Leads.First_Name}}",
                 "text": "Hi {{Leads.First_Name}},\\n\\nReply to this email and {{Owner.Name}} will plan the next steps with you.\\n\\nZylker Travels"}"""));
        engine.webForms().create(actor, Json.read("""
                {"name": "Destination survey", "title": "Where to next?", "module": "Leads", "match_field": "Email",
                 "fields": [{"field": "First_Name"}, {"field": "Last_Name", "label": "Last name", "required": true},
                            {"field": "Email", "required": true}, {"field": "City", "label": "Dream destination"}]}"""));
        int sent = 0;
        for (Record lead : leads.subList(0, Math.min(3, leads.size()))) {
            if (lead.values().get("Email") != null) {
                engine.email().send(actor, new io.waymark.email.Email.SendRequest(welcome.id(), "Leads", lead.id(), null, "demo-welcome-" + lead.id()));
                sent++;
            }
        }
        return sent;
    }

    private static JsonNode tripsModule() {
        ObjectNode m = Json.object();
        m.put("api_name", "Trips");
        m.put("singular_label", "Trip");
        m.put("plural_label", "Trips");
        ArrayNode f = m.putArray("fields");
        field(f, "Trip_Name", "text").put("required", true);
        field(f, "Destination", "text");
        field(f, "Start_Date", "date");
        field(f, "End_Date", "date");
        ArrayNode status = field(f, "Status", "picklist").putArray("picklist_values");
        for (String s : TRIP_STATUS) {
            status.add(s);
        }
        field(f, "Travellers", "integer").put("min", 1);
        field(f, "Co_Travellers", "long_text");
        field(f, "Price", "currency");
        field(f, "Discount", "percent").put("min", 0).put("max", 100);
        field(f, "Contact_Name", "lookup").put("lookup_module", "Contacts");
        field(f, "Deal_Name", "lookup").put("lookup_module", "Deals");
        m.put("subject_field", "Contact_Name");
        m.putArray("display_fields").add("Trip_Name");
        return m;
    }

    private static ObjectNode field(ArrayNode fields, String api, String type) {
        ObjectNode o = fields.addObject();
        o.put("api_name", api);
        o.put("type", type);
        return o;
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

    private static ObjectNode lead(Random r, int i) {
        ObjectNode o = person(r, i + 1_000, "City", "Country");
        o.put("Company", COMPANY_A[r.nextInt(COMPANY_A.length)] + " " + COMPANY_B[r.nextInt(COMPANY_B.length)]);
        o.put("Lead_Status", pick(r, LEAD_STATUS));
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

    private static ObjectNode trip(Random r, int i, List<Record> contacts, List<Record> deals, Instant now) {
        ObjectNode o = Json.object();
        Record deal = deals.get(i % deals.size());
        String destination = pick(r, DESTINATIONS);
        LocalDate start = date(now).plusDays(r.nextInt(240) - 90);
        o.put("Trip_Name", destination + " " + start.getYear() + " #" + (i + 1));
        o.put("Destination", destination);
        o.put("Start_Date", start.toString());
        o.put("End_Date", start.plusDays(3 + r.nextInt(14)).toString());
        o.put("Status", pick(r, TRIP_STATUS));
        int travellers = 1 + r.nextInt(6);
        o.put("Travellers", travellers);
        if (travellers > 1) {
            List<String> co = new ArrayList<>();
            for (int t = 1; t < travellers; t++) {
                co.add(pick(r, FIRST) + " " + pick(r, LAST));
            }
            o.put("Co_Travellers", String.join("\n", co));
        }
        o.put("Price", BigDecimal.valueOf(800L * travellers + r.nextInt(6_000)));
        o.put("Discount", r.nextInt(4) == 0 ? 5 * (1 + r.nextInt(4)) : 0);
        Object contact = deal.values().get("Contact_Name");
        o.put("Contact_Name", contact != null ? contact.toString() : contacts.get(r.nextInt(contacts.size())).id().toString());
        o.put("Deal_Name", deal.id().toString());
        return o;
    }

    /** Web visits, email opens, chats and reviews over the last six months, oldest to newest per person. */
    private static int ingestSignals(Waymark engine, Actor actor, Random r, List<Record> people, Instant now) {
        List<JsonNode> batch = new ArrayList<>();
        int total = 0;
        for (Record person : people) {
            int n = r.nextInt(5);
            for (int k = 0; k < n; k++) {
                ObjectNode s = Json.object();
                s.put("subject", person.subject());
                Instant at = now.minus(1 + r.nextInt(180 * 24), ChronoUnit.HOURS).minusSeconds(r.nextInt(3_600));
                s.put("occurred_at", at.truncatedTo(ChronoUnit.SECONDS).toString());
                ObjectNode p = s.putObject("payload");
                switch (r.nextInt(4)) {
                    case 0 -> {
                        s.put("type", "web.visit");
                        p.put("url", "https://zylker.example" + pick(r, PAGES));
                        p.put("duration_seconds", 5 + r.nextInt(600));
                    }
                    case 1 -> {
                        s.put("type", "email.opened");
                        p.put("campaign", pick(r, CAMPAIGNS));
                    }
                    case 2 -> {
                        s.put("type", "chat.started");
                        p.put("channel", r.nextBoolean() ? "website" : "whatsapp");
                        p.put("topic", pick(r, DESTINATIONS));
                    }
                    default -> {
                        s.put("type", "third_party.review");
                        p.put("site", pick(r, REVIEW_SITES));
                        p.put("rating", 1 + r.nextInt(5));
                    }
                }
                batch.add(s);
                if (batch.size() == 500) {
                    total += engine.signals().ingest(actor, batch).size();
                    batch = new ArrayList<>();
                }
            }
        }
        if (!batch.isEmpty()) {
            total += engine.signals().ingest(actor, batch).size();
        }
        return total;
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

package io.waymark.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.waymark.Actor;
import io.waymark.Waymark;
import io.waymark.identity.Orgs;
import io.waymark.identity.Role;
import io.waymark.json.Json;
import io.waymark.pathfinder.TouchpointConfig;
import java.util.UUID;

/**
 * Every definition of the Zylker Travels story (DESIGN §6), made through the engine's public API
 * as the organisation's administrator: the team (a sales manager, two salespeople, a support
 * agent), the Trips module, the lead wizard, the email templates and the "Next Steps" nurture
 * cadence, the "Customer Journey Optimization" journey, the Trip Management and Case handling
 * blueprints, the discount approval process, the trip desk kiosk and the Path Finder touchpoints.
 * The demo loads them before its history; the story test walks them over HTTP.
 */
public final class ZylkerTravels {
    /** The password of every demo user (printed in the log and the README; change it on a real server). */
    public static final String DEMO_PASSWORD = "zylker-demo-2026";
    public static final String MANAGER_EMAIL = "maya@zylker.example";
    public static final String REP1_EMAIL = "ravi@zylker.example";
    public static final String REP2_EMAIL = "lena@zylker.example";
    public static final String SUPPORT_EMAIL = "sam@zylker.example";
    public static final String CADENCE = "Next Steps";
    public static final String JOURNEY = "Customer Journey Optimization";
    static final String[] TRIP_STATUS = {"Documents Pending", "Documents Received", "Logistics", "Ready", "Completed", "Cancelled"};

    /** What was made: the users and the ids the story and the history need. */
    public record Definitions(Actor admin, Actor manager, Actor rep1, Actor rep2, Actor support, UUID salesRole, UUID managerRole,
                              UUID supportRole, UUID wizard, UUID cadence, UUID journey, UUID tripBlueprint, UUID caseBlueprint,
                              UUID discountProcess, UUID kiosk, UUID welcome, UUID survey, UUID nextSteps, UUID feedback, UUID advocacy,
                              UUID tripNews) {
    }

    private ZylkerTravels() {
    }

    static JsonNode j(String singleQuoted) {
        return Json.read(singleQuoted.replace('\'', '"'));
    }

    /** Makes every definition in the administrator's organisation (which must not have them yet). */
    public static Definitions define(Waymark e, Actor admin) {
        // First: the demo loader takes the Trips module for "already loaded", so a load that failed half-way is not repeated over itself.
        e.metadata().createModule(admin, tripsModule());
        UUID ceo = e.roles().list(admin).stream().filter(r -> r.name().equals(Orgs.TOP_ROLE)).map(Role::id).findFirst().orElseThrow();
        UUID managerRole = e.roles().create(admin, j("{'name': 'Sales Manager', 'reports_to': '" + ceo + "'}")).id();
        UUID salesRole = e.roles().create(admin, j("{'name': 'Salesperson', 'reports_to': '" + managerRole + "', 'share_with_peers': true}")).id();
        UUID supportRole = e.roles().create(admin, j("{'name': 'Support', 'reports_to': '" + ceo + "'}")).id();
        // Sales works every module and may send signals (the trip desk kiosk records a trip.rescheduled signal).
        UUID sales = e.profiles().create(admin, j("{'name': 'Sales', 'permissions': {'modules': {'*': ['view', 'create', 'edit', 'delete']},"
                + " 'capabilities': ['send_signals']}}")).id();
        Actor manager = user(e, admin, MANAGER_EMAIL, "Maya Menon", managerRole, sales);
        Actor rep1 = user(e, admin, REP1_EMAIL, "Ravi Rao", salesRole, sales);
        Actor rep2 = user(e, admin, REP2_EMAIL, "Lena Lund", salesRole, sales);
        Actor support = user(e, admin, SUPPORT_EMAIL, "Sam Singh", supportRole, null);
        // The support desk works every case and reads the customers it is about.
        e.sharingRules().create(admin, j("{'module': 'Cases', 'grantee_type': 'role', 'grantee_id': '" + supportRole + "', 'access': 'read_write'}"));
        e.sharingRules().create(admin, j("{'module': 'Contacts', 'grantee_type': 'role', 'grantee_id': '" + supportRole + "', 'access': 'read_only'}"));
        e.sharingRules().create(admin, j("{'module': 'Trips', 'grantee_type': 'role', 'grantee_id': '" + supportRole + "', 'access': 'read_only'}"));

        for (String f : new String[] {"{'api_name': 'Destination', 'type': 'picklist', 'picklist_values': ['Bali', 'Kyoto', 'Santorini', 'Reykjavik',"
                + " 'Machu Picchu', 'Cape Town', 'Maldives', 'Lapland']}", "{'api_name': 'Travel_Month', 'type': 'text'}",
                "{'api_name': 'Budget', 'type': 'currency', 'min': 0}", "{'api_name': 'Concierge_Notes', 'type': 'long_text'}"}) {
            e.metadata().addField(admin, "Leads", j(f));
        }
        e.metadata().addField(admin, "Cases", j("{'api_name': 'Trip', 'type': 'lookup', 'lookup_module': 'Trips'}"));
        UUID wizard = id(e.wizards().create(admin, j(WIZARD)));

        var t = e.email().templates();
        UUID welcome = t.create(admin, j("{'name': 'Welcome', 'module': 'Leads', 'subject': 'Welcome to Zylker Travels, {{Leads.First_Name}}',"
                + " 'html': '<p>Hi {{Leads.First_Name}},</p><p>Thank you for your interest in travelling with us. Browse"
                + " <a href=\\'https://www.zylker.example/destinations\\'>our destinations</a>.</p><p>{{Owner.Name}}<br>Zylker Travels</p>'}")).id();
        UUID survey = t.create(admin, j("{'name': 'Destination survey', 'module': 'Leads', 'subject': 'Where would you like to go, {{Leads.First_Name}}?',"
                + " 'html': '<p>Hi {{Leads.First_Name}},</p><p>Tell us about your dream trip in"
                + " <a href=\\'https://www.zylker.example/survey\\'>a two-minute survey</a>.</p>'}")).id();
        UUID nextSteps = t.create(admin, j("{'name': 'Next Steps', 'module': 'Leads', 'subject': 'Next steps for your trip, {{Leads.First_Name}}',"
                + " 'html': '<p>Hi {{Leads.First_Name}},</p><p>Reply to this email and {{Owner.Name}} will plan the next steps with you.</p>"
                + "<p>Zylker Travels</p>'}")).id();
        UUID feedback = t.create(admin, j("{'name': 'Trip feedback', 'module': 'Trips', 'subject': 'How was {{Trips.Trip_Name}}?',"
                + " 'html': '<p>Welcome home! How was {{Trips.Destination}}? <a href=\\'https://www.zylker.example/feedback\\'>Rate your trip</a>"
                + " from 0 to 10.</p>'}")).id();
        UUID advocacy = t.create(admin, j("{'name': 'Refer a friend', 'module': 'Trips', 'subject': 'Share the journey: a gift for you and a friend',"
                + " 'html': '<p>Thank you for your kind words! <a href=\\'https://www.zylker.example/refer\\'>Invite a friend</a> and you both get"
                + " 10% off your next trip.</p>'}")).id();
        UUID tripNews = t.create(admin, j("{'name': 'New trip dates', 'module': 'Contacts', 'subject': 'Your trip has new dates, {{Contacts.First_Name}}',"
                + " 'text': 'Hi {{Contacts.First_Name}},\\n\\nWe have changed your trip as we agreed on the phone.\\n\\n{{Owner.Name}}, Zylker Travels'}")).id();

        UUID cadence = id(e.cadences().create(admin, j(cadence(welcome, survey, nextSteps))));
        e.cadences().publish(admin, cadence);

        UUID tripBlueprint = id(e.blueprints().create(admin, j(tripManagement(salesRole, managerRole, manager.userId()))));
        UUID caseBlueprint = id(e.blueprints().create(admin, j(caseHandling(supportRole))));
        UUID discount = id(e.approvals().create(admin, j(discountProcess(managerRole, manager.userId()))));
        UUID kiosk = id(e.kiosks().create(admin, j(TRIP_DESK.replace("TEMPLATE", tripNews.toString()))));

        UUID journey = id(e.journeys().create(admin, j(journey(feedback, advocacy))));
        e.journeys().publish(admin, journey);
        if (!e.journeys().get(admin, journey).path("active").asBoolean(true)) {
            e.journeys().setActive(admin, journey, true);
        }
        e.pathFinder().configure(admin, TouchpointConfig.fromJson(j(TOUCHPOINTS)));
        return new Definitions(admin, manager, rep1, rep2, support, salesRole, managerRole, supportRole, wizard, cadence, journey, tripBlueprint,
                caseBlueprint, discount, kiosk, welcome, survey, nextSteps, feedback, advocacy, tripNews);
    }

    private static Actor user(Waymark e, Actor admin, String email, String name, UUID role, UUID profile) {
        UUID id = e.users().create(admin, j("{'email': '" + email + "', 'name': '" + name + "', 'password': '" + DEMO_PASSWORD
                + "', 'role': '" + role + "'" + (profile == null ? "" : ", 'profile': '" + profile + "'") + "}")).id();
        return new Actor(admin.orgId(), id);
    }

    private static UUID id(JsonNode n) {
        return UUID.fromString(n.get("id").asText());
    }

    static JsonNode tripsModule() {
        StringBuilder statuses = new StringBuilder();
        for (String s : TRIP_STATUS) {
            statuses.append(statuses.length() == 0 ? "" : ", ").append('\'').append(s).append('\'');
        }
        return j("{'api_name': 'Trips', 'singular_label': 'Trip', 'plural_label': 'Trips', 'subject_field': 'Contact_Name',"
                + " 'display_fields': ['Trip_Name'], 'fields': ["
                + "{'api_name': 'Trip_Name', 'type': 'text', 'required': true},"
                + "{'api_name': 'Destination', 'type': 'text'},"
                + "{'api_name': 'Start_Date', 'type': 'date'},"
                + "{'api_name': 'End_Date', 'type': 'date'},"
                + "{'api_name': 'Status', 'type': 'picklist', 'picklist_values': [" + statuses + "]},"
                + "{'api_name': 'Travellers', 'type': 'integer', 'min': 1},"
                + "{'api_name': 'Co_Travellers', 'type': 'long_text'},"
                + "{'api_name': 'Price', 'type': 'currency'},"
                + "{'api_name': 'Discount', 'type': 'percent', 'min': 0, 'max': 100},"
                + "{'api_name': 'Passport_Number', 'type': 'text'},"
                + "{'api_name': 'Hotel', 'type': 'text'},"
                + "{'api_name': 'Flight', 'type': 'text'},"
                + "{'api_name': 'Traveller_Email', 'type': 'email'},"
                + "{'api_name': 'Contact_Name', 'type': 'lookup', 'lookup_module': 'Contacts'},"
                + "{'api_name': 'Deal_Name', 'type': 'lookup', 'lookup_module': 'Deals'}]}");
    }

    /** Step 1: a lead in two screens, contact details then travel interests. */
    static final String WIZARD = "{'name': 'New traveller', 'module': 'Leads', 'mode': 'create', 'screens': ["
            + "{'id': 'contact', 'title': 'Contact details', 'buttons': ['next', 'save_draft'], 'sections': ["
            + "  {'name': 'Who', 'fields': ['First_Name', {'field': 'Last_Name', 'required': true}, {'field': 'Email', 'required': true}, 'Phone', 'Company']}]},"
            + "{'id': 'interests', 'title': 'Travel interests', 'buttons': ['previous', 'save', 'save_draft'], 'sections': ["
            + "  {'name': 'Trip', 'fields': ['Destination', 'Travel_Month', 'Budget', 'Lead_Source', 'Lead_Status']},"
            + "  {'name': 'Premium', 'hidden': true, 'fields': ['Concierge_Notes']}]}],"
            + " 'rules': [{'name': 'Big budgets get the concierge', 'on': 'create',"
            + "   'criteria': {'conditions': [{'field': 'Budget', 'operator': 'greater_than', 'value': 5000}]},"
            + "   'actions': [{'type': 'show', 'sections': ['Premium']}]}]}";

    /** A lead whose status becomes this enters the nurture cadence automatically. */
    static final String NURTURE_STATUS = "Attempted to Contact";

    /** Step 2: welcome; the survey once it is opened; opened but unanswered for 2 days, the Next Steps email; then a call. */
    static String cadence(UUID welcome, UUID survey, UUID nextSteps) {
        return "{'name': '" + CADENCE + "', 'module': 'Leads', 'sender': {'type': 'owner'}, 'time_zone': {'default': 'UTC'},"
                + " 'enrollment': {'criteria': '(Lead_Status:equals:" + NURTURE_STATUS + ")', 'automatic': true},"
                + " 'window': {'days': ['mon', 'tue', 'wed', 'thu', 'fri'], 'from': '09:00', 'to': '18:00'},"
                + " 'unenroll': {'on_reply': 'goal', 'on_bounce': true, 'on_unsubscribe': true, 'out_of_office_pause_days': 3, 'ends_after_days': 3},"
                + " 'follow_ups': ["
                + "  {'key': 'welcome', 'type': 'email', 'template_id': '" + welcome + "'},"
                + "  {'key': 'survey', 'type': 'email', 'template_id': '" + survey + "',"
                + "   'conditions': [{'follow_up': 'welcome', 'event': 'opened', 'within_days': 3}]},"
                + "  {'key': 'next_steps', 'type': 'email', 'template_id': '" + nextSteps + "', 'after': {'days': 2, 'from': 'enrollment'},"
                + "   'conditions': [{'follow_up': 'welcome', 'event': 'opened', 'within_days': 3},"
                + "                  {'follow_up': 'welcome', 'event': 'not_replied', 'within_days': 2}]},"
                + "  {'key': 'call', 'type': 'call', 'subject': 'Call about the trip', 'after': {'days': 1}, 'at': '10:00'}]}";
    }

    /** A problem emailed in (a reply whose subject says so, or an email.received signal) raises a Case and leaves her where she is. */
    private static String problems(String state) {
        // Linked to her contact, or to her trip (Cases.Trip), by the lookup to the record she is at.
        String fields = "{'Subject': 'Problem reported by email', 'Case_Origin': 'Email', 'Status': 'New', 'Priority': 'High'}";
        String action = "[{'type': 'create_record', 'config': {'module': 'Cases', 'fields': " + fields + "}}]";
        return "{'key': 'problem_reply', 'signal': 'email.replied', 'criteria': '(subject_line:contains:problem)', 'to': '" + state + "', 'actions': " + action + "},"
                + "{'key': 'problem', 'signal': 'email.received', 'criteria': '(subject:contains:problem)', 'to': '" + state + "', 'actions': " + action + "}";
    }

    /** Step 3: the customer's journey from the cadence's goal through conversion, her trip, feedback and advocacy. */
    static String journey(UUID feedback, UUID advocacy) {
        return "{'name': '" + JOURNEY + "', 're_entry': 'after_end',"
                + " 'entry': [{'type': 'cadence_goal', 'cadence': '" + CADENCE + "'}],"
                + " 'states': ["
                + "  {'key': 'engaged', 'module': 'Leads', 'on_enter': [{'type': 'convert_lead', 'config': {'deal': {'Deal_Name': 'Trip for {{Leads.First_Name}} {{Leads.Last_Name}}',"
                + "     'Stage': 'Qualification'}}}],"
                + "   'transitions': [{'key': 'converted', 'signal': 'lead.converted', 'to': 'contact'}]},"
                + "  {'key': 'contact', 'module': 'Contacts', 'on_enter': [{'type': 'create_record', 'config': {'module': 'Trips', 'fields': {"
                + "     'Trip_Name': 'Trip for {{Contacts.First_Name}} {{Contacts.Last_Name}}', 'Status': 'Documents Pending', 'Travellers': 1,"
                + "     'Traveller_Email': '{{Contacts.Email}}'}}}],"
                + "   'transitions': [{'key': 'trip_created', 'signal': 'record.created', 'module': 'Trips', 'to': 'trip_planned'}, " + problems("contact") + "]},"
                + "  {'key': 'trip_planned', 'module': 'Trips',"
                + "   'transitions': [{'key': 'completed', 'signal': 'record.updated', 'module': 'Trips', 'criteria': '(Status:changed_to:Completed)', 'to': 'feedback'},"
                + "                   {'key': 'cancelled', 'signal': 'record.updated', 'module': 'Trips', 'criteria': '(Status:changed_to:Cancelled)', 'to': 'cancelled'},"
                + "                   " + problems("trip_planned") + "]},"
                + "  {'key': 'feedback', 'module': 'Trips', 'on_enter': [{'type': 'send_email', 'config': {'template_id': '" + feedback + "', 'to': 'Traveller_Email'}}],"
                + "   'transitions': [{'key': 'promoter', 'signal': 'survey.responded', 'criteria': '(score:greater_equal:8)', 'to': 'advocate'},"
                + "                   {'key': 'detractor', 'signal': 'survey.responded', 'to': 'unhappy'},"
                + "                   {'key': 'no_answer', 'after': '14d', 'to': 'unhappy'}, " + problems("feedback") + "]},"
                + "  {'key': 'advocate', 'module': 'Trips', 'on_enter': [{'type': 'send_email', 'config': {'template_id': '" + advocacy + "', 'to': 'Traveller_Email'}}],"
                + "   'end': 'success'},"
                + "  {'key': 'unhappy', 'end': 'failure'},"
                + "  {'key': 'cancelled', 'end': 'failure'}]}";
    }

    /** Step 4: documents, logistics, completion; the manager cancels; a trip waiting a month for documents expires. */
    static String tripManagement(UUID salesRole, UUID managerRole, UUID manager) {
        return "{'name': 'Trip Management', 'module': 'Trips', 'field': 'Status', 'transitions': ["
                + "{'name': 'Collect documents', 'from': 'Documents Pending', 'to': 'Documents Received',"
                + " 'before': {'owners': [{'type': 'record_owner'}, {'type': 'role', 'id': '" + managerRole + "'}]},"
                + " 'during': {'fields': [{'field': 'Passport_Number', 'mandatory': true}, {'field': 'Travellers', 'mandatory': true}],"
                + "   'checklist': ['Passport copy', 'Visa'],"
                + "   'validations': [{'criteria': '(Travellers:greater_than:0)', 'message': 'A trip needs at least one traveller'}]}},"
                + "{'name': 'Arrange logistics', 'from': 'Documents Received', 'to': 'Logistics',"
                + " 'before': {'owners': [{'type': 'record_owner'}, {'type': 'role', 'id': '" + managerRole + "'}]},"
                + " 'during': {'fields': [{'field': 'Hotel', 'mandatory': true}, {'field': 'Flight', 'mandatory': true}]}},"
                + "{'name': 'Confirm', 'from': 'Logistics', 'to': 'Ready',"
                + " 'before': {'owners': [{'type': 'record_owner'}, {'type': 'role', 'id': '" + managerRole + "'}]},"
                + " 'during': {'fields': [{'field': 'Start_Date', 'mandatory': true}, {'field': 'End_Date', 'mandatory': true}]},"
                + " 'after': [{'type': 'create_task', 'config': {'subject': 'Send the travel documents for {{Trips.Trip_Name}}', 'due': 'today + 1d',"
                + "   'assign_to': 'record_owner'}}]},"
                + "{'name': 'Complete', 'from': 'Ready', 'to': 'Completed',"
                + " 'before': {'owners': [{'type': 'record_owner'}, {'type': 'role', 'id': '" + managerRole + "'}]}, 'during': {'note': 'optional'}},"
                + "{'name': 'Cancel', 'from': ['Documents Pending', 'Documents Received', 'Logistics', 'Ready'], 'to': 'Cancelled',"
                + " 'before': {'owners': [{'type': 'role', 'id': '" + managerRole + "'}]}, 'during': {'note': 'mandatory'}},"
                + "{'name': 'Expire', 'from': 'Documents Pending', 'to': 'Cancelled', 'automatic': {'after': 'P30D'}}],"
                + " 'sla': [{'state': 'Documents Pending', 'escalations': ["
                + "   {'after': 'P7D', 'actions': [{'type': 'create_task', 'config': {'subject': 'Chase the documents for {{Trips.Trip_Name}}',"
                + "     'due': 'today', 'assign_to': 'record_owner'}}]},"
                + "   {'after': 'P14D', 'actions': [{'type': 'create_task', 'config': {'subject': 'Documents two weeks late: {{Trips.Trip_Name}}',"
                + "     'due': 'today', 'assign_to': '" + manager + "'}}]}]}]}";
    }

    /** Step 4: a discount over 12% waits for the sales manager; the trip is locked meanwhile. */
    static String discountProcess(UUID managerRole, UUID manager) {
        return "{'name': 'Discount over 12%', 'module': 'Trips', 'trigger': ['create', 'edit'], 'criteria': '(Discount:greater_than:12)',"
                + " 'steps': [{'approvers': [{'type': 'role', 'id': '" + managerRole + "'}], 'mode': 'any',"
                + "   'escalation': {'after': 'PT48H', 'then': 'notify', 'actions': [{'type': 'create_task', 'config':"
                + "     {'subject': 'Discount approval overdue: {{Trips.Trip_Name}}', 'due': 'today', 'assign_to': '" + manager + "'}}]}}],"
                + " 'editable_fields': ['Hotel', 'Flight', 'Co_Travellers'],"
                + " 'on_approval': [{'type': 'emit_signal', 'config': {'type': 'trip.discount_approved'}}],"
                + " 'on_rejection': [{'type': 'field_update', 'config': {'field': 'Discount', 'value': 12}}]}";
    }

    /** Step 5: the Case handling blueprint of the support desk. */
    static String caseHandling(UUID supportRole) {
        return "{'name': 'Case handling', 'module': 'Cases', 'field': 'Status', 'criteria': '(Priority:is_not_empty)', 'transitions': ["
                + "{'name': 'Hold', 'from': 'New', 'to': 'On Hold', 'before': {'owners': [{'type': 'role', 'id': '" + supportRole + "'}]},"
                + " 'during': {'note': 'mandatory'}},"
                + "{'name': 'Escalate', 'from': ['New', 'On Hold'], 'to': 'Escalated', 'before': {'owners': [{'type': 'role', 'id': '" + supportRole + "'},"
                + " {'type': 'record_owner'}]}},"
                + "{'name': 'Auto-escalate', 'from': 'On Hold', 'to': 'Escalated', 'automatic': {'after': 'P3D'}},"
                + "{'name': 'Resolve', 'from': ['New', 'On Hold', 'Escalated'], 'to': 'Closed', 'before': {'owners': [{'type': 'role', 'id': '" + supportRole + "'}]},"
                + " 'during': {'fields': [{'field': 'Description', 'mandatory': true}], 'checklist': ['Customer informed']},"
                + " 'after': [{'type': 'emit_signal', 'config': {'type': 'case.resolved'}}]}],"
                + " 'sla': [{'state': 'New', 'escalations': [{'after': 'PT4H', 'actions': [{'type': 'create_task', 'config':"
                + "   {'subject': 'Case waiting: {{Cases.Subject}}', 'due': 'today', 'assign_to': 'record_owner'}}]}]}]}";
    }

    /** Step 6: from her contact, pick a trip and a deal, change dates, co-travellers and her details across four modules. */
    static final String TRIP_DESK = "{'name': 'Trip desk', 'context_module': 'Contacts', 'start': 'pick', 'elements': ["
            + "{'id': 'pick', 'type': 'screen', 'title': 'Trips of {{record.First_Name}}', 'components': ["
            + "  {'type': 'text', 'text': 'Calling: {{record.First_Name}} {{record.Last_Name}}'},"
            + "  {'type': 'record_list', 'name': 'trip', 'module': 'Trips', 'sort': '-Start_Date', 'required': true,"
            + "   'criteria': {'conditions': [{'field': 'Contact_Name', 'operator': 'equals', 'value': '{{record.id}}'}]}},"
            + "  {'type': 'record_list', 'name': 'deal', 'module': 'Deals', 'required': true,"
            + "   'criteria': {'conditions': [{'field': 'Contact_Name', 'operator': 'equals', 'value': '{{record.id}}'}]}},"
            + "  {'type': 'record', 'name': 'account', 'module': 'Accounts', 'id': '{{record.Account_Name}}'},"
            + "  {'type': 'button', 'name': 'next', 'label': 'Open trip', 'next': 'details'}]},"
            + "{'id': 'details', 'type': 'screen', 'title': '{{trip.Trip_Name}}', 'components': ["
            + "  {'type': 'input', 'name': 'start', 'label': 'Start', 'field_type': 'date', 'required': true, 'default': '{{trip.Start_Date}}'},"
            + "  {'type': 'input', 'name': 'end', 'label': 'End', 'field_type': 'date', 'required': true, 'default': '{{trip.End_Date}}'},"
            + "  {'type': 'input', 'name': 'co_travellers', 'label': 'Co-travellers', 'field': 'Trips.Co_Travellers', 'default': '{{trip.Co_Travellers}}'},"
            + "  {'type': 'input', 'name': 'phone', 'field': 'Contacts.Phone', 'default': '{{record.Phone}}'},"
            + "  {'type': 'input', 'name': 'account_phone', 'field': 'Accounts.Phone', 'default': '{{account.Phone}}'},"
            + "  {'type': 'button', 'name': 'save', 'label': 'Save', 'next': 'check'},"
            + "  {'type': 'button', 'name': 'back', 'label': 'Back', 'next': 'pick', 'validate': false}]},"
            + "{'id': 'check', 'type': 'decision', 'branches': ["
            + "  {'criteria': {'conditions': [{'field': 'end', 'operator': 'before', 'value': '{{start}}'}]}, 'next': 'bad_dates'}],"
            + " 'otherwise': 'save'},"
            + "{'id': 'bad_dates', 'type': 'screen', 'components': ["
            + "  {'type': 'text', 'text': 'The trip cannot end ({{end}}) before it starts ({{start}}).'},"
            + "  {'type': 'button', 'name': 'fix', 'next': 'details'}]},"
            + "{'id': 'save', 'type': 'action', 'next': 'done', 'actions': ["
            + "  {'type': 'update_record', 'module': 'Trips', 'record': '{{trip.id}}', 'values': {'Start_Date': '{{start}}', 'End_Date': '{{end}}',"
            + "   'Co_Travellers': '{{co_travellers}}', 'Deal_Name': '{{deal.id}}'}},"
            + "  {'type': 'update_record', 'module': 'Deals', 'record': '{{deal.id}}', 'values': {'Closing_Date': '{{start}}'}},"
            + "  {'type': 'update_record', 'module': 'Contacts', 'record': '{{record.id}}', 'values': {'Phone': '{{phone}}'}},"
            + "  {'type': 'update_record', 'module': 'Accounts', 'record': '{{account.id}}', 'values': {'Phone': '{{account_phone}}'}},"
            + "  {'type': 'send_email', 'module': 'Contacts', 'record': '{{record.id}}', 'config': {'template_id': 'TEMPLATE'}},"
            + "  {'type': 'emit_signal', 'signal_type': 'trip.rescheduled', 'module': 'Trips', 'record': '{{trip.id}}',"
            + "   'payload': {'start': '{{start}}', 'end': '{{end}}'}}]},"
            + "{'id': 'done', 'type': 'end', 'message': '{{trip.Trip_Name}} now runs {{start}} to {{end}}'}]}";

    /** Step 7: the touchpoints Path Finder maps, and how signals of one customer are tied together. */
    static final String TOUCHPOINTS = "{'touchpoints': ["
            + "{'type': 'web.visit', 'label': 'Website', 'attribute': 'page'},"
            + "{'type': 'booking_site.visit', 'label': 'Booking site', 'attribute': 'site'},"
            + "{'type': 'review.*', 'label': 'Review site', 'attribute': 'site'},"
            + "{'type': 'email.opened', 'label': 'Email opened'},"
            + "{'type': 'email.clicked', 'label': 'Email clicked'},"
            + "{'type': 'email.replied', 'label': 'Email replied'},"
            + "{'type': 'chat.started', 'label': 'Chat', 'attribute': 'channel'},"
            + "{'type': 'chat.missed', 'label': 'Chat missed'},"
            + "{'type': 'form.submitted', 'label': 'Form'},"
            + "{'type': 'survey.responded', 'label': 'Survey answered'}],"
            + " 'identifiers': [{'kind': 'email', 'attribute': 'email', 'field': 'Email'}, {'kind': 'visitor_id', 'attribute': 'visitor_id'}]}";
}

package io.waymark.record;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The modules every organisation starts with, using the field API names people know from other
 * CRMs. They are ordinary metadata afterwards: admins may add fields, layouts and modules.
 */
public final class StandardModules {
    private StandardModules() {
    }

    /** Builds field lists tersely. */
    public static final class Fields {
        private final List<Field> fields = new ArrayList<>();

        public Fields add(String api, FieldType type) {
            return add(api, type, false, List.of(), null, false);
        }

        public Fields required(String api, FieldType type) {
            return add(api, type, true, List.of(), null, false);
        }

        public Fields picklist(String api, String... values) {
            return add(api, FieldType.PICKLIST, false, List.of(values), null, false);
        }

        public Fields lookup(String api, String module) {
            return add(api, FieldType.LOOKUP, false, List.of(), module, false);
        }

        public Fields readOnly(String api, FieldType type, String lookupModule) {
            return add(api, type, false, List.of(), lookupModule, true);
        }

        public Fields add(String api, FieldType type, boolean required, List<String> values, String lookup, boolean readOnly) {
            fields.add(new Field(UUID.randomUUID(), api, api.replace('_', ' '), type, required, false, null, null, null,
                    type == FieldType.PERCENT ? BigDecimal.ZERO : null, type == FieldType.PERCENT ? BigDecimal.valueOf(100) : null,
                    values, lookup, readOnly || api.equals("Owner"), readOnly, null, fields.size(), false));
            return this;
        }

        public List<Field> build() {
            return List.copyOf(fields);
        }
    }

    /** A module with one default layout holding every settable field. */
    public static Module module(String api, String singular, List<String> display, String subjectField, List<Field> fields) {
        List<String> onLayout = fields.stream().filter(f -> !f.readOnly()).map(Field::apiName).toList();
        Layout layout = new Layout(UUID.randomUUID(), "Standard", true, List.of(new Layout.Section(singular + " Information", onLayout)));
        return new Module(UUID.randomUUID(), api, singular, api, true, display, subjectField, fields, List.of(layout), null);
    }

    public static List<Module> all() {
        String[] leadSources = {"Advertisement", "Chat", "Cold Call", "Employee Referral", "External Referral", "Online Store",
            "Partner", "Public Relations", "Trade Show", "Web Download", "Web Research", "Web Form"};
        Module leads = module("Leads", "Lead", List.of("First_Name", "Last_Name"), null, new Fields()
                .add("First_Name", FieldType.TEXT).required("Last_Name", FieldType.TEXT)
                .add("Email", FieldType.EMAIL).add("Phone", FieldType.PHONE).add("Mobile", FieldType.PHONE)
                .add("Company", FieldType.TEXT).add("Title", FieldType.TEXT)
                .picklist("Lead_Status", "New", "Not Contacted", "Attempted to Contact", "Contacted", "Contact in Future",
                        "Pre-Qualified", "Not Qualified", "Junk Lead", "Lost Lead")
                .picklist("Lead_Source", leadSources)
                .add("Website", FieldType.URL).add("Annual_Revenue", FieldType.CURRENCY).add("No_of_Employees", FieldType.INTEGER)
                .add("City", FieldType.TEXT).add("Country", FieldType.TEXT).add("Email_Opt_Out", FieldType.BOOLEAN)
                .add("Description", FieldType.LONG_TEXT).add("Owner", FieldType.OWNER)
                .readOnly("Is_Converted", FieldType.BOOLEAN, null).readOnly("Converted_At", FieldType.DATETIME, null)
                .readOnly("Converted_Contact", FieldType.LOOKUP, "Contacts").readOnly("Converted_Account", FieldType.LOOKUP, "Accounts")
                .readOnly("Converted_Deal", FieldType.LOOKUP, "Deals").build());
        Module contacts = module("Contacts", "Contact", List.of("First_Name", "Last_Name"), null, new Fields()
                .add("First_Name", FieldType.TEXT).required("Last_Name", FieldType.TEXT)
                .add("Email", FieldType.EMAIL).add("Phone", FieldType.PHONE).add("Mobile", FieldType.PHONE)
                .lookup("Account_Name", "Accounts").add("Title", FieldType.TEXT).add("Department", FieldType.TEXT)
                .add("Date_of_Birth", FieldType.DATE).picklist("Lead_Source", leadSources)
                .add("Mailing_City", FieldType.TEXT).add("Mailing_Country", FieldType.TEXT).add("Email_Opt_Out", FieldType.BOOLEAN)
                .add("Description", FieldType.LONG_TEXT).add("Owner", FieldType.OWNER)
                .readOnly("Converted_From", FieldType.LOOKUP, "Leads").build());
        Module accounts = module("Accounts", "Account", List.of("Account_Name"), null, new Fields()
                .required("Account_Name", FieldType.TEXT).add("Website", FieldType.URL).add("Phone", FieldType.PHONE)
                .picklist("Industry", "Travel", "Hospitality", "Technology", "Finance", "Retail", "Healthcare", "Education", "Other")
                .add("Annual_Revenue", FieldType.CURRENCY).add("Employees", FieldType.INTEGER)
                .add("Billing_City", FieldType.TEXT).add("Billing_Country", FieldType.TEXT)
                .add("Description", FieldType.LONG_TEXT).add("Owner", FieldType.OWNER).build());
        Module deals = module("Deals", "Deal", List.of("Deal_Name"), "Contact_Name", new Fields()
                .required("Deal_Name", FieldType.TEXT)
                .picklist("Stage", "Qualification", "Needs Analysis", "Value Proposition", "Proposal/Price Quote",
                        "Negotiation/Review", "Closed Won", "Closed Lost")
                .add("Amount", FieldType.CURRENCY).add("Closing_Date", FieldType.DATE).add("Probability", FieldType.PERCENT)
                .lookup("Contact_Name", "Contacts").lookup("Account_Name", "Accounts").picklist("Lead_Source", leadSources)
                .add("Description", FieldType.LONG_TEXT).add("Owner", FieldType.OWNER).build());
        Module tasks = module("Tasks", "Task", List.of("Subject"), "Contact_Name", new Fields()
                .required("Subject", FieldType.TEXT).add("Due_Date", FieldType.DATE)
                .picklist("Status", "Not Started", "In Progress", "Waiting for Input", "Deferred", "Completed")
                .picklist("Priority", "Highest", "High", "Normal", "Low", "Lowest")
                .lookup("Contact_Name", "Contacts").add("Description", FieldType.LONG_TEXT).add("Owner", FieldType.OWNER).build());
        Module calls = module("Calls", "Call", List.of("Subject"), "Contact_Name", new Fields()
                .required("Subject", FieldType.TEXT).picklist("Call_Type", "Outbound", "Inbound", "Missed")
                .add("Call_Start_Time", FieldType.DATETIME).add("Call_Duration", FieldType.INTEGER)
                .picklist("Call_Result", "Interested", "Not Interested", "No Response", "Busy", "Requested More Info",
                        "Requested Call Back", "Invalid Number")
                .lookup("Contact_Name", "Contacts").add("Description", FieldType.LONG_TEXT).add("Owner", FieldType.OWNER).build());
        Module cases = module("Cases", "Case", List.of("Subject"), "Contact_Name", new Fields()
                .required("Subject", FieldType.TEXT).picklist("Status", "New", "On Hold", "Escalated", "Closed")
                .picklist("Priority", "High", "Medium", "Low").picklist("Case_Origin", "Email", "Phone", "Web", "Chat")
                .lookup("Contact_Name", "Contacts").lookup("Account_Name", "Accounts")
                .add("Description", FieldType.LONG_TEXT).add("Owner", FieldType.OWNER).build());
        return List.of(leads, contacts, accounts, deals, tasks, calls, cases);
    }
}

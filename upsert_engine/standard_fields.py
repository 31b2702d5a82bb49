"""Standard fields of Zoho CRM's standard modules (data only; R2, R4, R15).

Each entry: (api_name, data_type, max_length or None), in Zoho's field-metadata order.
Sources: field API names from the Zoho CRM Python SDK's ``Field.<Module>`` classes and the
Contacts field-metadata sample in Zoho's embedded-app JS SDK; lengths from Zoho's v8
``GET /settings/fields?module=Leads`` sample (Company 200, Phone 30, Website 255, City 100)
and Zoho's "Standard Fields in <module>" help pages (Deal_Name 120, Next_Step 100, Cases
Subject 255, Internal_Comments 3000, Quotes Subject 120, Product_Name 50, Product_Code 40,
Vendor_Name 50, Vendor Category 40, Account_Site 80, Account_Number 40, Ticker_Symbol 30).
Otherwise Zoho's defaults: text 255, email 100, phone 30, website 255, textarea 32000,
picklist 120. Address City/State/Country use the v8 length 100 in every module (old help
pages said 30). ``None``: the type's default limit (R15: Number 9 digits, Currency 16 before
the point, ...) or none (dates, booleans, lookups).

Checked against Zoho's v7 field-metadata sample for Leads (``GET /settings/fields?module=Leads``
on https://www.zoho.com/crm/developer/docs/api/v7/field-meta.html): every Leads length below
is the sample's (Salutation 25, not 120; No_of_Employees 9 digits; Annual_Revenue 16 digits
and ``decimal_place`` 2). Contacts' Salutation is the same standard picklist: 25 [inf].
Every module but Price_Books starts with ``Owner`` (ownerlookup), as Zoho's Leads field-metadata
sample does (R32; Price_Books without one is the spec's [inf]: add it with ``add_field``).
"""

from __future__ import annotations

from typing import Final

FieldRow = tuple[str, str, int | None]

#: Field metadata ``decimal_place`` where Zoho's samples give one (others: the type's, R15).
STANDARD_DECIMAL_PLACES: Final[dict[tuple[str, str], int]] = {("Leads", "Annual_Revenue"): 2}

_BILLING_SHIPPING: Final[tuple[FieldRow, ...]] = (
    ("Billing_Street", "text", 250),
    ("Shipping_Street", "text", 250),
    ("Billing_City", "text", 100),
    ("Shipping_City", "text", 100),
    ("Billing_State", "text", 100),
    ("Shipping_State", "text", 100),
    ("Billing_Code", "text", 30),
    ("Shipping_Code", "text", 30),
    ("Billing_Country", "text", 100),
    ("Shipping_Country", "text", 100),
)

_INVENTORY_TOTALS: Final[tuple[FieldRow, ...]] = (
    ("Discount", "currency", None),
    ("Tax", "currency", None),
    ("Adjustment", "currency", None),
    ("Terms_and_Conditions", "textarea", 32000),
    ("Description", "textarea", 32000),
)

STANDARD_FIELDS: Final[dict[str, tuple[FieldRow, ...]]] = {
    "Leads": (
        ("Owner", "ownerlookup", None),  # R32
        ("Company", "text", 200),
        ("First_Name", "text", 40),
        ("Last_Name", "text", 80),
        ("Full_Name", "text", 120),
        # labelled "Title"; Leads has no API field Title (leads_v7 in standard_labels: field
        # "Title" is api_name Designation, convert_mapping Contacts.Title)
        ("Designation", "text", 100),
        ("Email", "email", 100),
        ("Phone", "phone", 30),
        ("Fax", "text", 30),
        ("Mobile", "phone", 30),
        ("Website", "website", 255),
        ("Lead_Source", "picklist", 120),
        ("Lead_Status", "picklist", 120),
        ("Industry", "picklist", 120),
        ("No_of_Employees", "integer", 9),
        ("Annual_Revenue", "currency", 16),
        ("Rating", "picklist", 120),
        ("Email_Opt_Out", "boolean", None),
        ("Skype_ID", "text", 50),
        ("Salutation", "picklist", 25),
        ("Street", "text", 250),
        ("City", "text", 100),
        ("State", "text", 100),
        ("Zip_Code", "text", 30),
        ("Country", "text", 100),
        ("Description", "textarea", 32000),
        ("Secondary_Email", "email", 100),
        ("Twitter", "text", 50),
    ),
    "Accounts": (
        ("Owner", "ownerlookup", None),  # R32
        ("Account_Name", "text", 200),
        ("Account_Site", "text", 80),
        ("Parent_Account", "lookup", None),
        ("Account_Number", "text", 40),
        ("Account_Type", "picklist", 120),
        ("Industry", "picklist", 120),
        ("Annual_Revenue", "currency", None),
        ("Rating", "picklist", 120),
        ("Phone", "phone", 30),
        ("Fax", "text", 30),
        ("Website", "website", 255),
        ("Ticker_Symbol", "text", 30),
        ("Ownership", "picklist", 120),
        ("Employees", "integer", None),
        ("SIC_Code", "integer", None),
        *_BILLING_SHIPPING,
        ("Description", "textarea", 32000),
    ),
    "Contacts": (
        ("Owner", "ownerlookup", None),  # R32
        ("Lead_Source", "picklist", 120),
        ("First_Name", "text", 40),
        ("Last_Name", "text", 80),
        ("Full_Name", "text", 120),
        ("Account_Name", "lookup", None),
        ("Vendor_Name", "lookup", None),
        ("Email", "email", 100),
        ("Title", "text", 100),
        ("Department", "text", 50),
        ("Phone", "phone", 30),
        ("Home_Phone", "phone", 30),
        ("Other_Phone", "phone", 30),
        ("Fax", "text", 30),
        ("Mobile", "phone", 30),
        ("Date_of_Birth", "date", None),
        ("Assistant", "text", 50),
        ("Asst_Phone", "phone", 30),
        ("Reporting_To", "lookup", None),
        ("Email_Opt_Out", "boolean", None),
        ("Skype_ID", "text", 50),
        ("Salutation", "picklist", 25),
        ("Secondary_Email", "email", 100),
        ("Twitter", "text", 50),
        ("Mailing_Street", "text", 250),
        ("Other_Street", "text", 250),
        ("Mailing_City", "text", 100),
        ("Other_City", "text", 100),
        ("Mailing_State", "text", 100),
        ("Other_State", "text", 100),
        ("Mailing_Zip", "text", 30),
        ("Other_Zip", "text", 30),
        ("Mailing_Country", "text", 100),
        ("Other_Country", "text", 100),
        ("Description", "textarea", 32000),
    ),
    "Deals": (
        ("Owner", "ownerlookup", None),  # R32
        ("Amount", "currency", None),
        ("Deal_Name", "text", 120),
        ("Closing_Date", "date", None),
        ("Account_Name", "lookup", None),
        ("Stage", "picklist", 120),
        ("Type", "picklist", 120),
        ("Probability", "integer", None),
        ("Expected_Revenue", "currency", None),
        ("Next_Step", "text", 100),
        ("Lead_Source", "picklist", 120),
        ("Campaign_Source", "lookup", None),
        ("Contact_Name", "lookup", None),
        ("Pipeline", "picklist", 120),
        ("Description", "textarea", 32000),
    ),
    "Campaigns": (
        ("Owner", "ownerlookup", None),  # R32
        ("Campaign_Name", "text", 255),
        ("Type", "picklist", 120),
        ("Status", "picklist", 120),
        ("Start_Date", "date", None),
        ("End_Date", "date", None),
        ("Expected_Revenue", "currency", None),
        ("Budgeted_Cost", "currency", None),
        ("Actual_Cost", "currency", None),
        ("Expected_Response", "integer", None),
        ("Num_sent", "integer", None),
        ("Parent_Campaign", "lookup", None),
        ("Description", "textarea", 32000),
    ),
    "Cases": (
        ("Owner", "ownerlookup", None),  # R32
        ("Product_Name", "lookup", None),
        ("Subject", "text", 255),
        ("Priority", "picklist", 120),
        ("Status", "picklist", 120),
        ("Type", "picklist", 120),
        ("Case_Origin", "picklist", 120),
        ("Case_Reason", "picklist", 120),
        ("Related_To", "lookup", None),
        ("Account_Name", "lookup", None),
        ("Deal_Name", "lookup", None),
        ("Reported_By", "text", 255),
        ("Email", "email", 100),
        ("Phone", "phone", 30),
        ("Description", "textarea", 32000),
        ("Internal_Comments", "textarea", 3000),
        ("Solution", "textarea", 32000),
    ),
    "Solutions": (
        ("Owner", "ownerlookup", None),  # R32
        ("Solution_Title", "text", 255),
        ("Product_Name", "lookup", None),
        ("Status", "picklist", 120),
        ("Published", "boolean", None),
        ("Question", "textarea", 32000),
        ("Answer", "textarea", 32000),
        ("No_of_comments", "integer", None),
    ),
    "Products": (
        ("Owner", "ownerlookup", None),  # R32
        ("Product_Name", "text", 50),
        ("Product_Code", "text", 40),
        ("Vendor_Name", "lookup", None),
        ("Product_Active", "boolean", None),
        ("Manufacturer", "picklist", 120),
        ("Product_Category", "picklist", 120),
        ("Sales_Start_Date", "date", None),
        ("Sales_End_Date", "date", None),
        ("Support_Start_Date", "date", None),
        ("Support_Expiry_Date", "date", None),
        ("Unit_Price", "currency", None),
        ("Commission_Rate", "currency", None),
        ("Tax", "multiselectpicklist", None),
        ("Taxable", "boolean", None),
        ("Usage_Unit", "picklist", 120),
        ("Qty_Ordered", "double", None),
        ("Qty_in_Stock", "double", None),
        ("Reorder_Level", "double", None),
        ("Handler", "ownerlookup", None),
        ("Qty_in_Demand", "double", None),
        ("Description", "textarea", 32000),
    ),
    "Vendors": (
        ("Owner", "ownerlookup", None),  # R32
        ("Vendor_Name", "text", 50),
        ("Phone", "phone", 30),
        ("Email", "email", 100),
        ("Website", "website", 255),
        ("GL_Account", "picklist", 120),
        ("Category", "text", 40),
        ("Street", "text", 250),
        ("City", "text", 100),
        ("State", "text", 100),
        ("Zip_Code", "text", 30),
        ("Country", "text", 100),
        ("Email_Opt_Out", "boolean", None),
        ("Description", "textarea", 32000),
    ),
    "Price_Books": (
        ("Price_Book_Name", "text", 255),
        ("Active", "boolean", None),
        ("Pricing_Model", "picklist", 120),
        ("Pricing_Details", "subform", 100),
        ("Description", "textarea", 32000),
    ),
    "Quotes": (
        ("Owner", "ownerlookup", None),  # R32
        ("Subject", "text", 120),
        ("Deal_Name", "lookup", None),
        ("Quote_Stage", "picklist", 120),
        ("Valid_Till", "date", None),
        ("Contact_Name", "lookup", None),
        ("Account_Name", "lookup", None),
        ("Carrier", "picklist", 120),
        ("Team", "text", 255),
        *_BILLING_SHIPPING,
        ("Quoted_Items", "subform", 100),
        *_INVENTORY_TOTALS,
    ),
    "Sales_Orders": (
        ("Owner", "ownerlookup", None),  # R32
        ("Subject", "text", 255),
        ("Customer_No", "text", 255),
        ("Deal_Name", "lookup", None),
        ("Purchase_Order", "text", 255),
        ("Quote_Name", "lookup", None),
        ("Due_Date", "date", None),
        ("Contact_Name", "lookup", None),
        ("Carrier", "picklist", 120),
        ("Excise_Duty", "currency", None),
        ("Sales_Commission", "currency", None),
        ("Status", "picklist", 120),
        ("Account_Name", "lookup", None),
        *_BILLING_SHIPPING,
        ("Ordered_Items", "subform", 100),
        *_INVENTORY_TOTALS,
    ),
    "Purchase_Orders": (
        ("Owner", "ownerlookup", None),  # R32
        ("Subject", "text", 255),
        ("Vendor_Name", "lookup", None),
        ("Requisition_No", "text", 255),
        ("Tracking_Number", "text", 255),
        ("Contact_Name", "lookup", None),
        ("PO_Number", "text", 255),
        ("PO_Date", "date", None),
        ("Due_Date", "date", None),
        ("Carrier", "picklist", 120),
        ("Excise_Duty", "currency", None),
        ("Sales_Commission", "currency", None),
        ("Status", "picklist", 120),
        *_BILLING_SHIPPING,
        ("Purchased_Items", "subform", 100),
        *_INVENTORY_TOTALS,
    ),
    "Invoices": (
        ("Owner", "ownerlookup", None),  # R32
        ("Subject", "text", 255),
        ("Sales_Order", "lookup", None),
        ("Invoice_Date", "date", None),
        ("Purchase_Order", "text", 255),
        ("Due_Date", "date", None),
        ("Excise_Duty", "currency", None),
        ("Sales_Commission", "currency", None),
        ("Status", "picklist", 120),
        ("Contact_Name", "lookup", None),
        ("Account_Name", "lookup", None),
        *_BILLING_SHIPPING,
        ("Invoiced_Items", "subform", 100),
        *_INVENTORY_TOTALS,
    ),
    "Appointments": (
        ("Owner", "ownerlookup", None),  # R32
        ("Appointment_Name", "text", 255),
        ("Appointment_For", "lookup", None),
        ("Service_Name", "lookup", None),
        ("Appointment_Start_Time", "datetime", None),
        ("Appointment_End_Time", "datetime", None),
        ("Duration", "integer", None),
        ("Status", "picklist", 120),
        ("Location", "picklist", 120),
        ("Address", "textarea", 32000),
        ("Additional_Information", "textarea", 32000),
        ("Cancellation_Reason", "picklist", 120),
        ("Cancellation_Note", "textarea", 32000),
        ("Reschedule_Reason", "picklist", 120),
        ("Reschedule_Note", "textarea", 32000),
    ),
    "Services": (
        ("Owner", "ownerlookup", None),  # R32
        ("Service_Name", "text", 255),
        ("Duration", "integer", None),
        ("Price", "currency", None),
        ("Location", "picklist", 120),
        ("Status", "picklist", 120),
        ("Availability_Type", "picklist", 120),
        ("Available_Days", "multiselectpicklist", None),
        ("Job_Sheet_Required", "boolean", None),
        ("Unavailable_From", "date", None),
        ("Unavailable_Till", "date", None),
        ("Description", "textarea", 32000),
    ),
}


#: Target module of each standard lookup field (Zoho's field metadata ``lookup.module``): R33
#: checks a lookup's id against it, the fake server lists it in ``/settings/fields``.
LOOKUP_TARGETS: Final[dict[tuple[str, str], str]] = {
    ("Accounts", "Parent_Account"): "Accounts",
    ("Contacts", "Account_Name"): "Accounts",
    ("Contacts", "Vendor_Name"): "Vendors",
    ("Contacts", "Reporting_To"): "Contacts",
    ("Deals", "Account_Name"): "Accounts",
    ("Deals", "Campaign_Source"): "Campaigns",
    ("Deals", "Contact_Name"): "Contacts",
    ("Campaigns", "Parent_Campaign"): "Campaigns",
    ("Cases", "Product_Name"): "Products",
    ("Cases", "Related_To"): "Contacts",
    ("Cases", "Account_Name"): "Accounts",
    ("Cases", "Deal_Name"): "Deals",
    ("Solutions", "Product_Name"): "Products",
    ("Products", "Vendor_Name"): "Vendors",
    ("Quotes", "Deal_Name"): "Deals",
    ("Quotes", "Contact_Name"): "Contacts",
    ("Quotes", "Account_Name"): "Accounts",
    ("Sales_Orders", "Deal_Name"): "Deals",
    ("Sales_Orders", "Quote_Name"): "Quotes",
    ("Sales_Orders", "Contact_Name"): "Contacts",
    ("Sales_Orders", "Account_Name"): "Accounts",
    ("Purchase_Orders", "Vendor_Name"): "Vendors",
    ("Purchase_Orders", "Contact_Name"): "Contacts",
    ("Invoices", "Sales_Order"): "Sales_Orders",
    ("Invoices", "Contact_Name"): "Contacts",
    ("Invoices", "Account_Name"): "Accounts",
    ("Appointments", "Service_Name"): "Services",
}


# --- R36: subforms of the standard modules ---------------------------------------------------
#: The row fields of a line item (Zoho's inventory line items; Product_Name looks up Products,
#: ``SUBFORM_LOOKUP_TARGETS``).
LINE_ITEM_FIELDS: Final[tuple[FieldRow, ...]] = (
    ("Product_Name", "lookup", None),
    ("Quantity", "double", None),
    ("List_Price", "currency", None),
    ("Discount", "currency", None),
    ("Description", "textarea", 2000),
)
#: R36 [doc insert-records, inventory section]: what a new line item must carry.
LINE_ITEM_MANDATORY: Final = ("Product_Name", "Quantity")

#: (module, subform field) -> (row fields, row fields a new row needs). Price_Books'
#: Pricing_Details rows are the discount ranges of Zoho's price books.
STANDARD_SUBFORMS: Final[dict[tuple[str, str], tuple[tuple[FieldRow, ...], tuple[str, ...]]]] = {
    ("Quotes", "Quoted_Items"): (LINE_ITEM_FIELDS, LINE_ITEM_MANDATORY),
    ("Sales_Orders", "Ordered_Items"): (LINE_ITEM_FIELDS, LINE_ITEM_MANDATORY),
    ("Purchase_Orders", "Purchased_Items"): (LINE_ITEM_FIELDS, LINE_ITEM_MANDATORY),
    ("Invoices", "Invoiced_Items"): (LINE_ITEM_FIELDS, LINE_ITEM_MANDATORY),
    (
        "Price_Books",
        "Pricing_Details",
    ): (
        (
            ("from_range", "double", None),
            ("to_range", "double", None),
            ("discount", "double", None),
        ),
        (),
    ),
}

#: R33, R36: (subform field, row field) -> the module a lookup cell of the row looks up.
SUBFORM_LOOKUP_TARGETS: Final[dict[tuple[str, str], str]] = {
    (subform, "Product_Name"): "Products"
    for subform in ("Quoted_Items", "Ordered_Items", "Purchased_Items", "Invoiced_Items")
}

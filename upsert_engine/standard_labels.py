"""Zoho's display labels (``field_label``) of the standard fields, for reading Zoho CSV exports.

A Zoho export names its columns by label ("First Name", "No. of Employees", "Lead Owner",
"Record Id"), not by API name. ``LABELS[module][api_name]`` is that label for every field of
``standard_fields.STANDARD_FIELDS`` plus the system columns an export carries: ``id`` ("Record
Id"), ``Owner`` ("<Module> Owner"), ``Created_By``, ``Modified_By``, ``Created_Time``,
``Modified_Time``. Each row names its source (``SOURCES``); a row with source ``INFERRED`` had
none: its label follows Zoho's convention (the API name with underscores as spaces; owners as
"<singular module label> Owner") and is listed in ``INFERRED_LABELS``. Never read an inferred
label as Zoho's word.

``ALTERNATE_LABELS`` holds other labels a source shows for the same field (an older org's
label, a display_label, a help page's spelling); they resolve too, never shadowing a label.
``LABEL_CLASHES`` documents the one header two fields claim and what it resolves to.
Data only plus pure lookups; the standard library only.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from .errors import ConfigurationError, shown

Row = tuple[str, str, str]  # (api_name, label, source key in SOURCES)

INFERRED: Final = "inferred"
SOURCES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "leads_v7": "Zoho API v7 docs, GET /settings/fields?module=Leads sample response "
        "(zoho.com/crm/developer/docs/api/v7/field-meta.html; copy in github "
        "SurajKumar2235/Crm_ChatBOT api_docs1/Fields.md); Owner/Company/First Name also in "
        "zoho/crm-oas v8.0/fields/operations/getFields/examples/response-200-fullexample.md",
        "contacts_sdk": "Zoho embedded-app JS SDK, ZOHO.CRM.META.getLayouts({Entity: "
        "'Contacts'}) sample (github ZohoDevelopers/embeddedApp-js-sdk lib/ZohoCrmHelper.js "
        "@05f07ab)",
        "deals_oas": "zoho/crm-oas v8 getLayouts example: convert_mapping.Deals field labels",
        "help": "Zoho CRM help page 'Standard Fields in <module>' (URL at the module's table)",
        "wiki": "Zoho's CRM wiki, zohocrm.wiki.zoho.com/Zoho-CRM---Standard-Fields.html",
        INFERRED: "no source found: Zoho's naming convention, see the module docstring",
    }
)

_I: Final = INFERRED


def _system(owner: str, owner_src: str, by_src: str, time_src: str, id_src: str) -> tuple[Row, ...]:
    """The system columns of an export: record id, owner, created/modified by and time."""
    return (
        ("id", "Record Id", id_src),
        ("Owner", owner, owner_src),
        ("Created_By", "Created By", by_src),
        ("Modified_By", "Modified By", by_src),
        ("Created_Time", "Created Time", time_src),
        ("Modified_Time", "Modified Time", time_src),
    )


# Help pages list these only as the Street/City/State/Code (or Zip)/Country parts of "Billing
# Address" and "Shipping Address": the combined labels are inferred.
_BILLING_SHIPPING: Final[tuple[Row, ...]] = tuple(
    (f"{side}_{part}", f"{side} {part}", _I)
    for part in ("Street", "City", "State", "Code", "Country")
    for side in ("Billing", "Shipping")
)
# The inventory totals sit below the help pages' excerpts we could read: inferred.
_INVENTORY_TOTALS: Final[tuple[Row, ...]] = (
    ("Discount", "Discount", _I),
    ("Tax", "Tax", _I),
    ("Adjustment", "Adjustment", _I),
    ("Terms_and_Conditions", "Terms and Conditions", _I),
    ("Description", "Description", _I),
)

_TABLES: Final[dict[str, tuple[Row, ...]]] = {
    # Source: leads_v7 for every row. "Title" is the label of Designation (Leads has no API
    # field Title: its convert_mapping sends Designation to Contacts' Title).
    "Leads": (
        ("Company", "Company", "leads_v7"),
        ("First_Name", "First Name", "leads_v7"),
        ("Last_Name", "Last Name", "leads_v7"),
        ("Full_Name", "Full Name", "leads_v7"),
        ("Designation", "Title", "leads_v7"),
        ("Email", "Email", "leads_v7"),
        ("Phone", "Phone", "leads_v7"),
        ("Fax", "Fax", "leads_v7"),
        ("Mobile", "Mobile", "leads_v7"),
        ("Website", "Website", "leads_v7"),
        ("Lead_Source", "Lead Source", "leads_v7"),
        ("Lead_Status", "Lead Status", "leads_v7"),
        ("Industry", "Industry", "leads_v7"),
        ("No_of_Employees", "No. of Employees", "leads_v7"),
        ("Annual_Revenue", "Annual Revenue", "leads_v7"),
        ("Rating", "Rating", "leads_v7"),
        ("Email_Opt_Out", "Email Opt Out", "leads_v7"),
        ("Skype_ID", "Skype ID", "leads_v7"),
        ("Salutation", "Salutation", "leads_v7"),
        ("Street", "Street", "leads_v7"),
        ("City", "City", "leads_v7"),
        ("State", "State", "leads_v7"),
        ("Zip_Code", "Zip Code", "leads_v7"),
        ("Country", "Country", "leads_v7"),
        ("Description", "Description", "leads_v7"),
        ("Secondary_Email", "Secondary Email", "leads_v7"),
        ("Twitter", "Twitter", "leads_v7"),
        *_system("Lead Owner", "leads_v7", "leads_v7", "leads_v7", "leads_v7"),
    ),
    # Source: help, help.zoho.com/portal/en/kb/crm/sales-force-automation/accounts/articles/
    # standard-fields-accounts (also zoho.eu/crm/help/accounts/standard-fields.html).
    # Description is past the excerpt read.
    "Accounts": (
        ("Account_Name", "Account Name", "help"),
        ("Account_Site", "Account Site", "help"),
        ("Parent_Account", "Parent Account", "help"),
        ("Account_Number", "Account Number", "help"),
        ("Account_Type", "Account Type", "help"),
        ("Industry", "Industry", "help"),
        ("Annual_Revenue", "Annual Revenue", "help"),
        ("Rating", "Rating", "help"),
        ("Phone", "Phone", "help"),
        ("Fax", "Fax", "help"),
        ("Website", "Website", "help"),
        ("Ticker_Symbol", "Ticker Symbol", "help"),
        ("Ownership", "Ownership", "help"),
        ("Employees", "Employees", "help"),
        ("SIC_Code", "SIC Code", "help"),
        *_BILLING_SHIPPING,
        ("Description", "Description", _I),
        *_system("Account Owner", "help", "help", _I, _I),
    ),
    # Source: contacts_sdk for every row but Reporting_To: the sample's org has the older
    # Reports_To ("Reports To", an ALTERNATE_LABELS entry); "Reporting To" is inferred.
    "Contacts": (
        ("Lead_Source", "Lead Source", "contacts_sdk"),
        ("First_Name", "First Name", "contacts_sdk"),
        ("Last_Name", "Last Name", "contacts_sdk"),
        ("Full_Name", "Full Name", "contacts_sdk"),
        ("Account_Name", "Account Name", "contacts_sdk"),
        ("Vendor_Name", "Vendor Name", "contacts_sdk"),
        ("Email", "Email", "contacts_sdk"),
        ("Title", "Title", "contacts_sdk"),
        ("Department", "Department", "contacts_sdk"),
        ("Phone", "Phone", "contacts_sdk"),
        ("Home_Phone", "Home Phone", "contacts_sdk"),
        ("Other_Phone", "Other Phone", "contacts_sdk"),
        ("Fax", "Fax", "contacts_sdk"),
        ("Mobile", "Mobile", "contacts_sdk"),
        ("Date_of_Birth", "Date of Birth", "contacts_sdk"),
        ("Assistant", "Assistant", "contacts_sdk"),
        ("Asst_Phone", "Asst Phone", "contacts_sdk"),
        ("Reporting_To", "Reporting To", _I),
        ("Email_Opt_Out", "Email Opt Out", "contacts_sdk"),
        ("Skype_ID", "Skype ID", "contacts_sdk"),
        ("Salutation", "Salutation", "contacts_sdk"),
        ("Secondary_Email", "Secondary Email", "contacts_sdk"),
        ("Twitter", "Twitter", "contacts_sdk"),
        ("Mailing_Street", "Mailing Street", "contacts_sdk"),
        ("Other_Street", "Other Street", "contacts_sdk"),
        ("Mailing_City", "Mailing City", "contacts_sdk"),
        ("Other_City", "Other City", "contacts_sdk"),
        ("Mailing_State", "Mailing State", "contacts_sdk"),
        ("Other_State", "Other State", "contacts_sdk"),
        ("Mailing_Zip", "Mailing Zip", "contacts_sdk"),
        ("Other_Zip", "Other Zip", "contacts_sdk"),
        ("Mailing_Country", "Mailing Country", "contacts_sdk"),
        ("Other_Country", "Other Country", "contacts_sdk"),
        ("Description", "Description", "contacts_sdk"),
        *_system("Contact Owner", "contacts_sdk", "contacts_sdk", "contacts_sdk", _I),
    ),
    # Source: help, help.zoho.com/portal/en/kb/crm/sales-force-automation/deal-management/
    # articles/standard-fields-deals; Pipeline from deals_oas. Zoho's own samples (deals_oas,
    # leads_v7 convert_mapping) come from orgs that still label Deal_Name "Potential Name"
    # (ALTERNATE_LABELS); the help page of today's Deals module says "Deal Name".
    "Deals": (
        ("Amount", "Amount", "help"),
        ("Deal_Name", "Deal Name", "help"),
        ("Closing_Date", "Closing Date", "help"),
        ("Account_Name", "Account Name", "help"),
        ("Stage", "Stage", "help"),
        ("Type", "Type", "help"),
        ("Probability", "Probability", "help"),
        ("Expected_Revenue", "Expected Revenue", "help"),
        ("Next_Step", "Next Step", "help"),
        ("Lead_Source", "Lead Source", "help"),
        ("Campaign_Source", "Campaign Source", "help"),
        ("Contact_Name", "Contact Name", "help"),
        ("Pipeline", "Pipeline", "deals_oas"),
        ("Description", "Description", "help"),
        *_system("Deal Owner", "help", "help", _I, _I),
    ),
    # Source: wiki (Campaigns table). It calls Num_sent "Number sent" (ALTERNATE_LABELS);
    # "Num sent" follows the API name and is inferred, as is Parent Campaign (not listed).
    "Campaigns": (
        ("Campaign_Name", "Campaign Name", "wiki"),
        ("Type", "Type", "wiki"),
        ("Status", "Status", "wiki"),
        ("Start_Date", "Start Date", "wiki"),
        ("End_Date", "End Date", "wiki"),
        ("Expected_Revenue", "Expected Revenue", "wiki"),
        ("Budgeted_Cost", "Budgeted Cost", "wiki"),
        ("Actual_Cost", "Actual Cost", "wiki"),
        ("Expected_Response", "Expected Response", "wiki"),
        ("Num_sent", "Num sent", _I),
        ("Parent_Campaign", "Parent Campaign", _I),
        ("Description", "Description", "wiki"),
        *_system("Campaign Owner", "wiki", _I, _I, _I),
    ),
    # Source: help, help.zoho.com/portal/en/kb/crm-help-old/customer-support/articles/
    # old-working-with-cases ("Standard fields in the Cases module"). It names Deal_Name
    # "Potential Name" (ALTERNATE_LABELS); "Deal Name" is inferred.
    "Cases": (
        ("Product_Name", "Product Name", "help"),
        ("Subject", "Subject", "help"),
        ("Priority", "Priority", "help"),
        ("Status", "Status", "help"),
        ("Type", "Type", "help"),
        ("Case_Origin", "Case Origin", "help"),
        ("Case_Reason", "Case Reason", "help"),
        ("Related_To", "Related To", "help"),
        ("Account_Name", "Account Name", "help"),
        ("Deal_Name", "Deal Name", _I),
        ("Reported_By", "Reported By", "help"),
        ("Email", "Email", "help"),
        ("Phone", "Phone", "help"),
        ("Description", "Description", "help"),
        ("Internal_Comments", "Internal Comments", "help"),
        ("Solution", "Solution", "help"),
        *_system("Case Owner", "help", _I, _I, _I),
    ),
    # No source found for Solutions: every row inferred.
    "Solutions": (
        ("Solution_Title", "Solution Title", _I),
        ("Product_Name", "Product Name", _I),
        ("Status", "Status", _I),
        ("Published", "Published", _I),
        ("Question", "Question", _I),
        ("Answer", "Answer", _I),
        ("No_of_comments", "No of comments", _I),
        *_system("Solution Owner", _I, _I, _I, _I),
    ),
    # Source: help, help.zoho.com/portal/en/kb/crm/manage-inventory/products/articles/
    # standard-fields-products (read in its copy at ubicorp.zohodesk.com). Tax is not listed.
    "Products": (
        ("Product_Name", "Product Name", "help"),
        ("Product_Code", "Product Code", "help"),
        ("Vendor_Name", "Vendor Name", "help"),
        ("Product_Active", "Product Active", "help"),
        ("Manufacturer", "Manufacturer", "help"),
        ("Product_Category", "Product Category", "help"),
        ("Sales_Start_Date", "Sales Start Date", "help"),
        ("Sales_End_Date", "Sales End Date", "help"),
        ("Support_Start_Date", "Support Start Date", "help"),
        ("Support_Expiry_Date", "Support Expiry Date", "help"),
        ("Unit_Price", "Unit Price", "help"),
        ("Commission_Rate", "Commission Rate", "help"),
        ("Tax", "Tax", _I),
        ("Taxable", "Taxable", "help"),
        ("Usage_Unit", "Usage Unit", "help"),
        ("Qty_Ordered", "Qty Ordered", "help"),
        ("Qty_in_Stock", "Qty in Stock", "help"),
        ("Reorder_Level", "Reorder Level", "help"),
        ("Handler", "Handler", "help"),
        ("Qty_in_Demand", "Qty in Demand", "help"),
        ("Description", "Description", "help"),
        *_system("Product Owner", "help", "help", _I, _I),
    ),
    # Source: help, zoho.com/crm/help/vendors/standard-fields.html. It spells Email "E-mail"
    # and the address code "Postal Code" (ALTERNATE_LABELS): "Email", "Zip Code" inferred.
    "Vendors": (
        ("Vendor_Name", "Vendor Name", "help"),
        ("Phone", "Phone", "help"),
        ("Email", "Email", _I),
        ("Website", "Website", "help"),
        ("GL_Account", "GL Account", "help"),
        ("Category", "Category", "help"),
        ("Street", "Street", "help"),
        ("City", "City", "help"),
        ("State", "State", "help"),
        ("Zip_Code", "Zip Code", _I),
        ("Country", "Country", "help"),
        ("Email_Opt_Out", "Email Opt Out", _I),
        ("Description", "Description", "help"),
        *_system("Vendor Owner", "help", "help", _I, _I),
    ),
    # Source: help, zoho.com/crm/help/price-books/standard-fields.html, which writes
    # "Price book Name" / "Price book Owner" (labels resolve case-insensitively).
    "Price_Books": (
        ("Price_Book_Name", "Price Book Name", "help"),
        ("Active", "Active", "help"),
        ("Pricing_Model", "Pricing Model", "help"),
        ("Pricing_Details", "Pricing Details", _I),  # R36 subform (issue 10)
        ("Description", "Description", "help"),
        *_system("Price Book Owner", "help", "help", _I, _I),
    ),
    # Source: help, help.zoho.com/portal/en/kb/crm/manage-inventory/quotes/articles/
    # standard-fields-quotes (read in its copies at support.suno.co.in, help.extensionerp.com).
    # Team is not listed (the page predates it).
    "Quotes": (
        ("Subject", "Subject", "help"),
        ("Deal_Name", "Deal Name", "help"),
        ("Quote_Stage", "Quote Stage", "help"),
        ("Valid_Till", "Valid Till", "help"),
        ("Contact_Name", "Contact Name", "help"),
        ("Account_Name", "Account Name", "help"),
        ("Carrier", "Carrier", "help"),
        ("Team", "Team", _I),
        *_BILLING_SHIPPING,
        ("Quoted_Items", "Quoted Items", _I),  # R36 line items (issue 10)
        *_INVENTORY_TOTALS,
        *_system("Quote Owner", "help", "help", _I, _I),
    ),
    # Source: help, zoho.com/crm/help/sales-orders/standard-fields.html (read in its copy at
    # support.suno.co.in). It names Deal_Name "Potential Name" (ALTERNATE_LABELS).
    "Sales_Orders": (
        ("Subject", "Subject", "help"),
        ("Customer_No", "Customer No", "help"),
        ("Deal_Name", "Deal Name", _I),
        ("Purchase_Order", "Purchase Order", "help"),
        ("Quote_Name", "Quote Name", "help"),
        ("Due_Date", "Due Date", "help"),
        ("Contact_Name", "Contact Name", "help"),
        ("Carrier", "Carrier", "help"),
        ("Excise_Duty", "Excise Duty", "help"),
        ("Sales_Commission", "Sales Commission", "help"),
        ("Status", "Status", "help"),
        ("Account_Name", "Account Name", "help"),
        *_BILLING_SHIPPING,
        ("Ordered_Items", "Ordered Items", _I),  # R36 line items (issue 10)
        *_INVENTORY_TOTALS,
        *_system("Sales Order Owner", "help", "help", _I, _I),
    ),
    # Source: help, help.zoho.com/portal/en/kb/crm/manage-inventory/purchase-orders/articles/
    # standard-fields-purchase-orders. It names PO_Date "Purchase Order Date"
    # (ALTERNATE_LABELS); "PO Date" follows the API name and is inferred.
    "Purchase_Orders": (
        ("Subject", "Subject", "help"),
        ("Vendor_Name", "Vendor Name", "help"),
        ("Requisition_No", "Requisition No", "help"),
        ("Tracking_Number", "Tracking Number", "help"),
        ("Contact_Name", "Contact Name", "help"),
        ("PO_Number", "PO Number", "help"),
        ("PO_Date", "PO Date", _I),
        ("Due_Date", "Due Date", "help"),
        ("Carrier", "Carrier", "help"),
        ("Excise_Duty", "Excise Duty", "help"),
        ("Sales_Commission", "Sales Commission", "help"),
        ("Status", "Status", "help"),
        *_BILLING_SHIPPING,
        ("Purchased_Items", "Purchased Items", _I),  # R36 line items (issue 10)
        *_INVENTORY_TOTALS,
        *_system("Purchase Order Owner", "help", "help", _I, _I),
    ),
    # Source: help, "Standard Fields in Invoices" (read in its copies at
    # help.extensionerp.com, ubicorp.zohodesk.com).
    "Invoices": (
        ("Subject", "Subject", "help"),
        ("Sales_Order", "Sales Order", "help"),
        ("Invoice_Date", "Invoice Date", "help"),
        ("Purchase_Order", "Purchase Order", "help"),
        ("Due_Date", "Due Date", "help"),
        ("Excise_Duty", "Excise Duty", "help"),
        ("Sales_Commission", "Sales Commission", "help"),
        ("Status", "Status", "help"),
        ("Contact_Name", "Contact Name", "help"),
        ("Account_Name", "Account Name", "help"),
        *_BILLING_SHIPPING,
        ("Invoiced_Items", "Invoiced Items", _I),  # R36 line items (issue 10)
        *_INVENTORY_TOTALS,
        *_system("Invoice Owner", "help", "help", _I, _I),
    ),
    # No source found for Appointments: every row inferred.
    "Appointments": (
        ("Appointment_Name", "Appointment Name", _I),
        ("Appointment_For", "Appointment For", _I),
        ("Service_Name", "Service Name", _I),
        ("Appointment_Start_Time", "Appointment Start Time", _I),
        ("Appointment_End_Time", "Appointment End Time", _I),
        ("Duration", "Duration", _I),
        ("Status", "Status", _I),
        ("Location", "Location", _I),
        ("Address", "Address", _I),
        ("Additional_Information", "Additional Information", _I),
        ("Cancellation_Reason", "Cancellation Reason", _I),
        ("Cancellation_Note", "Cancellation Note", _I),
        ("Reschedule_Reason", "Reschedule Reason", _I),
        ("Reschedule_Note", "Reschedule Note", _I),
        *_system("Appointment Owner", _I, _I, _I, _I),
    ),
    # No source found for Services: every row inferred.
    "Services": (
        ("Service_Name", "Service Name", _I),
        ("Duration", "Duration", _I),
        ("Price", "Price", _I),
        ("Location", "Location", _I),
        ("Status", "Status", _I),
        ("Availability_Type", "Availability Type", _I),
        ("Available_Days", "Available Days", _I),
        ("Job_Sheet_Required", "Job Sheet Required", _I),
        ("Unavailable_From", "Unavailable From", _I),
        ("Unavailable_Till", "Unavailable Till", _I),
        ("Description", "Description", _I),
        *_system("Service Owner", _I, _I, _I, _I),
    ),
}

#: module API name -> field API name -> Zoho's display label.
LABELS: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        module: MappingProxyType({api: label for api, label, _ in rows})
        for module, rows in _TABLES.items()
    }
)
#: (module, field API name) -> key in SOURCES: where each label was read.
LABEL_SOURCES: Final[Mapping[tuple[str, str], str]] = MappingProxyType(
    {(module, api): source for module, rows in _TABLES.items() for api, _, source in rows}
)
#: The (module, field API name) pairs whose label no source gave.
INFERRED_LABELS: Final[frozenset[tuple[str, str]]] = frozenset(
    key for key, source in LABEL_SOURCES.items() if source == INFERRED
)

#: module -> other label a source shows -> field API name (see each module's table comment).
ALTERNATE_LABELS: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        # leads_v7: display_label of No_of_Employees; help (Leads page): its spellings.
        "Leads": MappingProxyType(
            {
                "No of Employees": "No_of_Employees",
                "Web site": "Website",
                "Email Opt-out": "Email_Opt_Out",
            }
        ),
        "Contacts": MappingProxyType({"Reports To": "Reporting_To"}),
        "Deals": MappingProxyType({"Potential Name": "Deal_Name"}),
        "Campaigns": MappingProxyType({"Number sent": "Num_sent"}),
        "Cases": MappingProxyType({"Potential Name": "Deal_Name"}),
        "Vendors": MappingProxyType({"E-mail": "Email", "Postal Code": "Zip_Code"}),
        "Sales_Orders": MappingProxyType({"Potential Name": "Deal_Name"}),
        "Purchase_Orders": MappingProxyType({"Purchase Order Date": "PO_Date"}),
    }
)

#: module -> header (casefolded) that two fields claim -> the field it resolves to. None
#: now: Leads' "Title" was one (a field Title listed beside Designation, labelled "Title"),
#: until Zoho's field metadata (leads_v7) showed Leads has no API field Title.
LABEL_CLASHES: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType({})

_NO_CUSTOM_LABELS: Final[Mapping[str, str]] = MappingProxyType({})


def _key(text: str) -> str:
    """How headers compare: trimmed and case-insensitive."""
    return text.strip().casefold()


def _index(module: str) -> dict[str, str]:
    """Header key -> API name for ``module``: alternates < labels < API names < clashes."""
    index: dict[str, str] = {}
    for alternate, api in ALTERNATE_LABELS.get(module, {}).items():
        index[_key(alternate)] = api
    for api, label in LABELS.get(module, {}).items():
        index[_key(label)] = api
    for api in LABELS.get(module, {}):
        index[_key(api)] = api
    index.update(LABEL_CLASHES.get(module, {}))
    return index


_INDEX: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {module: MappingProxyType(_index(module)) for module in LABELS}
)


def label_of(module: str, api_name: str) -> str | None:
    """Zoho's display label of ``module``'s standard field ``api_name``; None if not standard."""
    return LABELS.get(module, {}).get(api_name)


def resolve_header(
    module: str, header: str, custom_labels: Mapping[str, str] = _NO_CUSTOM_LABELS
) -> str | None:
    """The API name an export column ``header`` names in ``module``, or None if none.

    Trimmed and case-insensitive. A header that is exactly a standard field's API name names
    that field; then ``custom_labels`` (label -> API name, e.g. ``--map`` or a schema's custom
    fields), winning over a standard label; then API names, labels and ALTERNATE_LABELS of the
    standard fields, in any case. A module with no standard fields (a
    custom module) resolves through ``custom_labels`` only.
    """
    key = _key(header)
    if not key:
        return None
    if header.strip() in LABELS.get(module, {}):  # an exact API name wins over any label
        return header.strip()
    custom = [(label, api) for label, api in custom_labels.items() if _key(label) == key]
    if len({api for _, api in custom}) > 1:
        raise ConfigurationError(
            f"custom labels {', '.join(shown(label) for label, _ in custom)} differ only in case "
            f"or spacing but name different fields: header {shown(header)} is ambiguous"
        )
    if custom:
        return custom[0][1]
    return _INDEX.get(module, {}).get(key)


def closest_fields(module: str, name: str, n: int = 3) -> list[str]:
    """Up to ``n`` API names or labels of ``module`` closest to ``name``, for "did you mean".

    ``difflib.get_close_matches`` over the trimmed, casefolded names; each field appears once,
    in the spelling that matched best (its label when label and API name tie). An unknown
    module (no standard fields) or ``n < 1`` gives no suggestions.
    """
    labels = LABELS.get(module, {})
    if n < 1 or not labels:
        return []
    spellings: dict[str, tuple[str, str]] = {}  # casefolded spelling -> (spelling, API name)
    for api, label in labels.items():
        spellings.setdefault(_key(label), (label, api))
        spellings.setdefault(_key(api), (api, api))
    matches = difflib.get_close_matches(_key(name), list(spellings), n=len(spellings))
    out: list[str] = []
    seen: set[str] = set()
    for match in matches:
        spelling, api = spellings[match]
        if api not in seen:
            seen.add(api)
            out.append(spelling)
        if len(out) == n:
            break
    return out

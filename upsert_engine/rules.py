"""Rules as data: modules, field types and error codes (R1, R2, R4, R15, R18-R22).

Nothing here computes anything; the engine and the reference model both read these tables.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

# --- R2: system-defined duplicate check fields, per standard module --------------------------
SYSTEM_DUPLICATE_FIELDS: Final = MappingProxyType(
    {
        "Leads": ("Email",),
        "Accounts": ("Account_Name",),
        "Contacts": ("Email",),
        "Deals": ("Deal_Name",),
        "Campaigns": ("Campaign_Name",),
        "Cases": ("Subject",),
        "Solutions": ("Solution_Title",),
        "Products": ("Product_Name",),
        "Vendors": ("Vendor_Name",),
        "Price_Books": ("Price_Book_Name",),
        "Quotes": ("Subject",),
        "Sales_Orders": ("Subject",),
        "Purchase_Orders": ("Subject",),
        "Invoices": ("Subject",),
        # R2 [inf]: no system duplicate check field.
        "Appointments": (),
        "Services": (),
    }
)

#: R2: the seed's spellings of three module names, accepted as aliases of the API names.
MODULE_ALIASES: Final = MappingProxyType(
    {
        "PriceBooks": "Price_Books",
        "SalesOrders": "Sales_Orders",
        "PurchaseOrders": "Purchase_Orders",
    }
)

#: R2 [doc]: a custom module's system duplicate check field.
CUSTOM_MODULE_SYSTEM_FIELDS: Final = ("Name",)

# --- R4: mandatory fields on insert -----------------------------------------------------------
#: R4 [doc v7 insert-records, "System-defined mandatory fields for each module"]. Users change a
#: module's list with ``Engine.set_mandatory``; layouts add theirs (R35). Appointments and
#: Services: none known [inf]; custom modules: Name [inf] (``add_module(mandatory_fields=)``).
MANDATORY_FIELDS: Final = MappingProxyType(
    {
        "Leads": ("Last_Name",),
        "Contacts": ("Last_Name",),
        "Accounts": ("Account_Name",),
        "Deals": ("Deal_Name", "Stage"),
        "Campaigns": ("Campaign_Name",),
        "Cases": ("Case_Origin", "Status", "Subject"),
        "Solutions": ("Solution_Title",),
        "Products": ("Product_Name",),
        "Vendors": ("Vendor_Name",),
        "Price_Books": ("Price_Book_Name", "Pricing_Details"),
        "Quotes": ("Subject", "Quoted_Items"),
        "Sales_Orders": ("Subject", "Ordered_Items"),
        "Purchase_Orders": ("Subject", "Vendor_Name", "Purchased_Items"),
        "Invoices": ("Subject", "Invoiced_Items"),
        "Appointments": (),
        "Services": (),
    }
)
CUSTOM_MODULE_MANDATORY_FIELDS: Final = ("Name",)

#: R4 [doc]: module settings (``Engine.set_setting``) and the fields each makes mandatory on
#: insert while it is on: Deals' Pipeline when the org has pipelines enabled for Deals.
MODULE_SETTINGS: Final = MappingProxyType(
    {
        "Deals": MappingProxyType({"pipelines": ("Pipeline",)}),
    }
)

# --- Field types (R1, R8, R15) ------------------------------------------------------------------
#: R1 [seed]: the only Zoho data types a user-defined unique field may have
#: (Single Line, Email, Phone, Number, Long Integer, URL).
UNIQUE_CAPABLE_TYPES: Final = frozenset({"text", "email", "phone", "integer", "bigint", "website"})

#: Every data type the engine knows, with its default limit (None: no limit), R15:
#: characters for text types (Single Line 255, Multi Line large 32000, Email 100, Phone 30,
#: URL 255), digits for Number (9) and Long Integer (18), digits before the point for
#: Currency and Decimal (16) and Percent (5), rows for a subform (100 [inf]), files for file
#: (5) and image (10) uploads [doc v7 create-custom-field "Data Types and Length Limits"].
#: "decimal" is the engine's older name of Zoho's Decimal (data_type "double").
DATA_TYPE_MAX_LENGTH: Final = MappingProxyType(
    {
        "text": 255,
        "email": 100,
        "phone": 30,
        "website": 255,
        "textarea": 32000,
        "picklist": 255,
        "multiselectpicklist": None,
        "integer": 9,
        "bigint": 18,
        "double": 16,
        "currency": 16,
        "percent": 5,
        "decimal": 16,
        "boolean": None,
        "date": None,
        "datetime": None,
        "lookup": None,
        "ownerlookup": None,
        "userlookup": None,
        #: R36 [inf]: a subform's limit is on its rows: 100 (``max_length`` sets another)
        "subform": 100,
        "multiselectlookup": None,
        "multiuserlookup": None,
        "fileupload": 5,
        "imageupload": 10,
    }
)

#: R15: digits kept after the point (field metadata ``decimal_place``): Currency and Decimal
#: 9 [doc insert-records "Sample Attributes"]; Percent states none. More are truncated when
#: stored [doc v7 create-custom-field: "Values exceeding the set decimal_place will be
#: truncated during storage"]; Zoho allows 0 to 9.
DATA_TYPE_DECIMAL_PLACE: Final = MappingProxyType({"currency": 9, "double": 9, "decimal": 9})
MAX_DECIMAL_PLACE: Final = 9

#: R15 [doc field metadata ``json_type``]: the JSON type of each data type's values, named in
#: ``expected_data_type`` when a value is not of that JSON kind at all.
JSON_TYPES: Final = MappingProxyType(
    {
        **dict.fromkeys(DATA_TYPE_MAX_LENGTH, "string"),
        "multiselectpicklist": "jsonarray",
        "integer": "integer",
        "double": "double",
        "currency": "double",
        "percent": "double",
        "decimal": "double",
        "boolean": "boolean",
        "lookup": "jsonobject",
        "ownerlookup": "jsonobject",
        "userlookup": "jsonobject",
        "subform": "jsonarray",
        "multiselectlookup": "jsonarray",
        "multiuserlookup": "jsonarray",
        "fileupload": "jsonarray",
        "imageupload": "jsonarray",
    }
)

#: R36: names a subform row may carry besides its fields: the row's id, and the deletion
#: marker ``{"id": ..., "_delete": null}``.
ROW_ID: Final = "id"
ROW_DELETE: Final = "_delete"

#: Fields every record carries that a client cannot write (R12); ignored when sent.
READ_ONLY_SYSTEM_FIELDS: Final = frozenset(
    {"id", "Created_Time", "Modified_Time", "Created_By", "Modified_By"}
)

# --- R24, R32, R33: external fields, users, lookups ----------------------------------------------
#: R24 [doc v7 field-meta "Create Custom Fields": "Supported field data type is text"]: the only
#: data type an external field may have; its kinds: one value per org, or one per user.
EXTERNAL_DATA_TYPES: Final = frozenset({"text"})
EXTERNAL_KINDS: Final = ("org", "user")

#: R32: data types whose value names a user of the org (Owner is an ``ownerlookup``).
USER_DATA_TYPES: Final = frozenset({"ownerlookup", "userlookup"})

#: R33 [doc get-records samples]: the fields whose values make a record's name when another
#: record looks it up (``{"name": ..., "id": ...}``), joined by a space. Persons (Leads,
#: Contacts) show their full name; other standard modules their system field (R2); custom
#: modules Name (``CUSTOM_MODULE_SYSTEM_FIELDS``).
DISPLAY_FIELDS: Final = MappingProxyType(
    {
        "Leads": ("First_Name", "Last_Name"),
        "Contacts": ("First_Name", "Last_Name"),
        "Appointments": ("Appointment_Name",),
        "Services": ("Service_Name",),
    }
)

#: R33 [doc: Zoho's embedded-app SDK field-metadata sample: Full_Name ``view_type``
#: ``edit``/``create`` false; Zoho's audit-log sample: Full_Name becomes "Patricia Boyle" when
#: First_Name is set]: fields Zoho composes from the module's ``DISPLAY_FIELDS``, as a lookup
#: to the record names it (``references.display_name``). Computed on every read, never stored;
#: a write of one is ignored, as one of ``READ_ONLY_SYSTEM_FIELDS`` is (R12) [inf].
COMPUTED_FIELDS: Final = MappingProxyType({"Leads": ("Full_Name",), "Contacts": ("Full_Name",)})

#: The id of the n-th module of an org is ``MODULE_ID_BASE + 2 * n`` (Zoho-like, stable for a
#: given module order); ``duplicate_record.module.id`` (R32) and ``/settings/modules`` show it.
MODULE_ID_BASE: Final = 5725767000000002175
# --- R26, R31, R35: reserved keys of a record -------------------------------------------------
#: R35 [doc insert-records]: keys a record may carry besides its fields; each is accepted and
#: ``unknown_fields="reject"`` never refuses it. Handling (payload.py): ``layout``: stored as
#: ``{"name", "id"}`` of a layout of the module, whose mandatory fields then apply on insert;
#: ``append``: R26, steers the write, not stored; ``approval``: R31, not stored; ``tag``:
#: stored; ``wizard``: per ``Options.wizard_keys``; ``owner``: a field where the module has
#: one (R32), elsewhere accepted and not stored.
RESERVED_KEYS: Final = MappingProxyType(
    {
        "Layout": "layout",
        "$append_values": "append",
        "$approved": "approval",
        "Tag": "tag",
        "$wizard_connection_path": "wizard",
        "Wizard": "wizard",
        "Owner": "owner",
    }
)
#: R26, R31: the reserved keys that steer a write and are never stored.
DIRECTIVE_KEYS: Final = frozenset({"$append_values", "$approved"})
#: R26: the only data type ``$append_values`` may name.
APPENDABLE_TYPES: Final = frozenset({"multiselectpicklist"})

# --- R19: request limits ---------------------------------------------------------------------
MAX_RECORDS_PER_REQUEST: Final = 100
#: Longest record id the engine accepts anywhere an id enters (load, requests, the id source);
#: Zoho's ids are 19 digits. Bounds memory and keeps ids far below Python's int-string limit.
MAX_RECORD_ID_DIGITS: Final = 32

# --- R22: other keys of the request body and the shapes they must have -----------------------
TRIGGER_VALUES: Final = frozenset(
    {"workflow", "approval", "blueprint", "pathfinder", "orchestration"}
)

# --- R23: API versions ----------------------------------------------------------------------
API_VERSIONS: Final = ("v2", "v2.1", "v3", "v4", "v5", "v6", "v7", "v8")
VERSIONS_WITHOUT_JSON_PATH: Final = frozenset({"v2", "v2.1"})

# --- R31: approval -----------------------------------------------------------------------------
#: R31 [obs v6; doc v7]: the key an added record's ``details`` end with, and its usual value.
APPROVAL_STATE_KEY: Final = "$approval_state"
APPROVED: Final = "approved"

# --- R18-R21, R27: codes and messages --------------------------------------------------------
#: R27 [doc status codes; obs]: Zoho's exact texts. A response ``message`` never carries a rule
#: number or the engine's reasoning: those go to ``explain``, the CLI report and logs.
MESSAGES: Final = MappingProxyType(
    {
        "SUCCESS_insert": "record added",
        "SUCCESS_update": "record updated",
        "DUPLICATE_DATA": "duplicate data",
        "MULTIPLE_OR_MULTI_ERRORS": "Multiple errors in the request",
        "MANDATORY_NOT_FOUND": "required field not found",
        "INVALID_DATA": "invalid data",
        "AMBIGUITY_DURING_PROCESSING": "ambiguity while processing the request",
        "INVALID_MODULE": "the module name given seems to be invalid",
        "LIMIT_EXCEEDED": "the number of records exceeds the limit of 100",
        # R34 [doc] Zoho's v7 pages, "Possible Errors": "ALREADY_MODIFIED HTTP 412 / Record
        # updated time has already passed if-unmodified-since time / Resolution: The record has
        # been updated after the specified If-Unmodified-Since timestamp." Same entry on
        # https://www.zoho.com/crm/developer/docs/api/v7/upsert-records.html and
        # .../v7/update-records.html (read in a copy of those pages: GitHub
        # SurajKumar2235/Crm_ChatBOT api_docs/Upsert_Records_158.md, Records_156.md). The page
        # shows no details for it: the engine gives {"id": <the record>} [inf].
        "ALREADY_MODIFIED": "Record updated time has already passed if-unmodified-since time",
    }
)

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

# --- R4 [inf]: mandatory fields on insert -------------------------------------------------------
MANDATORY_FIELDS: Final = MappingProxyType(
    {
        "Leads": ("Last_Name",),
        "Contacts": ("Last_Name",),
        # every other standard module: its system field (R2), filled in by schema.py; so
        # Appointments and Services, which have none, have no mandatory field by default
    }
)
CUSTOM_MODULE_MANDATORY_FIELDS: Final = ("Name",)

# --- Field types (R1, R8, R15) ------------------------------------------------------------------
#: R1 [seed]: the only Zoho data types a user-defined unique field may have
#: (Single Line, Email, Phone, Number, Long Integer, URL).
UNIQUE_CAPABLE_TYPES: Final = frozenset({"text", "email", "phone", "integer", "bigint", "website"})

#: Every data type the engine knows, with its default maximum length (None: no length limit).
#: R15: text 255, email 100 [inf], phone 30 [inf], website 255; textarea 32000 (Zoho's limit).
DATA_TYPE_MAX_LENGTH: Final = MappingProxyType(
    {
        "text": 255,
        "email": 100,
        "phone": 30,
        "website": 255,
        "textarea": 32000,
        "picklist": 255,
        "multiselectpicklist": None,
        "integer": None,
        "bigint": None,
        "double": None,
        "currency": None,
        "percent": None,
        "decimal": None,
        "boolean": None,
        "date": None,
        "datetime": None,
        "lookup": None,
        "ownerlookup": None,
        "userlookup": None,
    }
)

#: R15: integer range of Number (32-bit) and Long Integer (64-bit) fields.
INTEGER_RANGES: Final = MappingProxyType(
    {"integer": (-(2**31), 2**31 - 1), "bigint": (-(2**63), 2**63 - 1)}
)

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

#: The id of the n-th module of an org is ``MODULE_ID_BASE + 2 * n`` (Zoho-like, stable for a
#: given module order); ``duplicate_record.module.id`` (R32) and ``/settings/modules`` show it.
MODULE_ID_BASE: Final = 5725767000000002175

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

# --- R18-R21: codes and messages ------------------------------------------------------------
MESSAGES: Final = MappingProxyType(
    {
        "SUCCESS_insert": "record added",
        "SUCCESS_update": "record updated",
        "DUPLICATE_DATA": "duplicate data",
        "MULTIPLE_OR_MULTI_ERRORS": "multiple errors occurred",
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

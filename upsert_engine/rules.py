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

#: Fields every record carries that a client cannot write (R12); ignored when sent.
READ_ONLY_SYSTEM_FIELDS: Final = frozenset(
    {"id", "Created_Time", "Modified_Time", "Created_By", "Modified_By"}
)

# --- R19: request limits ---------------------------------------------------------------------
MAX_RECORDS_PER_REQUEST: Final = 100

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
    }
)

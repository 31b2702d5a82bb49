"""upsert_engine: Zoho CRM's upsert semantics, offline and exact (see UPSERT-SEMANTICS R1-R36)."""

from __future__ import annotations

from .decision import check_order
from .engine import Engine, sequential_ids, stepping_clock
from .errors import (
    ConfigurationError,
    InvalidLoadError,
    UnknownModuleError,
    UnknownUserError,
    UpsertEngineError,
)
from .explain import Explanation, RecordTrace
from .fields import FieldDef, normalize_digits, normalize_integer, normalize_text
from .options import (
    IntraBatch,
    MultiMatch,
    NonUniqueCheckField,
    NullOwner,
    Options,
    RecordId,
    UnknownFields,
    User,
)
from .responses import Response
from .schema import ModuleSchema

__all__ = [
    "ConfigurationError",
    "Engine",
    "Explanation",
    "FieldDef",
    "IntraBatch",
    "InvalidLoadError",
    "ModuleSchema",
    "MultiMatch",
    "NonUniqueCheckField",
    "NullOwner",
    "Options",
    "RecordId",
    "RecordTrace",
    "Response",
    "UnknownFields",
    "UnknownModuleError",
    "UnknownUserError",
    "UpsertEngineError",
    "User",
    "check_order",
    "normalize_digits",
    "normalize_integer",
    "normalize_text",
    "sequential_ids",
    "stepping_clock",
]
__version__ = "0.1.0"

"""Which field each column of an input file names (issue 12 items 1 and 2): an adapter helper.

A column header (or a JSON key) names a field by its API name or by Zoho's display label, the
way Zoho's CSV export writes them ("First Name", "No. of Employees", "Lead Owner", "Record Id"),
compared trimmed and case-insensitively (``standard_labels.resolve_header``). Custom labels
come from ``--map`` (label -> API name; ``null`` leaves the column out) and from the labels of
a ``--schema`` file's fields. A header that names no field is an ``InputError`` naming the file,
the column and the closest names ("did you mean Email?"), unless ``--ignore-column NAME`` or
``--ignore-unknown-columns`` leaves it out, or ``--unknown-fields`` sends it for the engine to
judge. Nothing is dropped silently: the columns left out are listed by ``dropped``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ._io_read import InputError
from .errors import ConfigurationError
from .rules import READ_ONLY_SYSTEM_FIELDS
from .schema import ModuleSchema
from .standard_labels import LABELS, resolve_header

#: R35: keys a record may carry that are no field; passed to the engine as they are.
RESERVED_KEYS = frozenset(
    {"$append_values", "$approved", "Layout", "Tag", "$wizard_connection_path", "Wizard", "Owner"}
)
#: Export columns of every module, a custom one included (its owner label aside).
SYSTEM_LABELS = {
    "record id": "id",
    "created time": "Created_Time",
    "modified time": "Modified_Time",
    "created by": "Created_By",
    "modified by": "Modified_By",
}


def _key(text: str) -> str:
    return text.strip().casefold()


def suggestions(spellings: Mapping[str, str], name: str, n: int = 3) -> list[str]:
    """Up to ``n`` of ``spellings`` (spelling -> what it names) closest to ``name``."""
    by_key: dict[str, str] = {}
    for spelling in spellings:
        by_key.setdefault(_key(spelling), spelling)
    matches = difflib.get_close_matches(_key(name), list(by_key), n=len(by_key), cutoff=0.7)
    out: list[str] = []
    named: set[str] = set()
    for match in matches:
        spelling = by_key[match]
        if spellings[spelling] not in named:
            named.add(spellings[spelling])
            out.append(spelling)
        if len(out) == n:
            break
    return out


def did_you_mean(options: list[str]) -> str:
    """`` (did you mean A or B?)`` for a message, or nothing."""
    if not options:
        return ""
    quoted = [repr(o) if " " in o else o for o in options]
    return f" (did you mean {' or '.join(quoted)}?)"


@dataclass
class Columns:
    """Resolves the headers of one module's input files; ``dropped`` lists what was left out.

    ``mapping``: ``--map`` (label -> API name or None); ``labels``: custom fields' labels
    (label -> API name, from ``--schema``); ``ignored``: ``--ignore-column`` names;
    ``ignore_unknown``: ``--ignore-unknown-columns``; ``send_unknown``: unknown columns go to
    the engine (``--unknown-fields`` given).
    """

    schema: ModuleSchema
    mapping: Mapping[str, str | None] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    ignored: Iterable[str] = ()
    ignore_unknown: bool = False
    send_unknown: bool = False
    #: path -> headers left out of that file, in the order met
    dropped: dict[str, list[str]] = field(default_factory=dict)
    #: path -> API name -> the header (or key) that named it in that file, for messages
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._ignored = {_key(name) for name in self.ignored}
        self._map_exact = dict(self.mapping)
        self._map_folded = {_key(label): api for label, api in self.mapping.items()}
        self._fields = {_key(name): name for name in self.schema.fields}
        self._system = dict(SYSTEM_LABELS)
        for name in (*READ_ONLY_SYSTEM_FIELDS, *RESERVED_KEYS):
            self._system.setdefault(_key(name), name)
        for label, api in self.mapping.items():
            if api is not None and not self.known(api):
                raise InputError(
                    f"--map: {label!r} maps to {api}, no field of {self.schema.api_name}"
                    f"{did_you_mean(self.closest(api))}"
                )

    def known(self, api_name: str) -> bool:
        """Whether ``api_name`` is a field of the module, a system field or a reserved key."""
        return (
            api_name in self.schema.fields
            or api_name in READ_ONLY_SYSTEM_FIELDS
            or api_name in RESERVED_KEYS
        )

    def resolve(self, header: str) -> str | None:
        """The API name ``header`` names, None if it is to be left out; raises ``KeyError``
        when it names nothing."""
        key = _key(header)
        if header in self._map_exact:
            return self._map_exact[header]
        if key in self._map_folded:
            return self._map_folded[key]
        if key in self._ignored:
            return None
        if header.strip() in self.schema.fields:  # an exact API name wins over any label
            return header.strip()
        try:
            api = resolve_header(self.schema.api_name, header, self.labels)
        except ConfigurationError as error:
            raise InputError(f"--schema labels: {error}") from None
        if api is not None and self.known(api):
            return api
        if key in self._fields:
            return self._fields[key]
        if key in self._system:
            return self._system[key]
        raise KeyError(header)

    def name(self, path: str, line: int, position: int | None, header: str) -> str | None:
        """``resolve``, or the one-line ``InputError`` for a header that names no field."""
        try:
            api = self.resolve(header)
        except KeyError:
            if self.send_unknown:
                return header.strip()
            if not self.ignore_unknown:
                where = f"column {position} " if position is not None else "key "
                raise InputError(
                    f"{path} line {line}: {where}{header.strip()!r} is no field of "
                    f"{self.schema.api_name}{did_you_mean(self.closest(header))}; "
                    f"--ignore-column {header.strip()!r} leaves it out, --map names its "
                    f"field, --schema adds a custom field"
                ) from None
            api = None
        if api is None:
            self.dropped.setdefault(path, []).append(header.strip())
        else:
            self.headers.setdefault(path, {}).setdefault(api, header.strip())
        return api

    def closest(self, name: str) -> list[str]:
        """The module's API names and labels (standard and custom) closest to ``name``."""
        spellings: dict[str, str] = {}
        module = self.schema.api_name
        for api, label in LABELS.get(module, {}).items():
            if api in self.schema.fields:
                spellings.setdefault(label, api)
        for label, api in self.labels.items():
            spellings.setdefault(label, api)
        for api in self.schema.fields:
            spellings.setdefault(api, api)
        return suggestions(spellings, name)


def label_spellings(schema: ModuleSchema) -> dict[str, str]:
    """Every spelling a field of ``schema`` is known by (API names, standard labels)."""
    spellings = {api: api for api in schema.fields}
    for api, label in LABELS.get(schema.api_name, {}).items():
        if api in schema.fields:
            spellings.setdefault(label, api)
    return spellings

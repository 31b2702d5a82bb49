"""The command line's options shared by ``plan``, ``apply``, ``schema`` and ``serve``.

One grammar for a field everywhere: ``[Module.]Field[:type]`` (``--unique``) and
``[Module.]Field:normaliser`` (``--normalize``); the module defaults to ``--module``. Every
name (module, field, type, choice) that names nothing is an ``InputError`` with the closest
names ("did you mean Leads?"). ``options_from`` turns the options into ``Options`` (every
[inf] rule of the spec is reachable). Adapter code: argparse and strings in, engine calls out.
"""

from __future__ import annotations

import argparse
import re
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from ._columns import did_you_mean, label_spellings, suggestions
from ._io_read import InputError, read_json
from .decision import is_match_key
from .engine import Engine
from .errors import UpsertEngineError
from .fields import FieldDef, known_data_types, normalize_digits, normalize_integer, normalize_text
from .options import (
    AppendOther,
    IntraBatch,
    MultiMatch,
    NonUniqueCheckField,
    NullOwner,
    Options,
    RecordId,
    UnknownFields,
    WizardKeys,
)
from .rules import API_VERSIONS, UNIQUE_CAPABLE_TYPES
from .schema import ModuleSchema, canonical_module_name
from .standard_labels import resolve_header

#: ``--normalize Field:NAME``: R8's pluggable normalisers by name.
NORMALIZERS = {"text": normalize_text, "digits": normalize_digits, "integer": normalize_integer}
#: ``--delimiter`` accepts these names besides the characters.
DELIMITER_NAMES = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|", "\\t": "\t"}
#: Engine options: (flag, Options field, enum, rule).
CHOICES: tuple[tuple[str, str, Any, str], ...] = (
    ("--multi-match", "multi_match", MultiMatch, "R11"),
    ("--intra-batch", "intra_batch", IntraBatch, "R17"),
    ("--non-unique-check-field", "non_unique_check_field", NonUniqueCheckField, "R7"),
    ("--unknown-fields", "unknown_fields", UnknownFields, "unknown keys"),
    ("--record-id", "record_id", RecordId, "R25"),
    ("--null-owner", "null_owner", NullOwner, "R32"),
    ("--wizard-keys", "wizard_keys", WizardKeys, "R35"),
    ("--append-other", "append_other", AppendOther, "R26"),
)
#: Engine switches: (flag stem, Options field, rule, what it says).
SWITCHES: tuple[tuple[str, str, str, str], ...] = (
    ("check-formats", "check_formats", "R15", "check email and phone formats; without, only "
     "that they are strings within their length (default: yes)"),
    ("check-users", "check_users", "R32", "Owner and user lookups must name a user of the org "
     "(plan and apply: off, the org's users are not all known; serve: on)"),
    ("check-lookups", "check_lookups", "R33", "a lookup's id must name a record of its module "
     "(plan and apply: off; serve: on)"),
    ("load-owner", "load_owner", "R32", "a loaded record without Owner is owned by its "
     "creator (default: yes)"),
    ("external-in-unique-cap", "external_in_unique_cap", "R24, R3", "external fields count "
     "against --max-unique-fields (default: no)"),
    ("append-repeats", "append_repeats", "R26", "$append_values appends values already "
     "stored again (default: no)"),
)  # fmt: skip


class Once(argparse.Action):
    """An option that may be given once: a repeat (``--store A --store B``) is a usage error
    (exit 2), never the last one silently kept."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        if getattr(namespace, self.dest, None) is not None:
            raise argparse.ArgumentError(
                self,
                f"given twice ({getattr(namespace, self.dest)!r} and {values!r}); give it once",
            )
        setattr(namespace, self.dest, values)


def _with_rule(rule: str, text: str) -> str:
    """``text`` led by its rule tag once: an enum's docstring may start with it already."""
    text = text.replace("``", "").rstrip(".")
    return text if text.startswith(rule) else f"{rule}: {text}"


def choose(option: str, value: str, choices: tuple[str, ...] | list[str]) -> str:
    """``value`` if it is one of ``choices``, else an ``InputError`` with the closest."""
    if value in choices:
        return value
    hint = did_you_mean(suggestions({c: c for c in choices}, value))
    raise InputError(f"{option} {value}: not one of {', '.join(choices)}{hint}")


def module_name(engine: Engine, name: str, option: str | None = None) -> str:
    """The API name of the org's module ``name`` (R2's seed spellings accepted); ``option``
    names where it was given (default ``--module NAME``)."""
    canonical = canonical_module_name(name)
    if canonical in engine.modules():
        return canonical
    hint = did_you_mean(suggestions({m: m for m in engine.modules()}, name))
    raise InputError(
        f"{option or '--module ' + name}: {name} is not a module of the org{hint}; modules: "
        f'{", ".join(engine.modules())}; a custom module comes from --schema with "custom": true'
    )


def field_name(schema: ModuleSchema, name: str, option: str) -> str:
    """The API name of ``schema``'s field ``name`` (an API name or Zoho label, any case)."""
    if name in schema.fields:
        return name
    resolved = resolve_header(schema.api_name, name)
    if resolved is not None and resolved in schema.fields:
        return resolved
    folded = {api.casefold(): api for api in schema.fields}
    if name.strip().casefold() in folded:
        return folded[name.strip().casefold()]
    hint = did_you_mean(suggestions(label_spellings(schema), name))
    raise InputError(
        f"{option}: {schema.api_name} has no field {name}{hint}; a custom field comes from "
        f"--schema (`upsert-engine schema --module {schema.api_name}` prints one to edit)"
    )


def _split_spec(option: str, spec: str, default_module: str | None) -> tuple[str, str, str]:
    """``[Module.]Field[:extra]`` → (module, field, extra or "")."""
    target, _, extra = spec.partition(":")
    module, dot, field = target.rpartition(".")
    if not field.strip() or (dot and not module.strip()):
        raise InputError(f"{option} {spec}: expected [Module.]Field[:type], e.g. Mobile:phone")
    if not module:
        if default_module is None:
            raise InputError(f"{option} {spec}: name the module (Leads.Field) or give --module")
        module = default_module
    return module.strip(), field.strip(), extra.strip()


def redefine(engine: Engine, module: str, field: FieldDef, **changed: Any) -> None:
    """``field`` defined again with ``changed`` (unique, normalizer), all else as it was; a
    subform (R36) is no single value to make unique or normalise."""
    if field.rows:
        raise InputError(f"{field.api_name} is a subform (R36): its rows are fields of their own")
    kept: dict[str, Any] = {
        "unique": field.unique,
        "max_length": field.max_length,
        "normalizer": field.normalizer,
        "decimal_place": field.decimal_place,
        "external": field.external,
        "lookup_module": field.lookup_module,
    }
    engine.add_field(module, field.api_name, field.data_type, **{**kept, **changed})


def make_unique(engine: Engine, spec: str, default_module: str | None) -> None:
    """``--unique [Module.]Field[:type]``: make an existing field user-defined unique (R1).

    The type, if given, must be the field's: a standard phone field is never turned into text.
    """
    option = f"--unique {spec}"
    module, name, data_type = _split_spec("--unique", spec, default_module)
    schema = engine.schema(module_name(engine, module, option))
    if data_type and data_type not in known_data_types():
        hint = did_you_mean(suggestions({t: t for t in known_data_types()}, data_type))
        raise InputError(
            f"{option}: unknown data type {data_type!r}{hint}; types: "
            f"{', '.join(known_data_types())}"
        )
    field = schema.fields[field_name(schema, name, option)]
    if data_type and data_type != field.data_type:
        raise InputError(
            f"{option}: {field.api_name} is a {field.data_type} field of {schema.api_name}, "
            f"not {data_type}; write --unique {field.api_name} (or "
            f"{field.api_name}:{field.data_type}); a field of another type comes from --schema"
        )
    try:
        redefine(engine, schema.api_name, field, unique=True)
    except (UpsertEngineError, InputError) as error:
        raise InputError(f"{option}: {error}") from None


def set_normalizer(engine: Engine, spec: str, default_module: str | None) -> None:
    """``--normalize [Module.]Field:NAME``: R8's normaliser of a field (digits, integer, text)."""
    option = f"--normalize {spec}"
    module, name, normalizer = _split_spec("--normalize", spec, default_module)
    if not normalizer:
        raise InputError(f"{option}: expected Field:normaliser ({', '.join(NORMALIZERS)})")
    if normalizer not in NORMALIZERS:
        hint = did_you_mean(suggestions({n: n for n in NORMALIZERS}, normalizer))
        raise InputError(f"{option}: no normaliser {normalizer}{hint}; {', '.join(NORMALIZERS)}")
    schema = engine.schema(module_name(engine, module, option))
    field = schema.fields[field_name(schema, name, option)]
    try:
        redefine(engine, schema.api_name, field, normalizer=NORMALIZERS[normalizer])
    except (UpsertEngineError, InputError) as error:
        raise InputError(f"{option}: {error}") from None


def check_fields(schema: ModuleSchema, text: str | None, options: Options) -> list[str] | None:
    """``--check-fields A,B``: the request's duplicate_check_fields (R5, R7; external fields,
    R24, and ``id``, R25, included); labels accepted."""
    if text is None:
        return None
    parts = text.split(",")
    if any(not part.strip() for part in parts):
        raise InputError(
            f"--check-fields {text}: an empty field name (between, before or after a comma); "
            f"give field names separated by commas, e.g. Email,Mobile"
        )
    names = [
        name.strip() if name.strip() == "id" else field_name(schema, name, "--check-fields")
        for name in parts
    ]
    policy = options.non_unique_check_field
    for name in names:
        if name == "id" or name in schema.duplicate_check_fields:  # R25: id may be named
            continue
        if policy is NonUniqueCheckField.MATCH and is_match_key(schema, name):
            continue  # R7's default: a match key at its position, not a constraint
        if policy is NonUniqueCheckField.IGNORE:
            continue  # R7: the engine drops it from the check order
        field = schema.fields[name]
        reason = (
            f"and a {field.data_type} field cannot be a match key (R7: only "
            f"{', '.join(sorted(UNIQUE_CAPABLE_TYPES))})"
            if policy is NonUniqueCheckField.MATCH
            else f"and --non-unique-check-field is {policy.value}; make it unique with "
            f"--unique {name}, or send it as a match key with --non-unique-check-field match"
        )
        raise InputError(
            f"--check-fields: {name} is not a duplicate check field of {schema.api_name} "
            f"(these are: {', '.join(schema.duplicate_check_fields) or 'none'}), {reason} (R7)"
        )
    return names


_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?$")


def parse_timezone(text: str) -> tzinfo:
    """``--timezone``: UTC, an offset (+05:30, -0800) or an IANA name (Asia/Kolkata)."""
    value = text.strip()
    if value.upper() in ("UTC", "Z", "GMT"):
        return timezone.utc
    match = _OFFSET.match(value)
    if match:
        sign, hours, minutes = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if delta < timedelta(hours=24):
            return timezone(-delta if sign == "-" else delta)
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        names = {name: name for name in zoneinfo.available_timezones()}
        raise InputError(
            f"--timezone {text}: not a time zone{did_you_mean(suggestions(names, value))}; "
            f"give UTC, an offset like +05:30, or a name like Europe/Berlin"
        ) from None


#: The times a run may stamp (R18): ``--now`` from the first to the last of these; the last
#: leaves a year of requests (a second each) before datetime's end, 9999-12-31.
EARLIEST_NOW = datetime(1900, 1, 1, tzinfo=timezone.utc)
LATEST_NOW = datetime(9998, 12, 31, 23, 59, 59, tzinfo=timezone.utc)


def parse_now(text: str, zone: str) -> datetime:
    """``--now``: an ISO 8601 time (``2026-07-01 09:00:00``, ``2026-07-01T09:00:00+02:00``);
    without an offset it is read in ``--timezone``. Only what R18 writes is taken: whole
    seconds, an offset of whole minutes (``yyyy-MM-ddTHH:mm:ss+HH:mm``), a time from
    ``EARLIEST_NOW`` to ``LATEST_NOW``."""
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"--now {text}: not an ISO 8601 time, e.g. 2026-07-01 09:00:00 or "
            f"2026-07-01T09:00:00+02:00"
        ) from None
    if parsed.microsecond:
        raise InputError(
            f"--now {text}: a fraction of a second; R18's times are whole seconds "
            f"(yyyy-MM-ddTHH:mm:ss+HH:mm), e.g. {parsed.replace(microsecond=0).isoformat()}"
        )
    if parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=parse_timezone(zone))
    try:
        offset, inside = parsed.utcoffset(), EARLIEST_NOW <= parsed <= LATEST_NOW
    except OverflowError:  # a zone's offset at the very ends of datetime's range
        offset, inside = None, False
    if offset is None or not inside:
        raise InputError(
            f"--now {text}: outside the times a run can stamp (R11, R18): from "
            f"{EARLIEST_NOW.isoformat()} to {LATEST_NOW.isoformat()}"
        )
    if offset % timedelta(minutes=1):
        raise InputError(
            f"--now {text}: the offset {offset} has seconds; R18's times carry an offset of "
            f"hours and minutes (yyyy-MM-ddTHH:mm:ss+HH:mm)"
        )
    return parsed


def delimiter(text: str | None) -> str | None:
    """``--delimiter``: one character, or comma, semicolon, tab, pipe."""
    if text is None:
        return None
    value = DELIMITER_NAMES.get(text.strip().lower(), text)
    if len(value) != 1:
        names = ", ".join([*DELIMITER_NAMES][:4])
        raise InputError(f"--delimiter {text!r}: one character, or one of {names}")
    return value


def encoding(text: str | None, option: str = "--encoding") -> str | None:
    """``--encoding``: a text encoding Python knows (utf-8, latin-1, cp1252, utf-16); a codec
    from bytes to bytes or str to str (base64, zlib, rot13) is refused, as is an unknown name."""
    if text is None:
        return None
    import codecs

    common = ["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252", "iso-8859-15"]
    try:
        info = codecs.lookup(text)
    except LookupError:
        hint = did_you_mean(suggestions({c: c for c in common}, text))
        raise InputError(f"{option} {text}: not an encoding Python knows{hint}") from None
    if not info._is_text_encoding:
        raise InputError(
            f"{option} {text}: {info.name} is no text encoding (it does not turn bytes into "
            f"text); give one such as {', '.join(common)}"
        )
    return info.name


def options_from(args: argparse.Namespace, **defaults: Any) -> Options:
    """The engine's ``Options`` from the command line's (each [inf] rule's switch); an option
    not given takes ``defaults``, then ``Options``' own default."""
    values: dict[str, Any] = dict(defaults)
    for flag, attribute, kind, _ in CHOICES:
        given = getattr(args, attribute, None)
        if given is not None:
            values[attribute] = choose(flag, given, [m.value for m in kind])
    if getattr(args, "api_version", None) is not None:
        values["api_version"] = choose("--api-version", args.api_version, list(API_VERSIONS))
    for _, attribute, _, _ in SWITCHES:
        if getattr(args, attribute, None) is not None:
            values[attribute] = getattr(args, attribute)
    if getattr(args, "max_unique_fields", None) is not None:
        values["max_unique_fields"] = args.max_unique_fields
    if getattr(args, "approval_state_since", None) is not None:
        values["approval_state_since"] = choose(
            "--approval-state-since", args.approval_state_since, list(API_VERSIONS)
        )
    if getattr(args, "pending_approval_state", None) is not None:
        values["pending_approval_state"] = args.pending_approval_state
    return Options(**values)


def configure_fields(
    engine: Engine, module: str | None, args: argparse.Namespace, only: bool = False
) -> None:
    """Apply ``--unique`` then ``--normalize`` (each in the order given); ``only``: every
    spec must name ``module`` (``plan``, ``apply`` and ``schema`` work on that one module: a
    spec naming another would do nothing)."""
    if only and module is not None:
        for option, specs in (("--unique", args.unique), ("--normalize", args.normalize)):
            for spec in specs or ():
                named = module_name(
                    engine, _split_spec(option, spec, module)[0], f"{option} {spec}"
                )
                if named != module:
                    raise InputError(
                        f"{option} {spec}: names {named}, but --module is {module} (the only "
                        f"module {args.command} reads); write {option} "
                        f"{spec.partition('.')[2]} for the field of {module}"
                    )
    for spec in args.unique:
        make_unique(engine, spec, module)
    for spec in getattr(args, "normalize", None) or ():
        set_normalizer(engine, spec, module)


def add_org_arguments(
    parser: argparse.ArgumentParser, *, module_required: bool, schema_help: str | None = None
) -> None:
    """--module, --schema, --unique, --normalize and the engine's options."""
    parser.add_argument(
        "--module",
        action=Once,
        required=module_required,
        help="module API name, e.g. Leads (R2's PriceBooks, SalesOrders, PurchaseOrders too)"
        + ("" if module_required else "; the module of a --store of plain records"),
    )
    parser.add_argument(
        "--schema",
        action=Once,
        metavar="SCHEMA.json",
        help=schema_help
        or "what `upsert-engine schema` prints, edited: custom fields (with their label), "
        'unique and mandatory fields; a custom module with "custom": true',
    )
    parser.add_argument(
        "--unique",
        action="append",
        default=[],
        metavar="[Module.]Field[:type]",
        help="make an existing field user-defined unique (R1; repeatable), e.g. Mobile or "
        "Mobile:phone; the type, if given, must be the field's; types that can be unique: "
        "text, email, phone, integer, bigint, website (all types: "
        f"{', '.join(known_data_types())})",
    )
    parser.add_argument(
        "--normalize",
        action="append",
        default=[],
        metavar="[Module.]Field:NAME",
        help=f"R8's normaliser of a field (repeatable): {', '.join(NORMALIZERS)}; "
        "e.g. Mobile:digits (default: text strips and lower-cases, integer for numbers)",
    )
    engine = parser.add_argument_group("engine options (the spec's inferred rules)")
    defaults = Options()
    for flag, attribute, kind, rule in CHOICES:
        engine.add_argument(
            flag,
            dest=attribute,
            metavar="|".join(m.value for m in kind),
            help=f"{_with_rule(rule, kind.__doc__.splitlines()[0])} (default "
            f"{getattr(defaults, attribute).value})",
        )
    engine.add_argument(
        "--api-version",
        metavar="|".join(API_VERSIONS),
        help=f"R23: the response shape (default {defaults.api_version})",
    )
    for stem, attribute, rule, text in SWITCHES:
        engine.add_argument(
            f"--{stem}",
            dest=attribute,
            action=argparse.BooleanOptionalAction,
            default=None,
            help=f"{rule}: {text}",
        )
    engine.add_argument(
        "--approval-state-since",
        metavar="VERSION",
        help="R31: the first API version whose added records carry $approval_state (default "
        f"{defaults.approval_state_since})",
    )
    engine.add_argument(
        "--pending-approval-state",
        metavar="STATE",
        help='R31: $approval_state of a record inserted with "$approved": false (default '
        f"{defaults.pending_approval_state})",
    )
    engine.add_argument(
        "--max-unique-fields",
        type=int,
        metavar="N",
        help="R3: cap on user-defined unique fields per module (default: none; Zoho's is 2)",
    )


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    """How input files are read: --map, --ignore-column(s), --encoding, --delimiter, --timezone."""
    parser.add_argument(
        "--map",
        action=Once,
        metavar="MAP.json",
        help='custom labels: {"Display Label": "API_Name", ...}; null leaves a column out. '
        "Standard fields are known by API name and Zoho label without it",
    )
    parser.add_argument(
        "--ignore-column",
        action="append",
        default=[],
        metavar="NAME",
        help="leave out a column that names no field (repeatable); without it such a "
        "column is an error",
    )
    parser.add_argument(
        "--ignore-unknown-columns",
        action="store_true",
        help="leave out every column that names no field (listed on stderr)",
    )
    parser.add_argument(
        "--encoding",
        help="of the rows (serve: of the store) (default UTF-8, with or without BOM; UTF-16 "
        "when the file starts with its BOM): a text encoding, e.g. cp1252, latin-1, utf-16 (which "
        "needs the BOM; utf-16-le or utf-16-be without one)",
    )
    parser.add_argument(
        "--delimiter",
        help="of CSV files (default: sniffed from each header line among , ; tab |): "
        "a character or comma, semicolon, tab, pipe",
    )
    parser.add_argument(
        "--timezone",
        default="UTC",
        help="of times without an offset in a store (Zoho's export format 2024-06-19 "
        "01:58:32): UTC (default), +05:30, an IANA name; a negative offset as "
        "--timezone=-05:00",
    )


def read_map(path: str | None) -> dict[str, str | None]:
    """``--map``: custom column labels to API names (null leaves a column out)."""
    if path is None:
        return {}
    data = read_json(path)
    if not isinstance(data, dict) or not all(
        value is None or isinstance(value, str) for value in data.values()
    ):
        raise InputError(f'{path}: expected {{"Display Label": "API_Name" or null, ...}}')
    return data

"""The upsert fast path: ``decide`` compiled per record shape, for the common case only.

Most records of a request share a few *shapes*: the same keys in the same order. For each
shape seen, ``FastPlan.compile`` generates one straight-line function that does what
``decision.decide`` does for such a record, with every per-field lookup resolved at compile
time: validation (R15), the walk of the check order (R8-R11), the R17 option, mandatory
fields (R13) and uniqueness (R14). It answers only the cases it is sure of:

- ``None``: anything unusual (an invalid value, several candidates, a missing mandatory
  field, a refused intra-batch target, several other holders of a unique value). The engine
  then asks ``decide`` itself, which is pure, so the answer is exactly the general path's;
- ``(target, duplicate_field, keys, clashes)``: ``target`` None for an insert; ``keys`` the
  normalised values it computed (field -> key); ``clashes`` None, or the R14 collisions
  ``[(field, other_id), ...]`` each with a single other holder, which the engine words as
  ``decide`` would.

Records carrying ``id`` (R25), an external field (R24), an Owner, user lookup or lookup
(R32, R33) are not compiled: ``decide`` answers them. Inserts get ``insert_defaults`` (R32, the
acting user as Owner), as ``decide`` gives them.

The generated code is built from field *positions* only (names and callables are passed in
its namespace), never from request data. Plans are cached per module and check order and
dropped whenever the module's schema or indexes change (``ModuleStore.set_schema``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._loading import copy_value
from .decision import Accepted, Context, Rejected, decide, duplicate_details
from .fields import CONTAINER_TYPES, PLAIN_STRING_TYPES, normalize_text
from .options import IntraBatch, Options, RecordId, UnknownFields
from .references import REFERENCE_TYPES
from .responses import stamp_of, success_entry
from .rules import (
    APPROVAL_STATE_KEY,
    APPROVED,
    MESSAGES,
    READ_ONLY_SYSTEM_FIELDS,
    RESERVED_KEYS,
)
from .store import ModuleStore

#: What a compiled shape answers (see the module docstring).
Outcome = tuple[str | None, str | None, dict[str, str | None], list[tuple[str, str]] | None]
Compiled = Callable[[dict[Any, Any], Any], "Outcome | None"]

#: Shapes compiled per module and check order; records of further shapes go to ``decide``.
MAX_SHAPES = 256
#: Keys a shape may have to be compiled (or cached): a wider record goes to ``decide``, so one
#: hostile record cannot make a huge function or pin its keys (issue 8 item 7).
MAX_SHAPE_KEYS = 512

_UNSET: Any = object()  # a key not computed (yet)


class FastPlan:
    """Per module and check order: the fields, indexes and options the fast path needs."""

    __slots__ = (
        "containers",
        "deferred",
        "fields",
        "ignore_unknown",
        "index_all",
        "indexes",
        "mandatory",
        "order",
        "records",
        "reject_written",
        "shapes",
        "unique",
        "walk_indexes",
    )

    def __init__(self, store: ModuleStore, order: tuple[str, ...], options: Options) -> None:
        schema = store.schema
        self.fields = schema.fields
        self.order = order
        self.unique = schema.unique_fields  # every one of them is in the check order (R5)
        self.mandatory = schema.insert_mandatory()  # R4 (records with a Layout defer)
        self.indexes = store.indexes
        self.records = store.records
        self.reject_written = options.intra_batch is IntraBatch.REJECT
        self.ignore_unknown = options.unknown_fields is UnknownFields.IGNORE
        #: the check order covers every index, so an insert's keys are all known
        self.index_all = set(order) == set(store.indexes)
        self.walk_indexes = tuple((name, store.indexes[name]) for name in order)
        self.containers = frozenset(
            name for name, f in self.fields.items() if f.data_type in CONTAINER_TYPES
        )
        #: keys whose presence sends a record to ``decide`` (R24, R25, R32, R33)
        self.deferred = frozenset(
            name
            for name, f in self.fields.items()
            if f.external is not None or f.data_type in REFERENCE_TYPES
        ) | ({"id"} if options.record_id is not RecordId.IGNORE else frozenset())
        #: shape -> (compiled function, whether some keys are dropped), or None
        self.shapes: dict[tuple[Any, ...], tuple[Compiled, bool] | None] = {}

    def lookup(self, shape: tuple[Any, ...]) -> tuple[Compiled, bool] | None:
        """The compiled function of ``shape`` (compiling it the first time), or None."""
        try:
            return self.shapes[shape]
        except KeyError:
            pass
        if len(shape) > MAX_SHAPE_KEYS:
            return None
        compiled = self.compile(shape) if len(self.shapes) < MAX_SHAPES else None
        if len(self.shapes) < MAX_SHAPES:
            self.shapes[shape] = compiled
        return compiled

    def compile(self, shape: tuple[Any, ...]) -> tuple[Compiled, bool] | None:
        """Generate the function for records whose keys are exactly ``shape``, in order.

        None when some key is not a str, is a key ``prepare`` would reject, or is deferred.
        """
        fields = self.fields
        kept: dict[str, int] = {}  # field -> position in the record
        for position, name in enumerate(shape):
            if name.__class__ is not str or name in self.deferred:
                return None
            if name in fields:
                if fields[name].rows:
                    return None  # R36: decide() merges subform rows
                kept[name] = position
            elif name in RESERVED_KEYS:
                return None  # R26, R31, R35: decide() handles the reserved keys
            elif not (self.ignore_unknown or name in READ_ONLY_SYSTEM_FIELDS):
                return None  # unknown_fields=reject: decide() words the error
        dropped = len(kept) != len(shape)
        ns: dict[str, Any] = {"UNSET": _UNSET, "R": self.records, "normalize_text": normalize_text}
        code: list[str] = ["def run(record, written):"]
        if shape:
            code.append(f"    {', '.join(f'v{i}' for i in range(len(shape)))}, = record.values()")

        # R15: every value valid for its field
        for name, i in kept.items():
            f = fields[name]
            ns[f"c{i}"] = f.check
            if f.data_type in PLAIN_STRING_TYPES and f.max_length:
                code.append(
                    f"    if v{i} is not None and (v{i}.__class__ is not str or "
                    f"len(v{i}) > {int(f.max_length)}) and c{i}(v{i}) is not None: return None"
                )
            else:
                code.append(f"    if v{i} is not None and c{i}(v{i}) is not None: return None")
            if f.convert is not None:  # R28: a value not in its stored form goes to decide()
                ns[f"X{i}"] = f.convert
                code.append(f"    if v{i} is not None and X{i}(v{i}) is not v{i}: return None")

        def key_of(var: str, j: int) -> str:
            """Expression: the normalised key of the value in ``var`` (R8, R9)."""
            if self.fields[self.order[j]].normalizer is normalize_text:
                return (
                    f"(({var}.strip().lower() or None) if {var}.__class__ is str else "
                    f"(None if {var} is None else (N{j}({var}) or None)))"
                )
            return f"(None if {var} is None else (N{j}({var}) or None))"

        # R8-R11: the first field of the check order that finds a record decides
        walk = list(self.order)
        for j, name in enumerate(walk):
            ns[f"N{j}"] = fields[name].normalizer
            ns[f"I{j}"] = self.indexes[name]
            ns[f"F{j}"] = name
        code.append(f"    {' = '.join(f'k{j}' for j in range(len(walk)))} = UNSET" if walk else "")
        code.append("    target = None")
        code.append("    deciding = None")
        code.append("    while True:")
        for j, name in enumerate(walk):
            if name not in kept:
                code.append(f"        k{j} = None")
                continue
            code.append(f"        k{j} = {key_of(f'v{kept[name]}', j)}")
            code.append(f"        if k{j} is not None:")
            code.append(f"            h = I{j}.get(k{j})")
            code.append("            if h is not None:")
            code.append("                if h.__class__ is not str: return None")
            code.append(f"                target = h; deciding = F{j}; break")
        code.append("        break")

        # R17 option, R13
        if self.reject_written:
            code.append("    if target is not None and target in written: return None")
        missing = [name for name in self.mandatory if name not in kept]
        checks = [
            f"v{kept[name]} is None or (isinstance(v{kept[name]}, str) and "
            f"not v{kept[name]}.strip())"
            for name in self.mandatory
            if name in kept
        ]
        if missing:
            code.append("    if target is None: return None")
        elif checks:
            code.append("    if target is None and (" + " or ".join(checks) + "): return None")

        # R14: a changed unique value held by another record
        code.append("    clashes = None")
        for name in self.unique:
            if name not in kept:
                continue
            j = walk.index(name)
            code.append(f"    if k{j} is UNSET: k{j} = {key_of(f'v{kept[name]}', j)}")
            code.append(f"    if k{j} is not None:")
            code.append(f"        h = I{j}.get(k{j})")
            code.append("        if h is not None and h != target:")
            code.append(f"            c = None if target is None else R[target].get(F{j})")
            code.append(f"            if c is None or {key_of('c', j)} != k{j}:")
            code.append("                if h.__class__ is not str: return None")
            code.append("                if clashes is None: clashes = []")
            code.append(f"                clashes.append((F{j}, h))")

        # the keys computed, for the write
        code.append("    keys = {}")
        for j in range(len(walk)):
            code.append(f"    if k{j} is not UNSET: keys[F{j}] = k{j}")
        code.append("    return target, deciding, keys, clashes")
        exec("\n".join(line for line in code if line), ns)  # positions only: see docstring
        run: Compiled = ns.pop("run")  # no function <-> globals cycle: freed with the engine
        return run, dropped


@dataclass(frozen=True, slots=True)
class EngineHooks:
    """What the upsert loop needs from the engine: options, the acting user (as stamps show
    it), the request's context, what inserts get (``insert_defaults``), id issuing and the
    general path's one place of writing (``Engine._apply``)."""

    options: Options
    user: dict[str, str]
    ctx: Context
    defaults: dict[str, Any]
    default_ids: bool  # ids are sequential_ids and none was ever given: inline them
    first_id: int
    apply: Callable[[ModuleStore, Accepted, str, int], tuple[str, int]]
    next_id: Callable[[int], tuple[str, int]]


def run_upserts(
    plan: FastPlan,
    store: ModuleStore,
    records: list[dict[Any, Any]],
    now: str,
    seq: int,
    entries: list[dict[str, Any]],
    hooks: EngineHooks,
) -> int:
    """The upsert loop (R10-R17), specialised; returns the next id sequence number.

    Each record goes through the function compiled for its shape (``_fastpath.py``),
    which decides the common case; whatever it does not answer goes to ``decide``, the
    general path, for that record (``decide`` is pure: its answer is exactly what the
    general path would give). The fast path then writes and answers here.
    Cost per record: the compiled checks and probes, one dict copy, the index updates,
    the response entry.
    """
    order = plan.order
    lookup = plan.lookup
    shapes = plan.shapes
    fields = plan.fields
    containers = plan.containers
    index_all = plan.index_all
    walk_indexes = plan.walk_indexes
    store_records = store.records
    schema = store.schema
    options = hooks.options
    user = hooks.user
    user_name, user_id = user["name"], user["id"]
    ctx = hooks.ctx
    defaults = hooks.defaults
    duplicate_message = MESSAGES["DUPLICATE_DATA"]
    multiple_message = MESSAGES["MULTIPLE_OR_MULTI_ERRORS"]
    added_message, updated_message = MESSAGES["SUCCESS_insert"], MESSAGES["SUCCESS_update"]
    default_ids = hooks.default_ids
    undo = store.undo_log()
    written: dict[str, None] = {}
    for position, record in enumerate(records):
        shape = tuple(record)
        compiled = shapes[shape] if shape in shapes else lookup(shape)
        outcome = None if compiled is None else compiled[0](record, written)
        if outcome is None:  # the general path decides this record
            decision = decide(
                schema, options, order, position, record, store, written, ctx, by_id=True
            )
            if isinstance(decision, Rejected):
                entries.append(decision.entry())
                continue
            record_id, seq = hooks.apply(store, decision, now, seq)
            written[record_id] = None
            entries.append(
                success_entry(
                    decision.action,
                    decision.duplicate_field,
                    record_id,
                    store_records[record_id],
                    now,
                    user,
                    decision.approval_state,
                )
            )
            continue
        target, deciding, keys, clashes = outcome
        if clashes is not None:  # R14: DUPLICATE_DATA, as decide() words it
            errors = [
                {
                    "code": "DUPLICATE_DATA",
                    "details": duplicate_details(schema, position, name, [other], store, ctx),
                    "message": duplicate_message,
                    "status": "error",
                }
                for name, other in clashes
            ]
            if len(errors) == 1:
                entries.append(errors[0])
            else:
                entries.append(
                    {
                        "code": "MULTIPLE_OR_MULTI_ERRORS",
                        "details": {"errors": errors},
                        "message": multiple_message,
                        "status": "error",
                    }
                )
            continue
        # apply (R12): the one write of the fast path, into a dict of its own
        assert compiled is not None
        if compiled[1]:  # keys that are not fields are dropped, as prepare() drops them
            values = {k: copy_value(v) for k, v in record.items() if k in fields}
        elif containers and not containers.isdisjoint(record):
            values = {k: copy_value(v) for k, v in record.items()}
        else:
            values = dict(record)
        values["Modified_Time"] = now
        values["Modified_By"] = user
        if target is None:
            if default_ids:
                record_id = str(hooks.first_id + seq)
                seq += 1
            else:
                record_id, seq = hooks.next_id(seq)
            values["Created_Time"] = now
            values["Created_By"] = user
            if defaults:  # R32: shared, as the stamps are (stored values are never changed)
                values.update(defaults)
            if index_all:  # every indexed field was just normalised by the walk
                if undo is not None:  # logged before the writes (ModuleStore: atomicity)
                    undo.append(("insert", record_id, keys))
                store_records[record_id] = values
                for name, index in walk_indexes:
                    key = keys[name]
                    if key is not None and index.setdefault(key, record_id) != record_id:
                        store.add_key(name, key, record_id)  # the key had a holder
            else:
                store.insert_keyed(record_id, values, keys)
            written[record_id] = None
            entries.append(
                {
                    "code": "SUCCESS",
                    "duplicate_field": None,
                    "action": "insert",
                    "details": {
                        "Modified_Time": now,
                        "Modified_By": {"name": user_name, "id": user_id},
                        "Created_Time": now,
                        "id": record_id,
                        "Created_By": {"name": user_name, "id": user_id},
                        APPROVAL_STATE_KEY: APPROVED,  # R31 (dropped before v6 by the engine)
                    },
                    "message": added_message,
                    "status": "success",
                }
            )
        else:
            stored = store.update_keyed(target, values, keys)
            written[target] = None
            entries.append(
                {
                    "code": "SUCCESS",
                    "duplicate_field": deciding,
                    "action": "update",
                    "details": {
                        "Modified_Time": now,
                        "Modified_By": {"name": user_name, "id": user_id},
                        "Created_Time": stored["Created_Time"],
                        "id": target,
                        "Created_By": stamp_of(stored["Created_By"]),
                    },
                    "message": updated_message,
                    "status": "success",
                }
            )
    return seq

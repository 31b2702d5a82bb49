"""The upsert fast path: ``decide`` compiled per record shape, the whole record at once.

Most records of a request share a few *shapes*: the same keys in the same order. For each
shape seen, ``FastPlan.compile`` generates once (from the per-rule templates of
_fastcode.py) a straight-line function that does the whole record as ``decide`` and
``_requests.apply`` would: checks, walk, write (undo logged first) and response entry, with
every per-field lookup resolved in advance. It answers only the cases it is sure of; for
anything else it returns None before writing anything, and ``run_upserts`` asks ``decide``
itself, which is pure, so the answer is exactly the general path's.

Records carrying ``id`` (R25), a user-based external field (R24), an Owner, user lookup or lookup
(R32, R33), a reserved key (R26, R31, R35), a subform (R36) or a composed field such as
Full_Name are not compiled: ``decide`` answers them. Plans are cached per module and
check order and dropped whenever the module's schema or indexes change
(``ModuleStore.set_schema``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._fastcode import entry_templates, generate
from .decision import Accepted, Context, Rejected, decide, duplicate_details
from .options import IntraBatch, Options, RecordId, UnknownFields
from .references import REFERENCE_TYPES, computed_fields, insert_defaults
from .responses import success_entry
from .rules import MESSAGES, READ_ONLY_SYSTEM_FIELDS, RESERVED_KEYS
from .store import Index, ModuleStore

#: A compiled shape: ``bind(*request)`` -> ``run(record, position, seq)`` -> next seq or None.
Bind = Callable[..., Callable[[dict[Any, Any], int, int], "int | None"]]

#: Shapes compiled per module and check order; records of further shapes go to ``decide``.
MAX_SHAPES = 256
#: Keys a shape may have to be compiled (or cached): a wider record goes to ``decide``, so one
#: hostile record cannot make a huge function or pin its keys (issue 8 item 7).
MAX_SHAPE_KEYS = 512

_MISSING: Any = object()


class FastPlan:
    """Per module and check order: the fields, indexes and options the fast path needs."""

    __slots__ = (
        "defaults",
        "deferred",
        "fields",
        "ignore_unknown",
        "indexed",
        "indexes",
        "mandatory",
        "order",
        "records",
        "reject_written",
        "shapes",
        "unique",
    )

    def __init__(self, store: ModuleStore, order: tuple[str, ...], options: Options) -> None:
        schema = store.schema
        self.fields = schema.fields
        self.order = order
        self.unique = schema.unique_fields  # every one of them is in the check order (R5)
        self.mandatory = schema.insert_mandatory()  # R4 (records with a Layout defer)
        self.indexes = store.indexes
        #: every index of the module, (field, index), in the store's order
        self.indexed: tuple[tuple[str, Index], ...] = tuple(store.indexes.items())
        self.records = store.records
        self.reject_written = options.intra_batch is IntraBatch.REJECT
        self.ignore_unknown = options.unknown_fields is UnknownFields.IGNORE
        #: R32: the fields an insert gets when it does not set them (their values per user)
        self.defaults = tuple(insert_defaults(schema, Context(options.user)))
        #: keys whose presence sends a record to ``decide``: ids (R25), user-based external
        #: fields (R24: per user), Owner, user lookups and lookups (R32, R33). An org-based
        #: external field is walked and kept unique as a unique field is (R24, R10, R14).
        self.deferred = (
            frozenset(
                name
                for name, f in self.fields.items()
                if f.external == "user" or f.data_type in REFERENCE_TYPES
            )
            | ({"id"} if options.record_id is not RecordId.IGNORE else frozenset())
            | frozenset(computed_fields(schema))  # ``prepare`` ignores a write of them
        )
        #: shape -> the compiled ``bind``, or None (the shape goes to ``decide``)
        self.shapes: dict[tuple[Any, ...], Bind | None] = {}

    def lookup(self, shape: tuple[Any, ...]) -> Bind | None:
        """The compiled ``bind`` of ``shape`` (compiling it the first time), or None."""
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

    def kept(self, shape: tuple[Any, ...]) -> dict[str, int] | None:
        """Field -> position in the record for records of ``shape``; None when some key is
        not a str, is deferred (see the module docstring) or would be refused by ``prepare``."""
        fields = self.fields
        kept: dict[str, int] = {}
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
        return kept

    def source(self, shape: tuple[Any, ...]) -> str | None:
        """The generated source for ``shape`` (what ``compile`` runs), or None."""
        kept = self.kept(shape)
        return None if kept is None else "\n".join(generate(self, shape, kept).lines)

    def compile(self, shape: tuple[Any, ...]) -> Bind | None:
        """Generate ``bind`` for records whose keys are exactly ``shape``, in order."""
        kept = self.kept(shape)
        if kept is None:
            return None
        writer = generate(self, shape, kept)
        namespace = dict(writer.names)
        exec("\n".join(writer.lines), namespace)  # positions only: see _fastcode.py
        bind: Bind = namespace.pop("bind")  # no function <-> globals cycle: freed with the plan
        return bind


@dataclass(frozen=True, slots=True)
class EngineHooks:
    """What the upsert loop needs from the engine: options, the acting user (as stamps show
    it), the request's context, what inserts get (``insert_defaults``), id issuing and the
    general path's one place of writing (``_requests.apply``)."""

    options: Options
    user: dict[str, str]
    ctx: Context
    defaults: dict[str, Any]
    default_ids: bool  # ids are sequential_ids: inline them ...
    first_id: int
    given_ids: set[str]  # ... skipping the ids loaded as given
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
    """The upsert loop (R10-R17); returns the next id sequence number.

    Each record goes through the function compiled for its shape, bound once per request to
    what the request brings; whatever it does not answer goes to ``decide``, the general
    path, for that record, and is applied by ``_requests.apply``.
    """
    schema = store.schema
    options = hooks.options
    ctx = hooks.ctx
    user = hooks.user
    undo = store.undo_log()
    assert undo is not None, "the fast path writes inside a transaction (Org._atomic)"
    written: dict[str, None] = {}
    duplicate_message = MESSAGES["DUPLICATE_DATA"]

    def clash(position: int, clashes: list[tuple[str, str]]) -> dict[str, Any]:
        """R14: DUPLICATE_DATA per (field, single other holder), as ``decide`` words it."""
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
            return errors[0]
        return {
            "code": "MULTIPLE_OR_MULTI_ERRORS",
            "details": {"errors": errors},
            "message": MESSAGES["MULTIPLE_OR_MULTI_ERRORS"],
            "status": "error",
        }

    request = (
        now,
        user,
        undo.append,
        entries.append,
        written,
        hooks.defaults,
        hooks.default_ids,
        hooks.first_id,
        hooks.given_ids,
        hooks.next_id,
        clash,
        entry_templates(now, user, plan.indexed),
    )
    bound: dict[tuple[Any, ...], Any] = {}
    lookup = plan.lookup
    order = plan.order
    for position, record in enumerate(records):
        shape = tuple(record)
        run = bound.get(shape, _MISSING)
        if run is _MISSING:
            compiled = lookup(shape) if record.__class__ is dict else None
            run = bound[shape] = None if compiled is None else compiled(*request)
        if run is not None:
            done = run(record, position, seq)
            if done is not None:
                seq = done
                continue
        # the general path decides this record
        decision = decide(schema, options, order, position, record, store, written, ctx, by_id=True)
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
                store.records[record_id],
                now,
                user,
                decision.approval_state,
            )
        )
    return seq

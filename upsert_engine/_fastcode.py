"""The fast path's code: one function per record shape, written from one template per rule.

``generate(plan, shape)`` writes the source of ``bind``, a factory for records whose keys are
exactly ``shape``, in order. Per request the engine calls ``bind`` with what the request
brings (its time, the acting user, the undo log, the response list, ...) and gets
``run(record, position, seq)``, which does the whole record: its values (R15, R28), the walk
of the check order (R8-R11), the batch option (R17), mandatory fields (R13), uniqueness
(R14), the write (R12, with its undo entry logged first: spec section 8) and the response
entry (R18, R31). It returns the next id sequence number.

Whatever a template cannot answer for sure (an invalid value, several candidates, a target
the batch already wrote under ``intra_batch=reject``, a unique value with several holders)
makes ``run`` return None *before it has written anything*: the record then goes to
``decision.decide``, the one statement of the rules, which words the answer. The errors the
templates do answer (R13, R14) are worded by decision.py's own functions.
Shapes with keys the templates do not know (ids, user-based external fields, Owner, lookups,
reserved keys, subforms: R24-R26, R31-R33, R35, R36) are not compiled at all
(``FastPlan.compile``); an org-based external field is walked and kept unique as a unique
field is (R24).

Each template returns the lines of one rule, and every line that implements a rule ends with
a comment citing it: ``FastPlan.source(shape)`` reads as the rules it implements. The code is
built from field positions and the schema only (names, indexes and callables are passed in
its namespace), never from request data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._loading import copy_value
from .decision import missing_mandatory
from .fields import CONTAINER_TYPES, FieldDef, is_missing, normalize_text, string_form
from .formats import FAST_ACCEPT
from .rules import APPROVAL_STATE_KEY, APPROVED, MESSAGES
from .store import _add_holder, _discard_holder, _frozen

if TYPE_CHECKING:
    from ._fastpath import FastPlan

#: What every generated function may use besides its own names (see ``Writer.names``).
COMMON: Mapping[str, Any] = {
    "CP": copy_value,
    "MISSING": is_missing,  # R13, as decide() reads it (fields.is_missing)
    "MM": missing_mandatory,  # R13's error, as decide() words it
    "A": _add_holder,
    "D": _discard_holder,
    "FR": _frozen,
    "NOCH": (),  # an update that changes no index slot
}

#: ``bind``'s parameters: what one request brings (see ``_fastpath.run_upserts``).
BIND_PARAMS = (
    "now",  # R12, R18: the request's time
    "user",  # R18: the acting user as Created_By / Modified_By store it
    "log",  # spec section 8: the store's undo log (append)
    "append",  # the response entries (append)
    "written",  # R17: ids written by earlier records of the request
    "dflt",  # R32: what an insert gets that does not set it (Owner)
    "fast_ids",  # ids are the default source's: inline it
    "first",  # ... its first id
    "given",  # ... skipping the ids loaded as given
    "next_id",  # else (and for those) the engine's id source
    "clash",  # R14: the DUPLICATE_DATA entry of (field, holder) pairs, as decide words it
    "templates",  # R18, R31: the request's entry templates (``entry_templates``)
)


def entry_templates(
    now: str, user: dict[str, str], indexed: tuple[tuple[str, Any], ...]
) -> tuple[Any, ...]:
    """R18, R31: one request's success entries as templates ``run`` copies: the user stamp,
    an insert's entry and details, an update's details, and an update's entry per field that
    may decide (by index number)."""
    return (
        {"name": user["name"], "id": user["id"]},
        {
            "code": "SUCCESS",
            "duplicate_field": None,
            "action": "insert",
            "details": None,
            "message": MESSAGES["SUCCESS_insert"],
            "status": "success",
        },
        {
            "Modified_Time": now,
            "Modified_By": None,
            "Created_Time": now,
            "id": None,
            "Created_By": None,
            APPROVAL_STATE_KEY: APPROVED,
        },
        {
            "Modified_Time": now,
            "Modified_By": None,
            "Created_Time": None,
            "id": None,
            "Created_By": None,
        },
        tuple(
            {
                "code": "SUCCESS",
                "duplicate_field": name,
                "action": "update",
                "details": None,
                "message": MESSAGES["SUCCESS_update"],
                "status": "success",
            }
            for name, _ in indexed
        ),
    )


class Writer:
    """The lines of one generated function and the names its namespace must hold."""

    def __init__(self, plan: FastPlan, shape: tuple[str, ...], kept: dict[str, int]) -> None:
        self.plan = plan
        self.shape = shape
        self.kept = kept  # field -> position in the record
        self.fields = plan.fields
        self.lines: list[str] = []
        #: the response entries' templates (R18, R31) ``bind`` takes from the request
        self.entries: list[str] = ["U, EI, DI, DU, EU = templates"]
        self.names: dict[str, Any] = {**COMMON, "R": plan.records}
        self.index_of = {name: x for x, (name, _) in enumerate(plan.indexed)}
        for x, (name, index) in enumerate(plan.indexed):
            self.names[f"I{x}"], self.names[f"F{x}"] = index, name
            self.names[f"N{x}"] = self.fields[name].normalizer
        #: positions whose stripped text ``s{i}`` the checks compute (R15), keys reuse (R8)
        self.stripped = {
            i
            for name, i in kept.items()
            if (form := self._form(self.fields[name])) is not None
            and (form[1] is not None or name in self.index_of or name in plan.mandatory)
        }

    @staticmethod
    def _form(definition: FieldDef) -> tuple[int, Any] | None:
        return string_form(definition.data_type, definition.max_length, definition.check_formats)

    def emit(self, depth: int, text: str, rule: str = "") -> None:
        """One line at ``depth``; ``rule``: what it implements, as a trailing comment."""
        self.lines.append("    " * depth + text + (f"  # {rule}" if rule else ""))

    def indexed_here(self) -> list[tuple[str, int, int]]:
        """(field, position, index number) of every indexed field the shape carries."""
        return [
            (n, self.kept[n], x) for x, (n, _) in enumerate(self.plan.indexed) if n in self.kept
        ]

    # --- R15, R28: the values -----------------------------------------------------------------
    def check_value(self, name: str, i: int) -> None:
        """R15: the value is valid for its field (else decide() words the error); R28: it is
        already in its stored form (else decide() converts it)."""
        definition = self.fields[name]
        form = self._form(definition)
        v = f"v{i}"
        if form is None:
            self.names[f"C{i}"] = definition.check
            self.emit(1, f"if {v} is not None and C{i}({v}) is not None: return None", "R15")
            if definition.convert is not None:
                self.names[f"X{i}"] = definition.convert
                self.emit(1, f"if {v} is not None and X{i}({v}) is not {v}: return None", "R28")
            return
        limit, well_formed = form
        if i not in self.stripped:  # plain text nothing else reads: its length only
            if limit < 0:
                self.emit(1, f"if {v} is not None and {v}.__class__ is not str: return None", "R15")
                return
            self.emit(1, f"if {v}.__class__ is str:")
            self.emit(
                2, f"if len({v}) > {limit} and len({v}.strip()) > {limit}: return None", "R15"
            )
            self.emit(1, f"elif {v} is not None: return None", "R15: not a string")
            return
        tests = [f"len(s{i}) > {limit}"] if limit >= 0 else []
        if well_formed is not None:
            self.names[f"W{i}"] = well_formed
            quick = FAST_ACCEPT.get(well_formed)
            if quick is None:
                tests.append(f"not W{i}(s{i})")
            else:  # a pattern that accepts most valid values in one C call, else the check
                self.names[f"Q{i}"] = quick
                tests.append(f"not (Q{i}(s{i}) or W{i}(s{i}))")
        self.emit(1, f"if {v}.__class__ is str:")
        self.emit(2, f"s{i} = {v}.strip()", "R15, R8: stripped once, for the check and the key")
        if tests:
            self.emit(2, f"if s{i} and ({' or '.join(tests)}): return None", "R15")
        self.emit(1, f"elif {v} is None: s{i} = None")
        self.emit(1, "else: return None", "R15: not a string")

    # --- R8, R9: keys -------------------------------------------------------------------------
    def key(self, depth: int, name: str) -> None:
        """R8, R9: ``k{i}``, the normalised key of the record's value (None: never matches)."""
        i, x = self.kept[name], self.index_of[name]
        if i in self.stripped and self.fields[name].normalizer is normalize_text:
            self.emit(depth, f"k{i} = None if s{i} is None else (s{i}.lower() or None)", "R8, R9")
        else:
            self.emit(depth, f"k{i} = None if v{i} is None else (N{x}(v{i}) or None)", "R8, R9")

    def stored_key(self, name: str, var: str) -> str:
        """R8: the key of a stored value in ``var`` (not None), as ``FieldDef.key`` gives it."""
        x = self.index_of[name]
        if self.fields[name].normalizer is normalize_text:
            return (
                f"(({var}.strip().lower() or None) if {var}.__class__ is str "
                f"else (N{x}({var}) or None))"
            )
        return f"(N{x}({var}) or None)"

    def shared(self, depth: int, name: str) -> None:
        """A key equal to the value sent is that very string (one copy in memory)."""
        i = self.kept[name]
        if i in self.stripped and self.fields[name].normalizer is normalize_text:
            self.emit(depth, f"if k{i} == v{i}: k{i} = v{i}")

    # --- R10, R11: the walk -------------------------------------------------------------------
    def walk(self) -> None:
        """R10: the first field of the check order whose key finds a record decides; R9:
        empty keys never match; R11: several candidates go to decide()."""
        known: list[str] = []
        for name in self.plan.order:
            if name not in self.kept:
                continue  # R9: a field the record does not carry finds nothing
            i, x = self.kept[name], self.index_of[name]
            self.key(1, name)
            known.append(name)
            self.emit(1, f"if k{i} is not None:", "R9")
            self.emit(2, f"t = I{x}.get(k{i})", "R8, R10")
            self.emit(2, "if t is not None:")
            self.emit(3, "if t.__class__ is not str: return None", "R11: several candidates")
            self.update(3, name, known)
        self.insert(1)

    # --- R17, R14, R12, R18: an update ---------------------------------------------------------
    def update(self, depth: int, deciding: str, known: list[str]) -> None:
        """The tail of a record whose field ``deciding`` found record ``t``."""
        plan, d = self.plan, depth
        if plan.reject_written:
            self.emit(d, "if t in written: return None", "R17 (intra_batch=reject)")
        self.emit(d, "stored = R[t]")
        missed = known[:-1]  # probed in the walk before ``deciding``: no record holds their keys
        unique = [n for n in plan.unique if n in self.kept and n != deciding]
        others = [n for n, _, _ in self.indexed_here() if n != deciding and n not in unique]
        self.emit(d, "ch = NOCH")
        if unique:
            self.emit(d, "cl = None")
        for name in unique + others:  # its key found ``t``: ``deciding`` keeps its key
            i, x = self.kept[name], self.index_of[name]
            self.emit(d, f"o = stored.get(F{x})")
            self.emit(
                d,
                f"if o is not v{i} and not (o.__class__ is str and v{i}.__class__ is str "
                f"and o == v{i}):",
                "R12: a changed value",
            )
            if name not in known:
                self.key(d + 1, name)
            self.emit(d + 1, f"ok = None if o is None else {self.stored_key(name, 'o')}", "R8")
            self.emit(d + 1, f"if ok != k{i}:", "R14: unchanged keys are not re-checked")
            if name in unique and name not in missed:
                self.emit(d + 2, f"h = None if k{i} is None else I{x}.get(k{i})")
                self.emit(d + 2, "if h is not None:")
                self.emit(d + 3, "if h.__class__ is not str: return None", "R14: several holders")
                self.emit(d + 3, "if cl is None: cl = []")
                self.emit(d + 3, f"cl.append((F{x}, h))", "R14: held by another record")
            self.shared(d + 2, name)
            self.emit(d + 2, "if ch is NOCH: ch = []")
            self.emit(
                d + 2,
                f"ch.append((I{x}, ok, k{i}, None if ok is None else FR(I{x}[ok])))",
                "R12: an index slot changes",
            )
        if unique:
            self.emit(d, "if cl is not None:")
            self.emit(d + 1, "append(clash(position, cl))", "R14: DUPLICATE_DATA")
            self.emit(d + 1, "return seq")
        self.emit(d, 'log(("update", t, stored.copy(), ch))', "spec section 8: undo logged first")
        self.emit(d, "for index, old, new, _ in ch:")
        self.emit(d + 1, "if old is not None: D(index, old, t)")
        self.emit(d + 1, "if new is not None: A(index, new, t)")
        self.emit(d, f"stored.update({self.values()})", "R12: a patch, other fields kept")
        self.emit(d, 'stored["Modified_Time"] = now', "R12")
        self.emit(d, 'stored["Modified_By"] = user', "R12")
        if plan.reject_written:
            self.emit(d, "written[t] = None", "R17")
        x = self.index_of[deciding]
        self.entries.append(f"EU{x} = EU[{x}]")
        self.emit(d, "details = DU.copy()", "R18: the entry, from the request's templates")
        self.emit(d, 'details["Modified_By"] = U.copy()')
        self.emit(d, 'details["Created_Time"] = stored["Created_Time"]')
        self.emit(d, 'details["id"] = t')
        self.emit(d, 'cb = stored["Created_By"]')
        self.emit(d, 'details["Created_By"] = {"name": cb.get("name"), "id": cb.get("id")}')
        self.emit(d, f"entry = EU{x}.copy()")
        self.emit(d, 'entry["details"] = details')
        self.emit(d, "append(entry)")
        self.emit(d, "return seq")

    def unique(self, d: int, walked: list[str]) -> None:
        """R14 on an insert: a unique value may not be another record's. The fields
        ``walked`` found nothing: no record holds their keys (and an insert walked every
        unique field, R5, so this is for unique fields outside the check order, if any)."""
        here = [n for n in self.plan.unique if n in self.kept and n not in walked]
        if not here:
            return
        self.emit(d, "cl = None")
        for name in here:
            i, x = self.kept[name], self.index_of[name]
            self.emit(d, f"h = None if k{i} is None else I{x}.get(k{i})")
            self.emit(d, "if h is not None:")
            self.emit(d + 1, "if h.__class__ is not str: return None", "R14: several holders")
            self.emit(d + 1, "if cl is None: cl = []")
            self.emit(d + 1, f"cl.append((F{x}, h))", "R14: held by another record")
        self.emit(d, "if cl is not None:")
        self.emit(d + 1, "append(clash(position, cl))", "R14: DUPLICATE_DATA")
        self.emit(d + 1, "return seq")

    def values(self) -> str:
        """R12: the fields written, as ``prepare`` keeps them (unknown keys dropped, lists and
        objects copied)."""
        if len(self.kept) == len(self.shape) and not any(
            self.fields[n].data_type in CONTAINER_TYPES for n in self.kept
        ):
            return "record"
        items = []
        for name, i in self.kept.items():
            self.names[f"K{i}"] = name
            copied = self.fields[name].data_type in CONTAINER_TYPES
            items.append(f"K{i}: {'CP(' if copied else ''}v{i}{')' if copied else ''}")
        return "{" + ", ".join(items) + "}"

    # --- R13, R14, R32, R12, R18: an insert ----------------------------------------------------
    def insert(self, d: int) -> None:
        """The tail of a record no field of the check order found."""
        plan = self.plan
        for j, name in enumerate(plan.mandatory):
            self.names[f"M{j}"] = name
            if name not in self.kept:
                self.emit(
                    d, f"append(MM(position, M{j}).entry())", "R13: a mandatory field missing"
                )
                self.emit(d, "return seq")
                return
            i = self.kept[name]
            # a value already stripped is a str: empty is missing (fields.is_missing)
            test = f"not s{i}" if i in self.stripped else f"MISSING(v{i})"
            self.emit(d, f"if {test}:", "R13: a mandatory field missing")
            self.emit(d + 1, f"append(MM(position, M{j}).entry())")
            self.emit(d + 1, "return seq")
        walked = [n for n in plan.order if n in self.kept]
        for name, _, _ in self.indexed_here():
            if name not in walked:
                self.key(d, name)
        self.unique(d, walked)
        self.emit(d, "if fast_ids:", "the default id source, inlined")
        self.emit(d + 1, "rid = str(first + seq)")
        self.emit(d + 1, "seq += 1")
        self.emit(d + 1, "if rid in given: rid, seq = next_id(seq)", "an id loaded as given")
        self.emit(d, "else: rid, seq = next_id(seq)")
        values = self.values()
        self.emit(d, f"values = {'dict(record)' if values == 'record' else values}", "R12")
        if plan.defaults:
            self.emit(d, "values.update(dflt)", "R32: the acting user owns what it inserts")
        for stamp in ("Modified_Time", "Modified_By", "Created_Time", "Created_By"):
            self.emit(d, f'values["{stamp}"] = {"now" if "Time" in stamp else "user"}', "R12")
        here = self.indexed_here()
        for name, _, _ in here:
            self.shared(d, name)
        self.names["IX"] = tuple(self.plan.indexed[x][1] for _, _, x in here)
        keys = "".join(f"k{i}, " for _, i, _ in here)
        self.emit(d, f'log(("put", rid, IX, ({keys})))', "spec section 8: undo logged first")
        self.emit(d, "R[rid] = values")
        for _, i, x in here:
            self.emit(d, f"if k{i} is not None and I{x}.setdefault(k{i}, rid) != rid:")
            self.emit(d + 1, f"A(I{x}, k{i}, rid)", "R11: a key with holders (loaded repeats)")
        if plan.reject_written:
            self.emit(d, "written[rid] = None", "R17")
        self.emit(d, "details = DI.copy()", "R18, R31: the entry, from the request's templates")
        self.emit(d, 'details["Modified_By"] = U.copy()')
        self.emit(d, 'details["id"] = rid')
        self.emit(d, 'details["Created_By"] = U.copy()')
        self.emit(d, "entry = EI.copy()")
        self.emit(d, 'entry["details"] = details')
        self.emit(d, "append(entry)")
        self.emit(d, "return seq")


def generate(plan: FastPlan, shape: tuple[str, ...], kept: dict[str, int]) -> Writer:
    """The source of ``bind`` for records of ``shape`` (``kept``: field -> position)."""
    writer = Writer(plan, shape, kept)
    writer.emit(0, "def run(record, position, seq):")
    if shape:
        writer.emit(1, f"{', '.join(f'v{i}' for i in range(len(shape)))}, = record.values()")
    for name, i in kept.items():
        writer.check_value(name, i)
    writer.walk()
    body = writer.lines
    writer.lines = [f"def bind({', '.join(BIND_PARAMS)}):"]
    writer.lines += ["    " + line for line in writer.entries]
    writer.lines += ["    " + line for line in body]
    writer.lines.append("    return run")
    return writer

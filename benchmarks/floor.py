"""The floor: the ceiling's dict loop plus the work every faithful engine must do per record.

``ceiling.py`` is the fastest loop that decides the outcomes, and nothing more: its keys are
normalised before the clock starts, it checks no value, logs no undo entry and answers with a
shared tuple. An engine that keeps Zoho's contract cannot skip those; this loop adds exactly
them, hand-written for this one org, so that the distance between the ceiling and the engine
can be split into what the rules require and what the engine's generality costs:

- R8, R9: the keys are computed in the clock (strip, lower case; empty never matches);
- R15: every value sent is a string within its field's length (the limits of the engine's own
  Leads schema), Email an email and Phone and Mobile phone numbers, by the cheapest correct
  checks there are (``upsert_engine.formats``: one C call for the common shapes);
- R13: an insert needs Last_Name;
- R12: the write stamps Modified_Time and Modified_By (and Created_* on an insert), ids are
  strings as Zoho's are;
- spec section 8 (all or nothing): an undo entry is logged before each write (a copy of an
  updated record, the id of an inserted one) and dropped with the request;
- R18: every record gets its full Zoho response entry (details, stamps, duplicate_record),
  built by copying per-request templates, the cheapest way measured (issue 13).

What it does not do (the workloads never need it): R11 repeats, any other type, options,
layouts, lookups, owners, other modules. So it is a lower bound for the engine on these
workloads, not an engine: the ratios ``floor/ceiling`` and ``engine/floor`` say how much of
the engine's cost the rules impose and how much is its own.
"""

from __future__ import annotations

from typing import Any

from upsert_engine import Engine
from upsert_engine.formats import FAST_ACCEPT, is_email, is_phone

from .workloads import MODULE, Body, Outcome, new_org

NOW = "2026-01-15T10:00:00+05:30"
USER = {"name": "Example User", "id": "5725767000000411001"}
OWNER = {**USER, "email": "example.user@example.com"}
#: R14: the owner of a duplicate_record as Zoho shows it, per user id
OWNER_SUMMARY = {USER["id"]: {**USER, "zuid": "60012345"}}
MODULE_REF = {"api_name": MODULE, "id": "5725767000000002175"}
FIRST_ID = 5725767000000600001


def _limits() -> dict[str, int]:
    """R15: each field's max length, read from the engine's own Leads schema."""
    schema = new_org(Engine).schema(MODULE)
    return {name: field.max_length for name, field in schema.fields.items() if field.max_length}


class Floor:
    """Records as ``{field: value}`` dicts keyed by string ids; three hash indexes."""

    name = "floor"

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.by_email: dict[str, str] = {}
        self.by_phone: dict[str, str] = {}
        self.by_mobile: dict[str, str] = {}
        self.next_id = FIRST_ID
        self.limits = _limits()

    def load(self, leads: list[dict[str, Any]]) -> None:
        """Existing data (distinct keys in the workloads)."""
        for lead in leads:
            rid = str(self.next_id)
            self.next_id += 1
            record = dict(lead)
            record.update(
                Created_Time=NOW, Modified_Time=NOW, Created_By=USER, Modified_By=USER, Owner=OWNER
            )
            self.records[rid] = record
            for index, name in (
                (self.by_email, "Email"),
                (self.by_phone, "Phone"),
                (self.by_mobile, "Mobile"),
            ):
                value = lead.get(name)
                if value is not None and (key := value.strip().lower()):
                    index.setdefault(key, rid)

    def prepare(self, stream: list[Body]) -> list[Body]:
        return stream

    def outcomes(self, answers: list[dict[str, Any]]) -> list[Outcome]:
        return [
            (e.get("action"), e.get("duplicate_field"), e["code"])
            for a in answers
            for e in a["data"]
        ]

    def run(self, bodies: list[Body]) -> list[dict[str, Any]]:
        return [self.upsert(body["data"]) for body in bodies]

    def upsert(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        """One request: every record in order (R17), all or nothing (the undo log)."""
        records, by_email, by_phone, by_mobile = (
            self.records,
            self.by_email,
            self.by_phone,
            self.by_mobile,
        )
        limits = self.limits
        email_fast, phone_fast = FAST_ACCEPT[is_email], FAST_ACCEPT[is_phone]
        undo: list[Any] = []
        log = undo.append
        entries: list[dict[str, Any]] = []
        append = entries.append
        stamp = USER
        # R18: this request's entry templates
        inserted = {
            "code": "SUCCESS",
            "duplicate_field": None,
            "action": "insert",
            "details": None,
            "message": "record added",
            "status": "success",
        }
        insert_details = {
            "Modified_Time": NOW,
            "Modified_By": None,
            "Created_Time": NOW,
            "id": None,
            "Created_By": None,
            "$approval_state": "approved",
        }
        updated = {
            name: {
                "code": "SUCCESS",
                "duplicate_field": name,
                "action": "update",
                "details": None,
                "message": "record updated",
                "status": "success",
            }
            for name in ("Email", "Phone", "Mobile")
        }
        update_details = {
            "Modified_Time": NOW,
            "Modified_By": None,
            "Created_Time": None,
            "id": None,
            "Created_By": None,
        }
        next_id = self.next_id
        for position, row in enumerate(rows):
            # R15: every value a string within its length, then the formats; R8: the keys
            bad = False
            for name, value in row.items():
                if value is not None and (value.__class__ is not str or len(value) > limits[name]):
                    bad = True
            ek = pk = mk = None
            if (value := row.get("Email")) is not None and (s := value.strip()):
                bad = bad or not (email_fast(s) or is_email(s))
                ek = s.lower()
            if (value := row.get("Phone")) is not None and (s := value.strip()):
                bad = bad or not (phone_fast(s) or is_phone(s))
                pk = s.lower()
            if (value := row.get("Mobile")) is not None and (s := value.strip()):
                bad = bad or not (phone_fast(s) or is_phone(s))
                mk = s.lower()
            if bad:
                raise ValueError(f"the workloads send valid values only: data[{position}]")
            tid = None  # R10: the first field that finds a record decides
            if ek is not None:
                tid = by_email.get(ek)
                field = "Email"
            if tid is None and pk is not None:
                tid = by_phone.get(pk)
                field = "Phone"
            if tid is None and mk is not None:
                tid = by_mobile.get(mk)
                field = "Mobile"
            if tid is None:
                last = row.get("Last_Name")  # R13
                if last is None or not last.strip():
                    raise ValueError(f"the workloads' inserts carry Last_Name: data[{position}]")
                rid = str(next_id)
                next_id += 1
                values = dict(row)
                values["Owner"] = OWNER
                values["Modified_Time"] = NOW
                values["Modified_By"] = stamp
                values["Created_Time"] = NOW
                values["Created_By"] = stamp
                log(rid)  # spec section 8: logged before the write
                records[rid] = values
                if ek is not None:
                    by_email.setdefault(ek, rid)
                if pk is not None:
                    by_phone[pk] = rid
                if mk is not None:
                    by_mobile[mk] = rid
                details = insert_details.copy()
                details["Modified_By"] = stamp.copy()
                details["id"] = rid
                details["Created_By"] = stamp.copy()
                entry = inserted.copy()
                entry["details"] = details
                append(entry)
                continue
            record = records[tid]
            old_pk = old_mk = None
            if pk is not None:
                o = record.get("Phone")
                old_pk = o.strip().lower() if o is not None else None
            if mk is not None:
                o = record.get("Mobile")
                old_mk = o.strip().lower() if o is not None else None
            new_phone = pk is not None and pk != old_pk
            new_mobile = mk is not None and mk != old_mk
            clashes = []  # R14: a changed unique value another record holds
            if new_phone and (holder := by_phone.get(pk, tid)) != tid:
                clashes.append(("Phone", holder))
            if new_mobile and (holder := by_mobile.get(mk, tid)) != tid:
                clashes.append(("Mobile", holder))
            if clashes:
                errors = [
                    {
                        "code": "DUPLICATE_DATA",
                        "details": {
                            "api_name": name,
                            "json_path": f"$.data[{position}].{name}",
                            "duplicate_record": {
                                "Owner": OWNER_SUMMARY[records[holder]["Owner"]["id"]].copy(),
                                "module": MODULE_REF.copy(),
                                "id": holder,
                            },
                            "more_records": False,
                        },
                        "message": "duplicate data",
                        "status": "error",
                    }
                    for name, holder in clashes
                ]
                append(
                    errors[0]
                    if len(errors) == 1
                    else {
                        "code": "MULTIPLE_OR_MULTI_ERRORS",
                        "details": {"errors": errors},
                        "message": "Multiple errors in the request",
                        "status": "error",
                    }
                )
                continue
            log((tid, record.copy()))  # spec section 8: logged before the write
            old_ek = record.get("Email")
            old_ek = old_ek.strip().lower() if old_ek is not None else None
            if ek is not None and ek != old_ek:
                if by_email.get(old_ek) == tid:
                    del by_email[old_ek]
                by_email.setdefault(ek, tid)
            if new_phone:
                by_phone.pop(old_pk, None)
                by_phone[pk] = tid
            if new_mobile:
                by_mobile.pop(old_mk, None)
                by_mobile[mk] = tid
            record.update(row)  # R12: a patch
            record["Modified_Time"] = NOW
            record["Modified_By"] = stamp
            details = update_details.copy()
            details["Modified_By"] = stamp.copy()
            details["Created_Time"] = record["Created_Time"]
            details["id"] = tid
            created = record["Created_By"]
            details["Created_By"] = {"name": created["name"], "id": created["id"]}
            entry = updated[field].copy()
            entry["details"] = details
            append(entry)
        self.next_id = next_id
        undo.clear()  # the commit
        return {"data": entries}

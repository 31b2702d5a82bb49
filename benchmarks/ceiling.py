"""The ceiling: a hand-written dict loop over pre-normalised keys.

What the fastest plain-CPython code for this one org (Email system field; Phone and Mobile
unique) would do: three dicts ``key -> id``, records as lists, no validation, no response
objects (each outcome is a shared constant tuple), keys normalised before the clock starts.
It still models the rules that decide the outcomes the benchmarks compare: R10 (first field of
Email, Phone, Mobile that finds a record decides), R12 (patch), R14 (a changed Phone/Mobile held
by another record rejects the record: DUPLICATE_DATA, or MULTIPLE_OR_MULTI_ERRORS for both) and
R17 (records in order). Not modelled, because the workloads never need them: R11 (loaded
repeats), R13 (mandatory fields), R15 (types and lengths).
"""

from __future__ import annotations

from typing import Any

from .workloads import Outcome, Record, text_key

INSERTED: Outcome = ("insert", None, "SUCCESS")
BY_EMAIL: Outcome = ("update", "Email", "SUCCESS")
BY_PHONE: Outcome = ("update", "Phone", "SUCCESS")
BY_MOBILE: Outcome = ("update", "Mobile", "SUCCESS")
DUPLICATE: Outcome = (None, None, "DUPLICATE_DATA")
MULTIPLE: Outcome = (None, None, "MULTIPLE_OR_MULTI_ERRORS")

#: Pre-normalised input of one record: (email_key, phone_key, mobile_key, fields).
Row = tuple[Any, ...]


class Ceiling:
    """Records as ``[fields, email_key, phone_key, mobile_key]``; three hash indexes."""

    name = "ceiling"

    def __init__(self) -> None:
        self.records: dict[int, list[Any]] = {}
        self.by_email: dict[str, int] = {}
        self.by_phone: dict[str, int] = {}
        self.by_mobile: dict[str, int] = {}
        self.next_id = 1

    def load(self, leads: list[Record]) -> None:
        """Existing data (distinct keys in the workloads)."""
        records, by_email, by_phone, by_mobile = (
            self.records,
            self.by_email,
            self.by_phone,
            self.by_mobile,
        )
        next_id = self.next_id
        for lead in leads:
            ek, pk, mk = (
                text_key(lead.get("Email")),
                text_key(lead.get("Phone")),
                text_key(lead.get("Mobile")),
            )
            records[next_id] = [dict(lead), ek, pk, mk]
            if ek is not None:
                by_email.setdefault(ek, next_id)
            if pk is not None:
                by_phone.setdefault(pk, next_id)
            if mk is not None:
                by_mobile.setdefault(mk, next_id)
            next_id += 1
        self.next_id = next_id

    def run(self, requests: list[list[Row]]) -> list[list[Outcome]]:
        """Apply pre-normalised requests in order; the outcome of each record."""
        records, by_email, by_phone, by_mobile = (
            self.records,
            self.by_email,
            self.by_phone,
            self.by_mobile,
        )
        next_id = self.next_id
        answers: list[list[Outcome]] = []
        for rows in requests:
            out: list[Outcome] = []
            append = out.append
            for ek, pk, mk, fields in rows:
                tid = None
                if ek is not None:
                    tid = by_email.get(ek)
                    outcome = BY_EMAIL
                if tid is None and pk is not None:
                    tid = by_phone.get(pk)
                    outcome = BY_PHONE
                if tid is None and mk is not None:
                    tid = by_mobile.get(mk)
                    outcome = BY_MOBILE
                if tid is None:
                    records[next_id] = [dict(fields), ek, pk, mk]
                    if ek is not None:
                        by_email[ek] = next_id
                    if pk is not None:
                        by_phone[pk] = next_id
                    if mk is not None:
                        by_mobile[mk] = next_id
                    next_id += 1
                    append(INSERTED)
                    continue
                record = records[tid]
                new_phone = pk is not None and pk != record[2]
                new_mobile = mk is not None and mk != record[3]
                clashes = 0
                if new_phone and by_phone.get(pk, tid) != tid:
                    clashes += 1
                if new_mobile and by_mobile.get(mk, tid) != tid:
                    clashes += 1
                if clashes:
                    append(DUPLICATE if clashes == 1 else MULTIPLE)
                    continue
                record[0].update(fields)
                if ek is not None and ek != record[1]:
                    if by_email.get(record[1]) == tid:
                        del by_email[record[1]]
                    by_email.setdefault(ek, tid)
                    record[1] = ek
                if new_phone:
                    by_phone.pop(record[2], None)
                    by_phone[pk] = tid
                    record[2] = pk
                if new_mobile:
                    by_mobile.pop(record[3], None)
                    by_mobile[mk] = tid
                    record[3] = mk
                append(outcome)
            answers.append(out)
        self.next_id = next_id
        return answers

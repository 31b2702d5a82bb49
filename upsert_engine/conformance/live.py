"""Live mode: the corpus against a real Zoho org, through Zoho's own APIs (issue 14).

Per case it creates what the case needs (custom fields with "Do not allow duplicate values"
through Create Custom Fields, records through Insert Records), runs the requests, and deletes
everything it created (records through ``DELETE /{module}?ids=``, fields through Delete
Custom Fields), also when a case fails or the run is interrupted (Ctrl-C runs the same
clean-up). Before each write it appends to a local **journal** (JSON lines, flushed and
synced): the intent to create a field, then each field and record created, then each
deletion. ``conform --cleanup JOURNAL`` deletes whatever a journal lists as created and not
deleted (a run killed outright). The only gap: a record created by a request whose reply
never arrived cannot be named (its id is in that reply).

It never touches records it did not create: before a case runs it searches the org for each
value the case's requests match by (system duplicate check fields and the fields named in
``duplicate_check_fields``), and skips the case when any record holds one. It refuses to
start unless ``GET /org`` says the org's ``type`` is ``sandbox`` [doc v6 get-org-data], or
``--i-understand-this-writes`` is given.

What Zoho's APIs cannot set up makes a case **not testable** (skipped, saying why): custom
modules, more users, layouts, module settings, mandatory-field changes, subform fields,
records with set system fields (Created_Time, Created_By), or a setup Zoho refuses.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from ..rules import SYSTEM_DUPLICATE_FIELDS
from ..schema import canonical_module_name
from .case import Case
from .http import PATH_SAFE, HttpClient, module_id_from, user_from_zoho
from .runner import SetupRefused
from .target import Reply, TargetError

_SYSTEM_KEYS = ("id", "Created_Time", "Created_By", "Modified_Time", "Modified_By")
_MODULE_SETUP = ("settings", "layouts", "mandatory_fields", "system_fields")


class Journal:
    """An append-only JSON-lines file of what a live run created and deleted."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def write(self, **entry: Any) -> None:
        """Append one entry and make it durable before the write it announces."""
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def entries(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]

    def leftovers(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(records, fields) created and not deleted; fields announced but not confirmed
        come with ``id`` None and their ``label`` (clean-up looks them up by label)."""
        alive: dict[tuple[str, str, str], dict[str, Any]] = {}
        for entry in self.entries():
            key = (entry["kind"], entry["module"], str(entry.get("id") or entry.get("label")))
            if entry["op"] in ("intent", "created"):
                alive[key] = entry
                if entry["op"] == "created" and entry["kind"] == "field":
                    alive.pop(("field", entry["module"], str(entry.get("label"))), None)
            elif entry["op"] == "deleted":
                alive.pop(key, None)
                if entry["kind"] == "field":
                    alive.pop(("field", entry["module"], str(entry.get("label"))), None)
        records = [e for e in alive.values() if e["kind"] == "record"]
        fields = [e for e in alive.values() if e["kind"] == "field"]
        return records, fields


def access_token(
    accounts_url: str, client_id: str, client_secret: str, refresh_token: str
) -> tuple[str, str | None]:
    """A fresh access token (and the API domain the answer names) from Zoho Accounts."""
    client = HttpClient(accounts_url)
    query = urlencode(
        {
            "grant_type": "refresh_token",
            "client_id": client_id,
            "client_secret": client_secret,
            "refresh_token": refresh_token,
        }
    )
    reply = client.request("POST", f"/oauth/v2/token?{query}", raw=b"")
    client.close()
    body = reply.body if isinstance(reply.body, dict) else {}
    token = body.get("access_token")
    if reply.status != 200 or not isinstance(token, str):
        raise TargetError(f"Zoho Accounts refused the refresh token: HTTP {reply.status} {body}")
    domain = body.get("api_domain")
    return token, domain if isinstance(domain, str) else None


class Api:
    """Zoho's CRM API with one access token."""

    def __init__(self, api_domain: str, token: str) -> None:
        self.client = HttpClient(api_domain)
        self.headers = {"Authorization": f"Zoho-oauthtoken {token}"}

    def call(self, method: str, path: str, body: Any = None) -> Reply:
        return self.client.request(method, path, body, self.headers)

    def org_type(self) -> str | None:
        reply = self.call("GET", "/crm/v8/org")
        org = reply.body.get("org") if isinstance(reply.body, dict) else None
        first = org[0] if isinstance(org, list) and org else {}
        kind = first.get("type") if isinstance(first, dict) else None
        return kind if isinstance(kind, str) else None

    def fields(self, module: str) -> list[dict[str, Any]]:
        reply = self.call("GET", f"/crm/v8/settings/fields?module={quote(module)}")
        listed = reply.body.get("fields") if isinstance(reply.body, dict) else None
        if reply.status != 200 or not isinstance(listed, list):
            raise TargetError(f"GET /settings/fields?module={module}: HTTP {reply.status}")
        return listed

    def delete_records(self, module: str, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), 100):
            chunk = ",".join(ids[start : start + 100])
            self.call("DELETE", f"/crm/v8/{quote(module)}?ids={chunk}&wf_trigger=false")

    def delete_field(self, module: str, field_id: str) -> Reply:
        return self.call("DELETE", f"/crm/v8/settings/fields/{field_id}?module={quote(module)}")


def _records_in(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        data = value.get("data")
        if isinstance(data, list):
            yield from (r for r in data if isinstance(r, dict))


class LiveTarget:
    """A real Zoho org, set up and cleaned up through Zoho's APIs."""

    live = True

    def __init__(self, api: Api, journal: Journal, name: str) -> None:
        self.name = name
        self.api = api
        self.journal = journal
        self._me: dict[str, str] | None = None
        self._records: list[tuple[str, str]] = []  # (module, id) created by this case
        self._fields: list[tuple[str, str, str]] = []  # (module, id, label)
        self._module_ids: dict[str, str] = {}

    def close(self) -> None:
        self.api.client.close()

    # --- what cannot be set up ------------------------------------------------------------
    def why_not(self, case: Case) -> str | None:
        if case.live_why_not:
            return case.live_why_not
        if case.users:
            return "other users of the org cannot be created through Zoho's API"
        for item in [*case.modules, *(m for s in case.steps for m in s.configure or [])]:
            if item.get("custom"):
                return "custom modules cannot be created through Zoho's API"
            if any(key in item for key in _MODULE_SETUP):
                return "module settings, layouts and mandatory fields are set in Zoho's UI"
            if any(f.get("data_type") == "subform" for f in item.get("fields", [])):
                return "subform fields are created in Zoho's UI"
        for record in case.records:
            given = [key for key in _SYSTEM_KEYS if key in record["fields"]]
            if given:
                return f"records cannot be created with a given {', '.join(given)}"
        for step in case.steps:
            if step.request is not None and step.request.user not in (None, "me"):
                return "requests as another user need that user's token"
        return self._held_values(case)

    def _held_values(self, case: Case) -> str | None:
        """A value the case matches by that a record of the org (not ours) holds."""
        for step in case.steps:
            request = step.request
            if request is None or request.method != "POST":
                continue
            parts = request.path.strip("/").split("/")
            module = canonical_module_name(parts[2]) if len(parts) > 2 else ""
            body = request.body if isinstance(request.body, dict) else {}
            named = body.get("duplicate_check_fields")
            keys = set(SYSTEM_DUPLICATE_FIELDS.get(module, ()))
            if isinstance(named, list):
                keys |= {n for n in named if isinstance(n, str) and n != "id"}
            for record in _records_in(body):
                for key in keys:
                    value = record.get(key)
                    if isinstance(value, str) and value.strip():
                        found = self._search(module, key, value.strip())
                        if found:
                            return f"the org already holds a {module} record with {key} = {value!r}"
        return None

    def _search(self, module: str, key: str, value: str) -> bool:
        escaped = (
            value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace(",", "\\,")
        )
        query = urlencode({"criteria": f"({key}:equals:{escaped})"})
        reply = self.api.call("GET", f"/crm/v8/{quote(module)}/search?{query}")
        return reply.status == 200 and any(True for _ in _records_in(reply.body))

    # --- a case ---------------------------------------------------------------------------
    def start_case(self) -> dict[str, str]:
        if self._me is None:
            reply = self.api.call("GET", "/crm/v8/users?type=CurrentUser")
            users = reply.body.get("users") if isinstance(reply.body, dict) else None
            if reply.status != 200 or not users:
                raise TargetError(f"GET /users?type=CurrentUser: HTTP {reply.status}")
            self._me = user_from_zoho(users[0])
        return dict(self._me)

    def add_user(self, user: Mapping[str, str]) -> dict[str, str]:
        raise SetupRefused("other users of the org cannot be created through Zoho's API")

    def configure(self, modules: Sequence[Mapping[str, Any]]) -> str | None:
        for item in modules:
            module = str(item["module"])
            existing = {str(f.get("api_name")) for f in self.api.fields(module)}
            for field in item.get("fields", []):
                label = str(field["api_name"])
                if label in existing:
                    raise SetupRefused(f"{module} already has a field {label}: not touched")
                refused = self._create_field(module, label, field)
                if refused is not None:
                    return refused
        return None

    def _create_field(self, module: str, label: str, field: Mapping[str, Any]) -> str | None:
        spec: dict[str, Any] = {"field_label": label, "data_type": field["data_type"]}
        if field.get("max_length") is not None:
            spec["length"] = field["max_length"]
        if field.get("unique"):
            spec["unique"] = {"casesensitive": "false"}  # "Do not allow duplicate values"
        if field.get("external"):
            spec["external"] = {"show": True, "type": field["external"]}
        self.journal.write(op="intent", kind="field", module=module, label=label)
        reply = self.api.call(
            "POST", f"/crm/v8/settings/fields?module={quote(module)}", {"fields": [spec]}
        )
        entries = reply.body.get("fields") if isinstance(reply.body, dict) else None
        if reply.status not in (200, 201) or not entries or entries[0].get("status") != "success":
            self.journal.write(op="deleted", kind="field", module=module, label=label, id=None)
            return f"HTTP {reply.status}: {json.dumps(reply.body)[:300]}"
        field_id = str(entries[0]["details"]["id"])
        self.journal.write(op="created", kind="field", module=module, label=label, id=field_id)
        self._fields.append((module, field_id, label))
        listed = {str(f.get("id")): str(f.get("api_name")) for f in self.api.fields(module)}
        if listed.get(field_id) != label:
            raise SetupRefused(
                f"Zoho named the field {label} {listed.get(field_id)!r}: not testable"
            )
        return None

    def load(self, module: str, records: list[dict[str, Any]]) -> list[str]:
        ids: list[str] = []
        for record in records:
            reply = self.api.call(
                "POST", f"/crm/v8/{quote(module)}", {"data": [record], "trigger": []}
            )
            entries = reply.body.get("data") if isinstance(reply.body, dict) else None
            entry = entries[0] if isinstance(entries, list) and entries else {}
            if entry.get("status") != "success":
                raise SetupRefused(
                    f"Zoho refused the case's {module} record: {json.dumps(entry)[:300]}"
                )
            ids.append(self._created(module, entry))
        return ids

    def _created(self, module: str, entry: Mapping[str, Any]) -> str:
        record_id = str(entry["details"]["id"])
        self.journal.write(op="created", kind="record", module=module, id=record_id)
        self._records.append((module, record_id))
        return record_id

    def module_id(self, module: str) -> str:
        return module_id_from(
            self._module_ids,
            module,
            lambda: self.api.call("GET", "/crm/v8/settings/modules").body,
        )

    def send(
        self, method: str, path: str, headers: Mapping[str, str], body: Any, user: str | None
    ) -> Reply:
        reply = self.api.client.request(
            method, quote(path, safe=PATH_SAFE), body, {**headers, **self.api.headers}
        )
        parts = path.split("?", maxsplit=1)[0].strip("/").split("/")
        if method == "POST" and len(parts) >= 3 and isinstance(reply.body, dict):
            module = canonical_module_name(parts[2])
            for entry in reply.body.get("data") or []:
                if isinstance(entry, dict) and entry.get("status") == "success":
                    added = entry.get("action") == "insert" or (
                        len(parts) == 3 and "action" not in entry
                    )
                    if added and isinstance(entry.get("details"), dict):
                        self._created(module, entry)
        return reply

    def end_case(self) -> None:
        """Delete this case's records, then its fields (newest first); journal each."""
        by_module: dict[str, list[str]] = {}
        for module, record_id in self._records:
            by_module.setdefault(module, []).append(record_id)
        for module, ids in by_module.items():
            self.api.delete_records(module, ids)
            for record_id in ids:
                self.journal.write(op="deleted", kind="record", module=module, id=record_id)
        for module, field_id, label in reversed(self._fields):
            self.api.delete_field(module, field_id)
            self.journal.write(op="deleted", kind="field", module=module, id=field_id, label=label)
        self._records.clear()
        self._fields.clear()


def clean(api: Api, journal: Journal) -> tuple[int, int]:
    """Delete what ``journal`` lists as created and not deleted: (records, fields)."""
    records, fields = journal.leftovers()
    by_module: dict[str, list[str]] = {}
    for entry in records:
        by_module.setdefault(entry["module"], []).append(str(entry["id"]))
    for module, ids in by_module.items():
        api.delete_records(module, ids)
        for record_id in ids:
            journal.write(op="deleted", kind="record", module=module, id=record_id)
    removed = 0
    for entry in reversed(fields):
        field_id = entry.get("id")
        if field_id is None:  # announced, never confirmed: find it by its label
            listed = {str(f.get("api_name")): str(f.get("id")) for f in api.fields(entry["module"])}
            field_id = listed.get(entry["label"])
            if field_id is None:
                journal.write(
                    op="deleted",
                    kind="field",
                    module=entry["module"],
                    label=entry["label"],
                    id=None,
                )
                continue
        api.delete_field(entry["module"], str(field_id))
        journal.write(
            op="deleted",
            kind="field",
            module=entry["module"],
            id=str(field_id),
            label=entry["label"],
        )
        removed += 1
    return sum(len(ids) for ids in by_module.values()), removed


def _connect(args: argparse.Namespace) -> Api:
    missing = [
        name for name in ("accounts_url", "client_id", "refresh_token") if not getattr(args, name)
    ]
    if missing:
        raise ValueError("--live needs " + ", ".join("--" + m.replace("_", "-") for m in missing))
    token, domain = access_token(
        args.accounts_url, args.client_id, args.client_secret, args.refresh_token
    )
    api_domain = args.api_domain or domain
    if not api_domain:
        raise ValueError("the token answer names no api_domain: give --api-domain")
    return Api(api_domain, token)


def live_target(args: argparse.Namespace) -> LiveTarget:
    """The live target of ``conform --live``, after the sandbox check."""
    api = _connect(args)
    kind = api.org_type()
    if kind != "sandbox" and not args.writes_ok:
        raise ValueError(
            f"GET /org says this org's type is {kind!r}, not 'sandbox': the run creates and "
            "deletes fields and records; give --i-understand-this-writes to run anyway"
        )
    return LiveTarget(api, Journal(args.journal), f"Zoho org ({kind or 'type unknown'})")


def cleanup_command(args: argparse.Namespace) -> int:
    """``conform --cleanup JOURNAL``."""
    journal = Journal(args.cleanup)
    if not journal.path.exists():
        raise ValueError(f"no journal at {journal.path}")
    api = _connect(args)
    records, fields = clean(api, journal)
    print(f"deleted {records} records and {fields} fields listed in {journal.path}")
    return 0

"""What the runner needs of an implementation under test: the ``Target`` protocol, and the
in-process target over ``Engine`` or ``ReferenceEngine``.

A target gives each case a fresh org (``start_case``), adds the case's users, applies its
module schemas (``configure``: None when accepted, else why it was refused), creates its
existing records (``load``), answers ``module_id`` and ``send`` (one HTTP-shaped request),
and tidies up in ``end_case``. ``why_not`` names a reason a case cannot run on this target
(it is then reported as skipped, with that reason).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from ..engine import Engine
from ..errors import UpsertEngineError
from ..options import User
from ..reference import ReferenceEngine
from ..rules import API_VERSIONS, MODULE_ID_BASE, SYSTEM_DUPLICATE_FIELDS
from ..schema import canonical_module_name


@dataclass(frozen=True, slots=True)
class Reply:
    """A target's answer: HTTP status and parsed JSON body (None: no body)."""

    status: int
    body: Any


class TargetError(RuntimeError):
    """The target could not be driven (a network error, an unexpected setup answer)."""


class Target(Protocol):
    """An implementation the corpus runs against."""

    name: str

    def why_not(self, case: Any) -> str | None:
        """Why this target cannot run ``case`` (None: it can)."""

    def start_case(self) -> dict[str, str]:
        """A fresh org; the acting user's ``name``, ``id``, ``email``, ``zuid``."""

    def add_user(self, user: Mapping[str, str]) -> dict[str, str]:
        """Add a user of the org (R32); its attributes as the target knows them."""

    def configure(self, modules: Sequence[Mapping[str, Any]]) -> str | None:
        """Apply module schemas; None when accepted, else why they were refused."""

    def load(self, module: str, records: list[dict[str, Any]]) -> list[str]:
        """Create existing records as they are; their ids in order."""

    def module_id(self, module: str) -> str:
        """The module's id as ``duplicate_record.module.id`` shows it (R32)."""

    def send(
        self, method: str, path: str, headers: Mapping[str, str], body: Any, user: str | None
    ) -> Reply:
        """One request; ``user`` is the acting user's id (None: the target's own user)."""

    def end_case(self) -> None:
        """Tidy up after a case (also after a failure)."""


#: What the in-process target calls: ``Engine`` and ``ReferenceEngine`` both have the
#: configuration calls (``add_module``, ``add_field``, ...), ``load``, ``upsert``, ``insert``
#: and ``get``.
Org = Engine | ReferenceEngine


def user_json(user: User) -> dict[str, str]:
    """A user's attributes as placeholders read them."""
    return {"name": user.name, "id": user.id, "email": user.email, "zuid": user.zuid}


_FIELD_KEYS = ("unique", "max_length", "decimal_place", "external", "lookup_module")


def apply_modules(org: Org, modules: Sequence[Mapping[str, Any]], known: list[str]) -> None:
    """Apply schema objects (``ModuleSchema.to_json()`` shape) to ``org``; ``known`` lists the
    org's modules in order and grows with the custom modules added. Raises what the org
    raises (``UpsertEngineError``), or ``ValueError`` for a malformed object."""
    for item in modules:
        name = item.get("module")
        if not isinstance(name, str):
            raise ValueError(f"schema object {item!r:.80} has no module name")
        if canonical_module_name(name) not in known:
            if not item.get("custom", False):
                raise ValueError(f'module {name!r} is not in the org; give "custom": true')
            org.add_module(
                name,
                system_fields=item.get("system_fields", ["Name"]),
                mandatory_fields=item.get("mandatory_fields", ["Name"]),
            )
            known.append(name)
        for field in item.get("fields", []):
            if field.get("data_type") == "subform":  # R36
                org.add_subform(
                    name,
                    field["api_name"],
                    field["rows"],
                    mandatory=field.get("row_mandatory", []),
                    max_rows=field.get("max_length"),
                )
                continue
            extra = {key: field[key] for key in _FIELD_KEYS if field.get(key) is not None}
            org.add_field(name, field["api_name"], field["data_type"], **extra)
        if "mandatory_fields" in item and not item.get("custom", False):
            org.set_mandatory(name, item["mandatory_fields"])
        for setting in item.get("settings", []):
            org.set_setting(name, setting)
        for layout in item.get("layouts", []):
            org.add_layout(
                name,
                layout["id"],
                mandatory=layout.get("mandatory_fields", []),
                name=layout.get("name"),
            )


@contextmanager
def _driving(what: str) -> Iterator[None]:
    """What the org refuses while the runner drives it (``UpsertEngineError``: an unknown
    module or user, a record it will not load) is a ``TargetError`` naming the call: that
    case errors, saying why, instead of the run ending in a traceback."""
    try:
        yield
    except UpsertEngineError as refused:
        raise TargetError(
            f"the in-process target cannot {what}: {type(refused).__name__}: {refused}"
        ) from None


def _not_found() -> Reply:
    return Reply(
        404,
        {
            "code": "INVALID_URL_PATTERN",
            "details": {},
            "message": "Please check if the URL trying to access is a correct one",
            "status": "error",
        },
    )


class InProcessTarget:
    """``Engine`` or ``ReferenceEngine`` (or any ``Org``) called directly: the routes the
    corpus uses are ``POST /crm/{v}/{M}/upsert``, ``POST /crm/{v}/{M}`` (insert, R30) and
    ``GET /crm/{v}/{M}/{id}`` (read back, R12, R28, R33)."""

    def __init__(self, make: Callable[[], Org], name: str) -> None:
        self.name = name
        self._make = make
        self._org: Org = make()
        self._modules: list[str] = list(SYSTEM_DUPLICATE_FIELDS)

    def why_not(self, case: Any) -> str | None:
        return None

    def start_case(self) -> dict[str, str]:
        self._org = self._make()
        self._modules = list(SYSTEM_DUPLICATE_FIELDS)
        return user_json(self._org.users()[0])

    def add_user(self, user: Mapping[str, str]) -> dict[str, str]:
        with _driving(f"add user {user.get('ref')!r}"):
            added = self._org.add_user(User(**{k: v for k, v in user.items() if k != "ref"}))
        return user_json(added)

    def configure(self, modules: Sequence[Mapping[str, Any]]) -> str | None:
        try:
            apply_modules(self._org, modules, self._modules)
        except (UpsertEngineError, ValueError, KeyError, TypeError) as refused:
            return f"{type(refused).__name__}: {refused}"
        return None

    def load(self, module: str, records: list[dict[str, Any]]) -> list[str]:
        with _driving(f"load {len(records)} {module} record(s)"):
            return self._org.load(module, records)

    def module_id(self, module: str) -> str:
        found = getattr(self._org, "module_id", None)
        if callable(found):
            with _driving(f"give the id of module {module!r}"):
                return str(found(module))
        # the engines' convention (rules.MODULE_ID_BASE): modules in the order they exist
        if canonical_module_name(module) not in self._modules:
            raise TargetError(f"the in-process target has no module {module!r} (R20)")
        return str(MODULE_ID_BASE + 2 * self._modules.index(canonical_module_name(module)))

    def send(
        self, method: str, path: str, headers: Mapping[str, str], body: Any, user: str | None
    ) -> Reply:
        with _driving(f"answer {method} {path}"):
            return self._send(method, path, headers, body, user)

    def _send(
        self, method: str, path: str, headers: Mapping[str, str], body: Any, user: str | None
    ) -> Reply:
        parts = [unquote(p) for p in urlsplit(path).path.strip("/").split("/")]
        if len(parts) < 3 or parts[0] != "crm" or parts[1] not in API_VERSIONS:
            return _not_found()
        version, module, rest = parts[1], parts[2], parts[3:]
        lower = {key.lower(): value for key, value in headers.items()}
        external = lower.get("x-external")
        if method == "POST" and rest == ["upsert"]:
            response = self._org.upsert(
                module,
                body,
                api_version=version,
                as_user=user,
                if_unmodified_since=lower.get("if-unmodified-since"),
                external=external,
            )
            return Reply(response.status, response.body)
        if method == "POST" and not rest:
            response = self._org.insert(
                module, body, api_version=version, as_user=user, external=external
            )
            return Reply(response.status, response.body)
        if method == "GET" and len(rest) == 1:
            found = self._org.get(module, rest[0])
            if found is None:
                return Reply(204, None)
            return Reply(200, {"data": [found]})
        return _not_found()

    def end_case(self) -> None:
        return None


def engine_target() -> InProcessTarget:
    """The engine, in process, with its default options."""
    return InProcessTarget(Engine, "engine")


def reference_target() -> InProcessTarget:
    """The reference model, in process, with its default options."""
    return InProcessTarget(ReferenceEngine, "reference")

"""Every behaviour the spec marks [inf] is an explicit, documented option here.

Defaults are the spec's readings. Options are plain frozen values handed to ``Engine``;
nothing else in the package reads flags.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

from .errors import ConfigurationError
from .rules import API_VERSIONS, MAX_RECORD_ID_DIGITS, MAX_RECORDS_PER_REQUEST


class MultiMatch(str, enum.Enum):
    """R11 [inf]: what to do when the deciding field finds several existing records."""

    OLDEST = "oldest"  #: update the oldest (earliest creation, then smallest id): the default
    NEWEST = "newest"  #: update the newest
    REJECT = "reject"  #: reject the record with AMBIGUITY_DURING_PROCESSING


class IntraBatch(str, enum.Enum):
    """R17 [obs][inf]: records of one request that reach a record already written by it."""

    SEQUENTIAL = "sequential"  #: record i sees records 0..i-1 and may update them: the default
    REJECT = "reject"  #: reject such a record with DUPLICATE_DATA


class NonUniqueCheckField(str, enum.Enum):
    """R7 [inf]: a name in ``duplicate_check_fields`` that is not a duplicate check field."""

    #: a field of the module whose type R1 allows is one more match key at its position (not
    #: a uniqueness constraint); any other name fails the request (HTTP 400): the default
    MATCH = "match"
    REJECT = "reject"  #: the seed's reading: fail the request for any such name (HTTP 400)
    IGNORE = "ignore"  #: drop the name from the check order


class AppendOther(str, enum.Enum):
    """R26 [inf]: ``$append_values`` naming a field that is not a multi-select picklist."""

    REJECT = "reject"  #: INVALID_DATA on ``$append_values``: the default
    IGNORE = "ignore"  #: drop that name (the field's value, if sent, replaces as usual)


class WizardKeys(str, enum.Enum):
    """R35 [inf]: ``Wizard`` and ``$wizard_connection_path`` in a record (shape-checked)."""

    IGNORE = "ignore"  #: accepted, not stored (the engine models no wizards): the default
    STORE = "store"  #: accepted and stored as sent


class RecordId(str, enum.Enum):
    """R25 [obs][inf]: a record of an upsert that carries ``id``."""

    UPDATE = "update"  #: update the record of that id (``duplicate_field`` "id"): the default
    IGNORE = "ignore"  #: treat ``id`` as a key the client may not write: dropped
    REJECT = "reject"  #: refuse the record with INVALID_DATA on ``id``


class NullOwner(str, enum.Enum):
    """R32 [inf]: ``Owner: null`` in a record that updates one (an insert gets the acting user)."""

    REJECT = "reject"  #: INVALID_DATA on Owner: a record cannot be left without an owner
    KEEP = "keep"  #: the owner stays (the null is dropped)


class UnknownFields(str, enum.Enum):
    """A record key that is not a field of the module [inf]."""

    IGNORE = "ignore"  #: drop it (not stored, not matched): the default
    REJECT = "reject"  #: reject the record with INVALID_DATA naming the field


#: R32: the org's default user (``User()``, ``Options.user``).
DEFAULT_USER_ID: Final = "5725767000000411001"
DEFAULT_USER_EMAIL: Final = "example.user@example.com"
DEFAULT_USER_ZUID: Final = "60012345"


@dataclass(frozen=True, slots=True, init=False)
class User:
    """A user of the org (R32): who acts (Created_By / Modified_By, R18) and who may own records.

    ``id`` and ``zuid`` are strings of digits (Zoho's SDKs read them as numbers); ``email`` is
    shown in ``Owner`` and ``zuid`` in the ``Owner`` of a ``duplicate_record`` (R14, R32).

    ``email`` and ``zuid`` left out (or None) are derived from ``id``, so that users made
    without them stay distinct (Zoho gives every user its own address and zuid): the default
    user (``id`` 5725767000000411001) gets ``example.user@example.com`` and zuid ``60012345``;
    any other id gets ``user.<id>@example.com`` and its own digits as zuid. Given values are
    kept as given (two users may still be given the same address: the org does not check).
    """

    name: str
    id: str
    email: str
    zuid: str

    def __init__(
        self,
        name: str = "Example User",
        id: str = DEFAULT_USER_ID,
        email: str | None = None,
        zuid: str | None = None,
    ) -> None:
        default = id == DEFAULT_USER_ID
        if email is None:
            email = DEFAULT_USER_EMAIL if default else f"user.{id}@example.com"
        if zuid is None:
            zuid = DEFAULT_USER_ZUID if default else id
        for key, value in (("name", name), ("id", id), ("email", email), ("zuid", zuid)):
            if not isinstance(value, str) or not value.strip():
                raise ConfigurationError(f"User.{key}={value!r} must be a non-empty str (R32)")
            object.__setattr__(self, key, value)
        for key in ("id", "zuid"):
            value = getattr(self, key)
            if not (len(value) <= MAX_RECORD_ID_DIGITS and value.isascii() and value.isdigit()):
                raise ConfigurationError(
                    f"User.{key}={value!r} must be 1 to {MAX_RECORD_ID_DIGITS} ASCII digits "
                    f"(Zoho's SDKs read user ids as numbers, R32)"
                )


@dataclass(frozen=True, slots=True)
class Options:
    """How the engine reads the spec's inferred rules; see each enum for the choices."""

    multi_match: MultiMatch = MultiMatch.OLDEST
    intra_batch: IntraBatch = IntraBatch.SEQUENTIAL
    non_unique_check_field: NonUniqueCheckField = NonUniqueCheckField.MATCH
    unknown_fields: UnknownFields = UnknownFields.IGNORE
    #: R23: v2 and v2.1 omit ``json_path`` from error details.
    api_version: str = "v8"
    #: R3 [doc]: Zoho allows two user-defined unique fields per module; None = no cap.
    max_unique_fields: int | None = None
    #: R15: email, phone and URL values must match Zoho's published patterns (formats.py;
    #: parentheses in phones [inf]); False checks only that they are strings within their
    #: length.
    check_formats: bool = True
    #: R19: records per request.
    max_records: int = MAX_RECORDS_PER_REQUEST
    #: R32: the acting user of a request that names none (``as_user=``); the org's first user.
    user: User = User()
    #: R25 [inf]: an ``id`` inside an upsert record.
    record_id: RecordId = RecordId.UPDATE
    #: R33 [inf]: a lookup's ``id`` must name a record of the looked-up module when that module
    #: is in the org; False stores any id (read back with ``"name": null``).
    check_lookups: bool = True
    #: R32 [inf]: ``Owner`` and user lookups must name a user of the org; False stores any id
    #: (read back with ``"name"``/``"email"`` null).
    check_users: bool = True
    #: R24/R3 [inf]: whether external fields count against ``max_unique_fields``.
    external_in_unique_cap: bool = False
    #: R32 [inf]: ``Owner: null`` in an update.
    null_owner: NullOwner = NullOwner.REJECT
    #: R32 [inf]: a loaded record without Owner is owned by its Created_By; False: as is.
    load_owner: bool = True
    #: R31 [obs v6; inf v3-v5]: the first API version whose added records' ``details`` carry
    #: ``$approval_state``.
    approval_state_since: str = "v6"
    #: R31 [inf]: the ``$approval_state`` of a record inserted with ``"$approved": false``.
    pending_approval_state: str = "approval_process_pending"
    #: R26 [inf]: appending keeps the stored order and does not repeat a value already there;
    #: True appends every incoming value, repeats included.
    append_repeats: bool = False
    #: R26 [inf]: ``$append_values`` naming a field that is not a multi-select picklist.
    append_other: AppendOther = AppendOther.REJECT
    #: R35 [inf]: what becomes of ``Wizard`` and ``$wizard_connection_path``.
    wizard_keys: WizardKeys = WizardKeys.IGNORE

    def __post_init__(self) -> None:
        for name, enum_type in (
            ("multi_match", MultiMatch),
            ("intra_batch", IntraBatch),
            ("non_unique_check_field", NonUniqueCheckField),
            ("unknown_fields", UnknownFields),
            ("record_id", RecordId),
            ("null_owner", NullOwner),
            ("wizard_keys", WizardKeys),
            ("append_other", AppendOther),
        ):
            value = getattr(self, name)
            try:
                object.__setattr__(self, name, enum_type(value))
            except ValueError:
                choices = ", ".join(repr(m.value) for m in enum_type)
                raise ConfigurationError(
                    f"option {name}={value!r} is not one of {choices}"
                ) from None
        if not isinstance(self.api_version, str) or self.api_version not in API_VERSIONS:
            raise ConfigurationError(
                f"api_version={self.api_version!r} is not one of {', '.join(API_VERSIONS)} (R23)"
            )
        if self.max_unique_fields is not None and not _is_count(self.max_unique_fields, 0):
            raise ConfigurationError(
                f"max_unique_fields={self.max_unique_fields!r} must be None or an int >= 0 (R3)"
            )
        for flag, rule in (
            ("check_formats", "R15"),
            ("check_lookups", "R33"),
            ("check_users", "R32"),
            ("external_in_unique_cap", "R24"),
            ("load_owner", "R32"),
            ("append_repeats", "R26"),
        ):
            if not isinstance(getattr(self, flag), bool):
                raise ConfigurationError(f"{flag}={getattr(self, flag)!r} must be a bool ({rule})")
        if self.approval_state_since not in API_VERSIONS:
            raise ConfigurationError(
                f"approval_state_since={self.approval_state_since!r} is not one of "
                f"{', '.join(API_VERSIONS)} (R31)"
            )
        if not isinstance(self.pending_approval_state, str) or not self.pending_approval_state:
            raise ConfigurationError(
                f"pending_approval_state={self.pending_approval_state!r} must be a non-empty str "
                f"(R31)"
            )
        if not _is_count(self.max_records, 1):
            raise ConfigurationError(f"max_records={self.max_records!r} must be an int >= 1 (R19)")
        if not isinstance(self.user, User):
            raise ConfigurationError(f"user={self.user!r} must be a User (R32)")


def _is_count(value: object, low: int) -> bool:
    """An int (not a bool) of at least ``low``."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= low

"""Every behaviour the spec marks [inf] is an explicit, documented option here.

Defaults are the spec's readings. Options are plain frozen values handed to ``Engine``;
nothing else in the package reads flags.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .errors import ConfigurationError
from .rules import API_VERSIONS, MAX_RECORDS_PER_REQUEST


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

    REJECT = "reject"  #: fail the whole request with INVALID_DATA (HTTP 400): the default
    IGNORE = "ignore"  #: drop the name from the check order
    MATCH = "match"  #: treat an existing non-unique field as one more match key


class UnknownFields(str, enum.Enum):
    """A record key that is not a field of the module [inf]."""

    IGNORE = "ignore"  #: drop it (not stored, not matched): the default
    REJECT = "reject"  #: reject the record with INVALID_DATA naming the field


@dataclass(frozen=True, slots=True)
class User:
    """The acting user written into Created_By / Modified_By (R18)."""

    name: str = "Example User"
    id: str = "5725767000000411001"


@dataclass(frozen=True, slots=True)
class Options:
    """How the engine reads the spec's inferred rules; see each enum for the choices."""

    multi_match: MultiMatch = MultiMatch.OLDEST
    intra_batch: IntraBatch = IntraBatch.SEQUENTIAL
    non_unique_check_field: NonUniqueCheckField = NonUniqueCheckField.REJECT
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
    user: User = User()

    def __post_init__(self) -> None:
        for name, enum_type in (
            ("multi_match", MultiMatch),
            ("intra_batch", IntraBatch),
            ("non_unique_check_field", NonUniqueCheckField),
            ("unknown_fields", UnknownFields),
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
        if not isinstance(self.check_formats, bool):
            raise ConfigurationError(f"check_formats={self.check_formats!r} must be a bool (R15)")
        if not _is_count(self.max_records, 1):
            raise ConfigurationError(f"max_records={self.max_records!r} must be an int >= 1 (R19)")
        user = self.user
        if not (isinstance(user, User) and isinstance(user.name, str) and isinstance(user.id, str)):
            raise ConfigurationError(f"user={user!r} must be a User with a str name and id")


def _is_count(value: object, low: int) -> bool:
    """An int (not a bool) of at least ``low``."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= low

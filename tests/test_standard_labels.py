"""Zoho display labels of standard fields (issue 12 item 2): coverage, exceptions, resolution."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from upsert_engine.errors import ConfigurationError
from upsert_engine.standard_fields import STANDARD_FIELDS
from upsert_engine.standard_labels import (
    ALTERNATE_LABELS,
    INFERRED,
    INFERRED_LABELS,
    LABEL_CLASHES,
    LABEL_SOURCES,
    LABELS,
    SOURCES,
    closest_fields,
    label_of,
    resolve_header,
)

SYSTEM_FIELDS = ("id", "Owner", "Created_By", "Modified_By", "Created_Time", "Modified_Time")
ALL_LABELS = sorted(
    (module, api, label) for module, fields in LABELS.items() for api, label in fields.items()
)


def claims(module: str) -> dict[str, set[str]]:
    """Casefolded header -> the fields whose API name, label or alternate label it is."""
    out: dict[str, set[str]] = {}
    for api, label in LABELS[module].items():
        out.setdefault(api.casefold(), set()).add(api)
        out.setdefault(label.casefold(), set()).add(api)
    for alternate, api in ALTERNATE_LABELS.get(module, {}).items():
        out.setdefault(alternate.casefold(), set()).add(api)
    return out


def test_every_standard_field_of_every_module_has_a_label() -> None:
    """Each (module, field) of STANDARD_FIELDS has a non-blank, trimmed label; no other modules."""
    assert set(LABELS) == set(STANDARD_FIELDS)
    for module, rows in STANDARD_FIELDS.items():
        for api_name, _data_type, _length in rows:
            label = label_of(module, api_name)
            assert label, (module, api_name)
            assert label == label.strip(), (module, api_name, label)


def test_every_module_has_the_system_columns_of_an_export() -> None:
    """Record Id, the module's owner and Created/Modified By/Time are labelled in every module."""
    for module in LABELS:
        assert label_of(module, "id") == "Record Id"
        assert label_of(module, "Created_By") == "Created By"
        assert label_of(module, "Modified_By") == "Modified By"
        assert label_of(module, "Created_Time") == "Created Time"
        assert label_of(module, "Modified_Time") == "Modified Time"
        owner = label_of(module, "Owner")
        assert owner is not None and owner.endswith(" Owner") and owner != " Owner", module
    owners = {module: LABELS[module]["Owner"] for module in ("Leads", "Contacts", "Accounts")}
    assert owners == {
        "Leads": "Lead Owner",
        "Contacts": "Contact Owner",
        "Accounts": "Account Owner",
    }


@pytest.mark.parametrize(
    ("module", "api_name", "label"),
    [
        ("Leads", "No_of_Employees", "No. of Employees"),
        ("Leads", "Designation", "Title"),
        ("Contacts", "Title", "Title"),
        ("Leads", "Owner", "Lead Owner"),
        ("Leads", "id", "Record Id"),
        ("Leads", "Annual_Revenue", "Annual Revenue"),
        ("Leads", "Lead_Status", "Lead Status"),
        ("Leads", "First_Name", "First Name"),
        ("Leads", "Last_Name", "Last Name"),
        ("Leads", "Email_Opt_Out", "Email Opt Out"),
        ("Contacts", "Asst_Phone", "Asst Phone"),
        ("Deals", "Owner", "Deal Owner"),
    ],
)
def test_the_exceptions_that_matter_have_zohos_label_from_a_source(
    module: str, api_name: str, label: str
) -> None:
    """The labels that differ from the API name (or matter most) are Zoho's, and none inferred."""
    assert label_of(module, api_name) == label
    assert (module, api_name) not in INFERRED_LABELS
    assert LABEL_SOURCES[module, api_name] in SOURCES
    assert resolve_header(module, label) == api_name


def test_every_label_names_its_source_and_inferred_ones_are_listed() -> None:
    """Every row's source is a known key; INFERRED_LABELS is exactly the rows without a source."""
    assert set(LABEL_SOURCES) == {(module, api) for module, api, _ in ALL_LABELS}
    assert set(LABEL_SOURCES.values()) <= set(SOURCES)
    assert {key for key, source in LABEL_SOURCES.items() if source == INFERRED} == INFERRED_LABELS
    assert not {key for key in INFERRED_LABELS if key[0] == "Leads"}  # the v7 sample covers all
    assert ("Contacts", "Reporting_To") in INFERRED_LABELS  # the sample's org has Reports_To


@pytest.mark.parametrize(
    ("module", "header", "expected"),
    [
        ("Leads", "First Name", "First_Name"),
        ("Leads", "FIRST NAME", "First_Name"),
        ("Leads", "  first name\t", "First_Name"),
        ("Leads", "first_name", "First_Name"),
        ("Leads", "No. Of Employees", "No_of_Employees"),
        ("Leads", "record id", "id"),
        ("Leads", "RECORD ID", "id"),
        ("Leads", "lead owner", "Owner"),
        ("Leads", "Created Time", "Created_Time"),
        ("Leads", "email", "Email"),
        ("Contacts", "contact owner", "Owner"),
        ("Contacts", "mailing zip", "Mailing_Zip"),
        ("Leads", "Title", "Designation"),
        ("Leads", "no of employees", "No_of_Employees"),
        ("Deals", "Potential Name", "Deal_Name"),
        ("Contacts", "Reports To", "Reporting_To"),
    ],
)
def test_headers_resolve_by_api_name_label_or_alternate_case_insensitively(
    module: str, header: str, expected: str
) -> None:
    """An export header resolves to its field however it is cased and padded."""
    assert resolve_header(module, header) == expected


@pytest.mark.parametrize(
    "header", ["", "   ", "Emial", "Lead Owners", "First  Name", "Contact Owner"]
)
def test_headers_naming_no_field_resolve_to_none(header: str) -> None:
    """Blank, misspelt, or another module's headers name no Leads field: None, never a guess."""
    assert resolve_header("Leads", header) is None


@given(
    row=st.sampled_from(ALL_LABELS),
    flips=st.lists(st.booleans(), min_size=64, max_size=64),
    pad=st.tuples(st.sampled_from(["", " ", "\t", "  "]), st.sampled_from(["", " ", "\n"])),
)
def test_any_casing_and_padding_of_a_label_resolves_like_the_label(
    row: tuple[str, str, str], flips: list[bool], pad: tuple[str, str]
) -> None:
    """Flipping the case of any letters and padding with whitespace never changes the answer."""
    module, _api, label = row
    cased = "".join(c.swapcase() if flip else c for c, flip in zip(label, flips, strict=False))
    assert resolve_header(module, pad[0] + cased + pad[1]) == resolve_header(module, label)


def test_no_two_fields_of_a_module_share_a_header_except_the_documented_clash() -> None:
    """Labels, API names and alternates are unambiguous per module, case-insensitively.

    LABEL_CLASHES would document an exception; it is empty since Leads lost its field Title
    (Zoho's Leads field metadata, leads_v7: "Title" is the label of Designation, and Leads has
    no API field Title), so Leads' "Title" names Designation alone.
    """
    for module in LABELS:
        shared = {key: apis for key, apis in claims(module).items() if len(apis) > 1}
        assert set(shared) == set(LABEL_CLASHES.get(module, {})), module
        for key, target in LABEL_CLASHES.get(module, {}).items():
            assert target in shared[key]
            assert resolve_header(module, key) == target
    assert LABEL_CLASHES == {}


def test_every_api_name_label_and_alternate_resolves_to_its_own_field() -> None:
    """Round trip: each spelling of a field resolves back to that field (clash aside)."""
    for module, api, label in ALL_LABELS:
        assert resolve_header(module, api) == LABEL_CLASHES.get(module, {}).get(api.casefold(), api)
        expected = LABEL_CLASHES.get(module, {}).get(label.casefold(), api)
        assert resolve_header(module, label) == expected
    for module, alternates in ALTERNATE_LABELS.items():
        for alternate, api in alternates.items():
            assert api in LABELS[module], (module, alternate)
            assert alternate.casefold() != LABELS[module][api].casefold(), (module, alternate)
            assert resolve_header(module, alternate) == api


def test_custom_labels_come_first_case_insensitively() -> None:
    """A custom label (--map, schema) resolves before the standard ones and wins over them."""
    custom = {"Lead Score ": "Lead_Score", "Email": "Work_Email"}
    assert resolve_header("Leads", "lead score", custom) == "Lead_Score"
    assert resolve_header("Leads", "EMAIL", custom) == "Work_Email"
    assert resolve_header("Leads", "Phone", custom) == "Phone"
    assert resolve_header("Leads", "Fax", {}) == "Fax"


def test_custom_modules_resolve_through_custom_labels_only() -> None:
    """A module without standard fields has no labels: only custom labels resolve there."""
    assert label_of("Custom_Projects", "Name") is None
    assert resolve_header("Custom_Projects", "Email") is None
    assert resolve_header("Custom_Projects", "project name", {"Project Name": "Name"}) == "Name"
    assert closest_fields("Custom_Projects", "Email") == []


def test_custom_labels_differing_only_in_case_but_naming_two_fields_are_an_error() -> None:
    """Two custom labels equal case-insensitively but with different targets: refused, named."""
    custom = {"Score": "Score_A", "SCORE ": "Score_B"}
    with pytest.raises(ConfigurationError, match=r"'Score'.*'SCORE '.*ambiguous"):
        resolve_header("Leads", "score", custom)
    assert resolve_header("Leads", "score", {"Score": "S", "score": "S"}) == "S"
    assert resolve_header("Leads", "Phone", custom) == "Phone"  # other headers unaffected


def test_label_of_unknown_module_or_field_is_none() -> None:
    """label_of answers only for standard fields: None otherwise, and API names are exact."""
    assert label_of("Leads", "Lead_Score") is None
    assert label_of("leads", "Email") is None
    assert label_of("Leads", "email") is None
    assert label_of("Leads", "Email") == "Email"


@pytest.mark.parametrize("name", ["email ", "Emial", "EMAL", " e-mail"])
def test_closest_fields_suggests_email_for_near_misses(name: str) -> None:
    """'Did you mean Email?' for a padded, lowercased or misspelt Email header."""
    suggestions = closest_fields("Leads", name)
    assert suggestions[0] == "Email"
    assert len(suggestions) <= 3
    assert len(suggestions) == len(set(suggestions))


def test_closest_fields_names_each_field_once_in_its_best_spelling() -> None:
    """Suggestions are labels or API names, one per field, at most n, none for nonsense."""
    assert closest_fields("Leads", "Lead Ownr", n=1) == ["Lead Owner"]
    assert closest_fields("Leads", "Frist Name", n=2) == ["First Name", "Last Name"]
    assert closest_fields("Contacts", "Mailing_Zp", n=1) == ["Mailing_Zip"]
    assert closest_fields("Leads", "qqqqqqqqqqqqqqqq") == []
    assert closest_fields("Leads", "Email", n=0) == []
    for name in ("Compny", "Anual Revenue", "Lead Stat"):
        for suggestion in closest_fields("Leads", name, n=5):
            assert resolve_header("Leads", suggestion) is not None


def test_the_tables_are_read_only() -> None:
    """LABELS and its per-module tables cannot be changed by a caller."""
    with pytest.raises(TypeError):
        LABELS["Leads"]["Email"] = "E-mail"  # type: ignore[index]
    with pytest.raises(TypeError):
        LABELS["Leads2"] = {}  # type: ignore[index]

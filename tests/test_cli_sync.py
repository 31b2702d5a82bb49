"""The CLI and what sync payloads carry (spec v2 section 7): external fields in `schema` and
`--schema` (R24), ids in rows (R25), lookups' modules in the schema (R33)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .test_cli import bad, plan, run, store_csv, write


def test_schema_shows_external_fields_owner_and_lookup_modules(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """R24/R32/R33: `schema` prints Owner, each lookup's module and external fields; that
    output, edited to make a field external, round-trips through --schema."""
    _, out, _ = run(capsys, "schema", "--module", "Contacts")
    fields = {f["api_name"]: f for f in json.loads(out)["fields"]}
    assert fields["Owner"] == {
        "api_name": "Owner", "data_type": "ownerlookup", "max_length": None, "unique": False,
        "label": "Contact Owner",
    }  # fmt: skip
    assert fields["Account_Name"]["lookup_module"] == "Accounts"
    data = json.loads(out)
    data["fields"].append(
        {"api_name": "External_Contact_ID", "data_type": "text", "external": "org"}
    )
    schema = write(tmp_path / "schema.json", json.dumps(data))
    _, again, _ = run(capsys, "schema", "--module", "Contacts", "--schema", schema)
    external = next(
        f for f in json.loads(again)["fields"] if f["api_name"] == "External_Contact_ID"
    )
    assert external["external"] == "org"


def test_plan_matches_by_an_external_field_from_schema(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """R24: a --schema external field is a duplicate check field: rows are matched by it, and
    a row matched by Email that takes an org-based value another record holds is
    DUPLICATE_DATA (R14)."""
    schema = write(
        tmp_path / "schema.json",
        json.dumps({"fields": [{"api_name": "Ext_ID", "data_type": "text", "external": "org"}]}),
    )
    store = write(
        tmp_path / "store.csv",
        "id,Last_Name,Email,Ext_ID\n101,Frey,frey@sample.com,e1\n102,Moss,moss@x.org,e2\n",
    )
    rows = write(
        tmp_path / "rows.csv",
        "Last_Name,Email,Ext_ID\nFrey2,,E1\nMoss2,moss@x.org,e1\nNew,new@x.org,e3\n",
    )
    code, summary, _ = plan(
        capsys, store, rows, "--schema", schema, "--check-fields", "Email,Ext_ID"
    )
    assert code == 1
    assert summary["updated"] == {"Ext_ID": 1}
    assert summary["inserted"] == 1
    assert summary["failed"] == {"DUPLICATE_DATA": 1}


def test_plan_rows_with_ids_update_those_records(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """R25: a row carrying the id of a stored record updates it (duplicate_field "id"), an id
    of no record is INVALID_DATA on id; --check-fields may name id."""
    rows = write(tmp_path / "rows.csv", "id,Last_Name,Email\n101,Frey2,other@x.io\n999,N,n@x.io\n")
    code, summary, _ = plan(capsys, store_csv(tmp_path), rows, "--check-fields", "id,Email")
    assert code == 1
    assert summary["updated"] == {"id": 1}
    assert summary["failed_fields"] == {"INVALID_DATA": {"id": 1}}


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ({"api_name": "X", "data_type": "text", "external": "team"}, 'external must be "org"'),
        ({"api_name": "X", "data_type": "email", "external": "org"}, "text only"),
        ({"api_name": "X", "data_type": "lookup", "lookup_module": 5}, "lookup_module must be"),
    ],
)
def test_bad_external_or_lookup_in_schema(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, field: dict[str, object], message: str
) -> None:
    """R24/R33: a --schema field with a bad external kind, an external non-text field or a
    bad lookup_module is a usage error (exit 2) naming the field."""
    schema = write(tmp_path / "schema.json", json.dumps({"fields": [field]}))
    line = bad(capsys, "schema", "--module", "Leads", "--schema", schema)
    assert "fields[0]" in line and message in line


def test_plan_does_not_check_owner_or_lookup_ids(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """R32/R33: the CLI knows one module's records and none of the org's users, so rows with
    an Owner or a lookup id it cannot see are planned as Zoho would take them (not refused)."""
    rows = write(
        tmp_path / "rows.json",
        json.dumps(
            [
                {"Last_Name": "A", "Owner": {"id": "5725767000000999001"}},
                {"Last_Name": "B", "Account_Name": {"id": "5725767000000999002"}},
            ]
        ),
    )
    store = write(tmp_path / "store.jsonl", '{"id": "7", "Last_Name": "Old"}\n')
    code, out, _ = run(capsys, "plan", "--module", "Contacts", "--store", store, rows, "--json")
    assert code == 0 and json.loads(out)["inserted"] == 2

"""Subforms and inventory line items (R36, with R4, R13, R15): example tests, exact answers.

Ids count up from 5725767000000600001 for records and subform rows alike (one id source);
each write request is one second after the previous one.
"""

from __future__ import annotations

from typing import Any

import pytest

from upsert_engine import ConfigurationError, Engine, Options
from upsert_engine._org_config import apply_module_schema
from upsert_engine.reference import ReferenceEngine
from upsert_engine.server import ZohoServer

from .server_support import call


def rid(n: int) -> str:
    """The n-th id the engine issues (records and rows share the id source)."""
    return str(5725767000000600000 + n)


PEN = {"id": rid(1)}  # the Products record every test loads first ...
READ_PEN = {"name": "Pen", "id": rid(1)}  # ... as a line item reads it back (R33)


def quotes(options: Options | None = None) -> Engine:
    """An org with one product (id rid(1)), request 0."""
    engine = Engine(options)
    engine.load("Products", [{"Product_Name": "Pen"}])
    return engine


def item(quantity: Any = 1, **more: Any) -> dict[str, Any]:
    """A new line item of the pen."""
    return {"Product_Name": PEN, "Quantity": quantity, **more}


def rows_of(engine: Engine, module: str, record_id: str, field: str) -> Any:
    return (engine.get(module, record_id) or {}).get(field)


def test_r36_quote_without_line_items_is_refused() -> None:
    """R4, R36 (issue 10): a Quote without Quoted_Items, or with none (``[]``), is not
    inserted: MANDATORY_NOT_FOUND on Quoted_Items. Likewise the other inventory modules."""
    engine = quotes()
    response = engine.upsert(
        "Quotes", {"data": [{"Subject": "Q"}, {"Subject": "R", "Quoted_Items": []}]}
    )
    assert [e["details"] for e in response.body["data"]] == [
        {"api_name": "Quoted_Items", "json_path": "$.data[0].Quoted_Items"},
        {"api_name": "Quoted_Items", "json_path": "$.data[1].Quoted_Items"},
    ]
    assert {e["code"] for e in response.body["data"]} == {"MANDATORY_NOT_FOUND"}
    for module, field in (
        ("Sales_Orders", "Ordered_Items"),
        ("Invoices", "Invoiced_Items"),
    ):
        refused = engine.insert(module, {"data": [{"Subject": "S"}]})
        assert refused.body["data"][0]["details"]["api_name"] == field
    assert engine.count("Quotes") == 0


def test_r36_insert_gives_rows_ids_and_reads_them_back() -> None:
    """R36: each row of an inserted subform gets an id from the engine's id source (after the
    record's own) and reads back with it and its fields; a line item's Product_Name reads
    back with the product's current name (R33)."""
    engine = quotes()
    body = {"data": [{"Subject": "Q", "Quoted_Items": [item(2), item(3, Description="blue")]}]}
    response = engine.upsert("Quotes", body)
    assert response.status == 200
    assert response.body["data"][0]["details"]["id"] == rid(2)
    assert rows_of(engine, "Quotes", rid(2), "Quoted_Items") == [
        {"id": rid(3), "Product_Name": READ_PEN, "Quantity": 2},
        {"id": rid(4), "Product_Name": READ_PEN, "Quantity": 3, "Description": "blue"},
    ]
    again = engine.upsert("Quotes", {"data": [{"Subject": "Q2", "Quoted_Items": [item()]}]})
    assert again.body["data"][0]["details"]["id"] == rid(5)
    assert rows_of(engine, "Quotes", rid(5), "Quoted_Items")[0]["id"] == rid(6)
    engine.update("Products", {"data": [{"id": rid(1), "Product_Name": "Quill"}]})
    renamed = rows_of(engine, "Quotes", rid(2), "Quoted_Items")[0]["Product_Name"]
    assert renamed == {"name": "Quill", "id": rid(1)}  # R33: the current name reads back


def test_r36_update_by_row_id_append_delete_and_clear() -> None:
    """R36: on update a row with ``id`` updates that row (its other cells kept), a row without
    ``id`` is appended, ``{"id": ..., "_delete": null}`` removes that row, rows not named stay
    in place, and ``[]`` clears the subform."""
    engine = quotes()
    engine.upsert(
        "Quotes", {"data": [{"Subject": "Q", "Quoted_Items": [item(1), item(2), item(3)]}]}
    )
    first, second, third = rid(3), rid(4), rid(5)
    body = {
        "data": [
            {
                "Subject": "q",
                "Quoted_Items": [
                    {"id": third, "Quantity": 30},
                    {"id": first, "_delete": None},
                    item(4),
                ],
            }
        ]
    }
    response = engine.upsert("Quotes", body)
    assert response.body["data"][0]["action"] == "update"
    assert rows_of(engine, "Quotes", rid(2), "Quoted_Items") == [
        {"id": second, "Product_Name": READ_PEN, "Quantity": 2},
        {"id": third, "Product_Name": READ_PEN, "Quantity": 30},
        {"id": rid(6), "Product_Name": READ_PEN, "Quantity": 4},
    ]
    cleared = engine.update("Quotes", {"data": [{"id": rid(2), "Quoted_Items": []}]})
    assert cleared.status == 200
    assert rows_of(engine, "Quotes", rid(2), "Quoted_Items") == []


BAD, MISSING = "INVALID_DATA", "MANDATORY_NOT_FOUND"


@pytest.mark.parametrize(
    ("rows", "code", "api_name", "path", "detail"),
    [
        ("x", BAD, "Quoted_Items", "", {"expected_data_type": "jsonarray"}),
        (["x"], BAD, "Quoted_Items", "[0]", {"expected_data_type": "jsonobject"}),
        ([{"Quantity": 1}], MISSING, "Product_Name", "[0].Product_Name", {}),
        ([{"Product_Name": PEN}], MISSING, "Quantity", "[0].Quantity", {}),
        ([item(), item("many")], BAD, "Quantity", "[1].Quantity", {"expected_data_type": "double"}),
        ([{"id": "12345", "Quantity": 2}], BAD, "id", "[0].id", {}),
        ([{"id": "x1", "Quantity": 2}], BAD, "id", "[0].id", {}),
        ([{"_delete": None}], BAD, "_delete", "[0]._delete", {}),
        ([{"id": "12345", "_delete": 1}], BAD, "_delete", "[0]._delete", {}),
        ([item()] * 101, BAD, "Quoted_Items", "", {"maximum_length": 100}),
        (
            [item(), {"Product_Name": {"id": "42"}, "Quantity": 1}],
            BAD,
            "Product_Name",
            "[1].Product_Name",
            {},
        ),
        (
            [{"Product_Name": "Pen", "Quantity": 1}],
            BAD,
            "Product_Name",
            "[0].Product_Name",
            {"expected_data_type": "jsonobject"},  # R15: a lookup sent as a string
        ),
    ],
)
def test_r36_bad_rows_are_refused_and_change_nothing(
    rows: Any, code: str, api_name: str, path: str, detail: dict[str, Any]
) -> None:
    """R36, R15, R13, R33: a subform that is not an array of row objects, a row field of the
    wrong type, a row id naming no row of the record, a deletion without an id, more than 100
    rows [inf], a new row without Product_Name/Quantity, a Product_Name naming no product: the
    record is refused with the error at the row (``$.data[i].Subform[j].Field``); nothing is
    written, no id is used."""
    engine = quotes()
    response = engine.upsert("Quotes", {"data": [{"Subject": "Q", "Quoted_Items": rows}]})
    assert response.body["data"][0] == {
        "code": code,
        "details": {"api_name": api_name, "json_path": f"$.data[0].Quoted_Items{path}", **detail},
        "message": "invalid data" if code == "INVALID_DATA" else "required field not found",
        "status": "error",
    }
    assert engine.count("Quotes") == 0
    ok = engine.upsert("Quotes", {"data": [{"Subject": "Q", "Quoted_Items": [item()]}]})
    assert ok.body["data"][0]["details"]["id"] == rid(2)  # the refused record used no id


def test_r36_unknown_row_keys_follow_unknown_fields() -> None:
    """R36 [inf]: a row key that is no row field is dropped (``unknown_fields="ignore"``) or
    refused at the row (``"reject"``)."""
    body = {"data": [{"Subject": "Q", "Quoted_Items": [item(Colour="red")]}]}
    lenient = quotes()
    assert lenient.upsert("Quotes", body).status == 200
    assert "Colour" not in rows_of(lenient, "Quotes", rid(2), "Quoted_Items")[0]
    strict = quotes(Options(unknown_fields="reject"))
    entry = strict.upsert("Quotes", body).body["data"][0]
    assert entry["details"] == {
        "api_name": "Colour",
        "json_path": "$.data[0].Quoted_Items[0].Colour",
    }


def test_r36_custom_subform_and_price_book_details() -> None:
    """R36: ``add_subform`` defines a subform of any module (rows of its own fields, optional
    row-mandatory fields, a row limit); Price_Books need Pricing_Details (R4)."""
    engine = Engine()
    definition = engine.add_subform(
        "Leads",
        "Languages",
        [("Language", "picklist"), ("Level", "integer")],
        mandatory=["Language"],
        max_rows=2,
    )
    assert definition.data_type == "subform" and definition.max_length == 2
    rows = [{"Language": "French", "Level": 3}, {"Language": "German"}]
    assert engine.upsert("Leads", {"data": [{"Last_Name": "A", "Languages": rows}]}).status == 200
    assert rows_of(engine, "Leads", rid(1), "Languages") == [
        {"id": rid(2), "Language": "French", "Level": 3},
        {"id": rid(3), "Language": "German"},
    ]
    too_many = engine.update(
        "Leads", {"data": [{"id": rid(1), "Languages": [{"Language": "Thai"}]}]}
    )
    assert too_many.body["data"][0]["details"] == {
        "api_name": "Languages", "json_path": "$.data[0].Languages", "maximum_length": 2,
    }  # fmt: skip
    for bad in ([], [("Level", "subform")], [("id", "text")], ["Language"]):
        with pytest.raises(ConfigurationError):
            engine.add_subform("Leads", "Other", bad)
    with pytest.raises(ConfigurationError):
        engine.add_subform("Leads", "Other", [("A", "text")], mandatory=["B"])
    with pytest.raises(ConfigurationError, match="add_subform"):
        engine.add_field("Leads", "Other", "subform")
    book = {
        "Price_Book_Name": "Retail",
        "Pricing_Details": [{"from_range": 1, "to_range": 10, "discount": 5}],
    }
    assert engine.upsert("Price_Books", {"data": [book]}).status == 200
    assert engine.upsert("Price_Books", {"data": [{"Price_Book_Name": "Other"}]}).status == 400


def test_r36_plan_predicts_row_ids_and_reference_agrees() -> None:
    """R36, section 8: ``plan`` answers what ``upsert`` then does (row ids included) and writes
    nothing; the reference model gives the same answers and stores the same rows."""
    engine, reference = quotes(), ReferenceEngine()
    reference.load("Products", [{"Product_Name": "Pen"}])
    bodies = [
        {
            "data": [
                {"Subject": "Q", "Quoted_Items": [item(1), item(2)]},
                {"Subject": "R", "Quoted_Items": [item()]},
            ]
        },
        {"data": [{"Subject": "q", "Quoted_Items": [{"id": rid(3), "_delete": None}, item(9)]}]},
        {"data": [{"Subject": "r", "Quoted_Items": [{"id": rid(3), "Quantity": 1}]}]},
    ]
    for body in bodies:
        before = list(engine.records("Quotes"))
        planned = engine.plan("Quotes", body)
        assert list(engine.records("Quotes")) == before
        applied = engine.upsert("Quotes", body)
        assert planned == applied == reference.upsert("Quotes", body)
        assert list(engine.records("Quotes")) == list(reference.records("Quotes"))
        engine._check()


def test_r36_schema_json_round_trip_and_layouts_over_http(zoho_server: ZohoServer) -> None:
    """R36, R35: a module's JSON schema carries its subforms, settings and layouts;
    ``GET /settings/layouts?module=M`` lists the layouts (204 when there are none)."""
    engine = zoho_server.engine
    assert call(zoho_server, "GET", "/crm/v8/settings/layouts?module=Leads")[0] == 204
    engine.add_layout("Leads", "700", mandatory=["Company"], name="Partners")
    status, _, answer = call(zoho_server, "GET", "/crm/v8/settings/layouts?module=Leads")
    assert status == 200
    (layout,) = answer["layouts"]
    assert (layout["id"], layout["name"], layout["status"]) == ("700", "Partners", "active")
    required = {f["api_name"] for f in layout["sections"][0]["fields"] if f["required"]}
    assert required == {"Last_Name", "Company"}
    assert call(zoho_server, "GET", "/crm/v8/settings/layouts?module=Nope")[0] == 400
    schema = engine.schema("Quotes").to_json()
    items = next(f for f in schema["fields"] if f["api_name"] == "Quoted_Items")
    assert items["row_mandatory"] == ["Product_Name", "Quantity"]
    assert engine.schema("Leads").to_json()["layouts"] == [
        {"id": "700", "name": "Partners", "mandatory_fields": ["Company"]}
    ]


def test_r36_r35_schema_json_applies_to_a_fresh_org() -> None:
    """R36, R35, R4: ``apply_module_schema`` (the CLI's and server's ``--schema``) recreates a
    module's subforms (line items' Product_Name lookup included), settings and layouts from
    ``ModuleSchema.to_json``; a malformed subform is refused naming where."""
    source = Engine()
    source.add_subform(
        "Leads", "Langs", [("Language", "picklist"), ("Ref", "lookup", None, "Leads")]
    )
    source.add_layout("Leads", "700", mandatory=["Company"], name="Partners")
    source.set_setting("Deals", "pipelines")
    target = Engine()
    for module in ("Leads", "Deals", "Quotes"):
        apply_module_schema(target, module, source.schema(module).to_json(), "x", create=False)
        assert target.schema(module).to_json() == source.schema(module).to_json()
    items = target.schema("Quotes").fields["Quoted_Items"]
    assert items.row_field("Product_Name") is not None
    assert items.row_field("Product_Name").lookup_module == "Products"  # type: ignore[union-attr]
    broken = {"fields": [{"api_name": "Bad", "data_type": "subform", "rows": "x"}]}
    with pytest.raises(ConfigurationError, match=r"x: fields\[0\]"):
        apply_module_schema(target, "Leads", broken, "x", create=False)

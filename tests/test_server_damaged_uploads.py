"""A damaged bulk write upload gets a Zoho-shaped 400, and any unexpected exception while
answering gets a Zoho-shaped 500: the fake never drops a connection without a reply."""

from __future__ import annotations

import struct
from typing import Any

import pytest

from upsert_engine.server import ZohoServer, app

from .server_support import call, lead
from .test_server_bounds import zip_of
from .test_server_bulk import ROWS, job, upload, zipped

CSV = b"Last_Name,Email\nFrey,frey@x.org\n" * 20


def _damaged(kind: str) -> bytes:
    """A deflated zip of one CSV, damaged as ``kind`` says, in both of its headers."""
    data = bytearray(zip_of("a.csv", CSV))
    local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
    if kind == "corrupt deflate":  # 0xff: a final block of the reserved type 3
        start = local + 30 + struct.unpack_from("<H", data, local + 26)[0]
        size = struct.unpack_from("<I", data, local + 18)[0]
        data[start : start + size] = b"\xff" * size
    elif kind == "encrypted":  # general-purpose flag bit 0
        for flags in (local + 6, central + 8):
            data[flags] |= 1
    else:  # compression method 77: none that zipfile knows
        for method in (local + 8, central + 10):
            struct.pack_into("<H", data, method, 77)
    return bytes(data)


@pytest.mark.parametrize("kind", ["corrupt deflate", "encrypted", "method 77"])
def test_a_zip_member_that_cannot_be_read_is_an_invalid_file(
    zoho_server: ZohoServer, kind: str
) -> None:
    """A zip whose one CSV cannot be decompressed (corrupt deflate data: zlib.error; an
    encrypted member: RuntimeError; an unknown compression method: NotImplementedError) gets
    400 INVALID_FILE_FORMAT, Zoho's code for an upload that is not a usable zip (as for one
    whose size header lies), keeps nothing, and the server goes on. Before, the exception
    escaped ``bulk._csv_from_zip`` and the connection closed with no reply at all."""
    status, _, answer = upload(zoho_server, _damaged(kind))
    assert (status, answer["status"], answer["code"]) == (400, "error", "INVALID_FILE_FORMAT")
    assert zoho_server.bulk.files == {}
    assert upload(zoho_server, zipped(ROWS[:2]))[0] == 200


def test_an_unexpected_exception_while_uploading_is_a_zoho_shaped_500(
    zoho_server: ZohoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in a route outside the engine dispatch (here the upload) answers 500
    INTERNAL_ERROR naming the exception's type, not a dropped connection; nothing is kept
    and the next request is served. Before, only ``dispatch`` and bulk jobs were covered."""

    def broken(*args: Any) -> Any:
        raise KeyError("a bug")

    monkeypatch.setattr(app.extra, "upload", broken)
    status, _, answer = upload(zoho_server, zipped(ROWS[:2]))
    assert (status, answer["code"]) == (500, "INTERNAL_ERROR")
    assert "KeyError" in answer["message"]
    assert zoho_server.bulk.files == {}
    monkeypatch.undo()
    assert call(zoho_server, "POST", "/crm/v8/Leads/upsert", {"data": [lead("Ok")]})[0] == 200


def test_an_exception_escaping_the_server_is_a_zoho_shaped_500(
    zoho_server: ZohoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last net, in the wire layer: an exception from ``ZohoServer.handle`` itself (here
    from the token check) answers 500 INTERNAL_ERROR and closes the connection, rather than
    closing it with no reply; the server keeps serving."""

    def broken(*args: Any) -> Any:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(zoho_server, "_check_token", broken)
    status, _, answer = call(zoho_server, "GET", "/crm/v8/Leads")
    assert (status, answer["status"], answer["code"]) == (500, "error", "INTERNAL_ERROR")
    assert "ZeroDivisionError" in answer["message"]
    monkeypatch.undo()
    assert call(zoho_server, "GET", "/crm/v8/Leads?fields=Last_Name")[0] in (200, 204)


def test_a_job_on_an_upload_still_runs_after_a_damaged_one(zoho_server: ZohoServer) -> None:
    """After a damaged upload is refused, a good upload and its job run as usual (the
    refusal changed no state)."""
    upload(zoho_server, _damaged("encrypted"))
    file_id = upload(zoho_server, zipped(ROWS[:3]))[2]["details"]["file_id"]
    status, _, answer = call(zoho_server, "POST", "/crm/bulk/v8/write", job(file_id))
    assert status == 201, answer
    assert zoho_server.engine.count("Leads") == 2

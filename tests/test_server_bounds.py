"""Review findings F6 and F4: bulk write uploads are bounded like the request log (issue 8),
zip bombs are refused before decompressing, and a malformed CSV fails the job, writing nothing."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from upsert_engine.server import ZohoServer
from upsert_engine.server.bulk import MAX_UNZIPPED

from .server_support import call
from .test_server_bulk import MAPPINGS, ROWS, job, upload, zipped


def zip_of(name: str, data: bytes) -> bytes:
    """A deflated zip holding one file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def test_uploads_keep_at_most_max_files_dropping_the_oldest() -> None:
    """F6: like the log (issue 8), the server keeps at most ``max_upload_files`` uploads; a
    new one drops the oldest, and a job naming a dropped file gets INVALID_FILE_ID saying why
    (Zoho's code for a file id it does not know, [doc v8 bulk-write create-job])."""
    with ZohoServer(max_upload_files=2) as server:
        ids = [upload(server, zipped(ROWS[:2]))[2]["details"]["file_id"] for _ in range(3)]
        assert len(set(ids)) == 3
        assert list(server.bulk.files) == ids[1:]
        assert server.bulk.dropped_files == 1
        status, _, answer = call(server, "POST", "/crm/bulk/v8/write", job(ids[0]))
        assert (status, answer["code"]) == (400, "INVALID_FILE_ID")
        assert "dropped" in answer["message"] and answer["details"] == {"api_name": "file_id"}
        assert server.engine.count("Leads") == 0
        status, _, answer = call(server, "POST", "/crm/bulk/v8/write", job(ids[2]))
        assert status == 201 and server.engine.count("Leads") == 1
        status, _, answer = call(server, "POST", "/crm/bulk/v8/write", job("5725767000009999999"))
        assert answer["message"] == "improper file id"  # never issued: Zoho's message alone


def test_uploads_keep_at_most_max_bytes_unzipped() -> None:
    """F6: the cap counts the CSV bytes as stored (unzipped), not the zip's: a 40 KB CSV that
    zips to a few hundred bytes counts 40 KB. A CSV larger than the whole cap is refused
    (FILE_TOO_LARGE) and keeps nothing."""
    csv = b"Last_Name,Email\n" + b"x" * 40_000 + b",a@x.org\n"
    with ZohoServer(max_upload_bytes=100_000) as server:
        for _ in range(3):
            assert upload(server, zip_of("l.csv", csv))[0] == 200
        assert len(server.bulk.files) == 2 and server.bulk.kept_bytes == 2 * len(csv)
        assert server.bulk.dropped_files == 1
        big = csv + b"y" * 100_000
        status, _, answer = upload(server, zip_of("l.csv", big))
        assert (status, answer["code"]) == (400, "FILE_TOO_LARGE")
        assert answer["details"] == {"limit": 100_000}
        assert len(server.bulk.files) == 2 and server.bulk.dropped_files == 1


def test_reset_empties_the_uploads_and_keeps_the_caps() -> None:
    """F6: a reset frees every upload; the caps given to the server still hold after it."""
    with ZohoServer(max_upload_files=1) as server:
        upload(server, zipped(ROWS[:2]))
        server.reset()
        assert server.bulk.files == {} and server.bulk.kept_bytes == 0
        upload(server, zipped(ROWS[:2]))
        upload(server, zipped(ROWS[:2]))
        assert len(server.bulk.files) == 1 and server.bulk.dropped_files == 1


def test_a_zip_bomb_is_refused_before_decompressing(zoho_server: ZohoServer) -> None:
    """F6 (zip bomb): a 65 KB zip whose CSV unzips to more than 64 MiB is refused with
    FILE_TOO_LARGE from its header's size, before any decompression; nothing is kept."""
    bomb = zip_of("l.csv", b"0" * (MAX_UNZIPPED + 1))
    assert len(bomb) < 100_000
    status, _, answer = upload(zoho_server, bomb)
    assert (status, answer["code"]) == (400, "FILE_TOO_LARGE")
    assert zoho_server.bulk.files == {}


def test_a_zip_whose_header_lies_about_the_size_is_not_decompressed_past_it(
    zoho_server: ZohoServer,
) -> None:
    """F6 (zip bomb): a header claiming 10 bytes for a 1 MB CSV: decompression stops at the
    claimed size, the CRC then fails and the file is refused (INVALID_FILE_FORMAT)."""
    data = bytearray(zip_of("l.csv", b"Last_Name\n" + b"x" * 1_000_000))
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature) + offset  # the uncompressed size in each header
        data[at : at + 4] = struct.pack("<I", 10)
    status, _, answer = upload(zoho_server, bytes(data))
    assert (status, answer["code"]) == (400, "INVALID_FILE_FORMAT")
    assert zoho_server.bulk.files == {}


def _zip_text(text: str) -> bytes:
    return zip_of("l.csv", text.encode())


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('Last_Name,Email\n"open,x@x.com\n', 2),  # the tester's file: an unclosed quote
        ('Last_Name,Email\nok,ok@x.org\n"a"b,x@x.org\n', 3),  # text after a closing quote
    ],
)
def test_a_malformed_csv_fails_the_job_and_writes_nothing(
    zoho_server: ZohoServer, text: str, line: int
) -> None:
    """F4: a CSV Zoho cannot parse fails the job with 400 FILE_NOT_SUPPORTED (Zoho's code for a
    file the job cannot process: crm-oas v8.0 bulk_write.yaml, createBulkWriteJob), naming the
    line, before any row is written; formerly the job COMPLETED storing Last_Name
    'open,x@x.com\\n' and a null Email. A quoted comma or newline stays valid CSV."""
    file_id = upload(zoho_server, _zip_text(text))[2]["details"]["file_id"]
    body = job(file_id)
    body["resource"][0]["field_mappings"] = MAPPINGS[:2]
    status, _, answer = call(zoho_server, "POST", "/crm/bulk/v8/write", body)
    assert (status, answer["code"], answer["status"]) == (400, "FILE_NOT_SUPPORTED", "error")
    assert answer["details"] == {"line": line} and f"line {line}" in answer["message"]
    assert zoho_server.engine.count("Leads") == 0
    assert not any(entry["applied"] for entry in zoho_server.requests)
    good = 'Last_Name,Email\n"Frey, Jr.\nthe second",frey@x.org\n'
    file_id = upload(zoho_server, _zip_text(good))[2]["details"]["file_id"]
    body["resource"][0]["file_id"] = file_id
    assert call(zoho_server, "POST", "/crm/bulk/v8/write", body)[0] == 201
    (record,) = zoho_server.engine.records("Leads")
    assert record["Last_Name"] == "Frey, Jr.\nthe second"

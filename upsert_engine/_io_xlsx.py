"""Reading ``.xlsx`` workbooks (issue 12 item 6): the first sheet, as a CSV file would read.

Needs ``openpyxl``, an optional extra (``pip install 'upsert_engine[xlsx]'``); without it, an
``InputError`` says so. Cells become the text a CSV export would hold: numbers as plain
decimals (no exponent) without a trailing ``.0`` when whole, dates ``yyyy-MM-dd``, date-times
``yyyy-MM-dd HH:mm:ss`` (Zoho's export format; ``--timezone`` reads them), booleans
``true``/``false``, empty cells empty. Line numbers are the sheet's row numbers. Rows whose
cells are all empty are skipped.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, BinaryIO

from ._io_read import InputError


def plain_decimal(value: float) -> str:
    """``value`` as a CSV export writes a number: plain decimal digits, never an exponent
    (``str`` gives ``5e-05``, ``1e+20``, which no number field takes), and exactly the number
    the file wrote (the shortest text that reads back as the same float, ``repr``), without
    a trailing ``.0`` when whole."""
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def cell_text(value: Any) -> str:
    """A cell's value as the text of a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isfinite(value):
        return plain_decimal(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def xlsx_rows(path: str, handle: BinaryIO) -> Iterator[tuple[int, int, list[str]]]:
    """(row number, row number, cells) of each non-empty row of the first sheet, header first."""
    try:
        import openpyxl  # type: ignore[import-untyped]
    except ImportError:
        raise InputError(
            f"{path}: reading .xlsx needs openpyxl: pip install 'upsert_engine[xlsx]' "
            f"(or save the sheet as CSV UTF-8)"
        ) from None
    data = handle if handle.seekable() else io.BytesIO(handle.read())
    try:
        book = openpyxl.load_workbook(data, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is no workbook
        raise InputError(
            f"{path}: not an .xlsx workbook ({type(error).__name__}: {error})"
        ) from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            return
        width = 0
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            cells = [cell_text(value) for value in values]
            if number == 1:
                while cells and not cells[-1]:
                    cells.pop()
                width = len(cells)
            elif not any(cells):
                continue
            else:
                extra = cells[width:]
                if any(extra):
                    yield number, number, cells
                    continue
                cells = cells[:width] + [""] * (width - len(cells))
            yield number, number, cells
    finally:
        book.close()

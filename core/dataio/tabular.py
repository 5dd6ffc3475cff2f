"""Reading and writing landlords' spreadsheets: CSV (``;``, cp1252 or UTF-8) and XLSX, French values."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

XLSX_MAGIC = b"PK\x03\x04"


class TableError(Exception):
    """The file cannot be read as a table (message in French)."""


def normalise(header: str) -> str:
    """A header reduced for matching: no accents, lower case, words separated by one space."""
    text = unicodedata.normalize("NFKD", header.replace("°", " ").replace("º", " "))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def decode(content: bytes) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM) if valid, else Windows-1252."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(filename: str, content: bytes) -> tuple[list[str], list[list[str]]]:
    """Headers and rows (as text) of a CSV or XLSX file; blank lines are dropped."""
    if filename.lower().endswith((".xlsx", ".xlsm")) or content.startswith(XLSX_MAGIC):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise TableError(f"Classeur XLSX illisible : {exc}") from exc
        sheet = book.worksheets[0]
        lines = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
    else:
        text = decode(content)
        first = text.split("\n", 1)[0]
        delimiter = max((";", ",", "\t"), key=first.count) if first.count(";") == 0 else ";"
        lines = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    if not lines:
        raise TableError("Le fichier est vide.")
    headers, *rows = lines
    width = len(headers)
    body = [(r + [""] * width)[:width] if len(r) < width else r for r in rows]
    return headers, body


_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def parse_date(text: str) -> date:
    """A French date (dd/mm/yyyy, dd-mm-yy…) or an ISO one; ValueError with a French message."""
    m = _DATE.match(text)
    try:
        if m:
            day, month, year = (int(g) for g in m.groups())
            if year < 100:
                year += 2000 if year <= date.today().year % 100 else 1900
            return date(year, month, day)
        iso = _ISO.match(text)
        if iso:
            return date(*(int(g) for g in iso.groups()))
    except ValueError:
        raise ValueError(f"date impossible « {text} »") from None
    raise ValueError(f"date attendue au format jj/mm/aaaa, lu « {text} »")


def parse_decimal(text: str) -> float:
    """A French decimal (``1 234,50``, ``45,5 m²``, ``520 €``); ValueError with a French message."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]|m²|m2", "", text).replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        raise ValueError(f"nombre attendu (virgule décimale), lu « {text} »") from None


def parse_int(text: str) -> int:
    """A whole number (``RDC`` is floor 0)."""
    if normalise(text) in ("rdc", "rez de chaussee"):
        return 0
    value = parse_decimal(text)
    if not value.is_integer():
        raise ValueError(f"nombre entier attendu, lu « {text} »")
    return int(value)


_TRUE = {"oui", "o", "vrai", "1", "x", "yes", "y"}
_FALSE = {"non", "n", "faux", "0", "no"}


def parse_bool(text: str) -> bool:
    """Oui/non (and common variants)."""
    key = normalise(text)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"oui ou non attendu, lu « {text} »")


def write_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """A CSV as landlords' tools read it: ``;`` separator, UTF-8 with BOM, French dates and decimals."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([french(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def french(value: Any) -> str:
    """A value as a French spreadsheet shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return (str(int(value)) if value.is_integer() else repr(value)).replace(".", ",")
    if hasattr(value, "value"):
        return str(value.value)
    return str(value)


def write_xlsx(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    notes: dict[int, str] | None = None,
    title: str = "Données",
) -> bytes:
    """An XLSX workbook; with ``notes`` (row index → text), an « Erreurs » column highlights bad rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append([*headers, "Erreurs"] if notes is not None else list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    red = PatternFill("solid", fgColor="FFC7CE")
    for index, row in enumerate(rows):
        values = [v.value if hasattr(v, "value") and not isinstance(v, date | bool) else v for v in row]
        if notes is not None:
            values.append(notes.get(index, ""))
        sheet.append(values)
        if notes and index in notes:
            for cell in sheet[sheet.max_row]:
                cell.fill = red
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

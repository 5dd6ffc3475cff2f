"""Reading and writing landlords' spreadsheets: CSV (``;``, cp1252 or UTF-8) and XLSX, French values."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

XLSX_MAGIC = b"PK\x03\x04"
#: Excel's day 0 (its serial dates count from here, 1900 leap-year bug included).
EXCEL_EPOCH = date(1899, 12, 30)


class TableError(Exception):
    """The file cannot be read as a table (message in French)."""


def normalise(header: str) -> str:
    """A header reduced for matching: no accents, lower case, words separated by one space."""
    text = unicodedata.normalize("NFKD", header.replace("°", " ").replace("º", " "))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def decode(content: bytes) -> str:
    """Text of a CSV file: UTF-16 with a BOM, UTF-8 (with or without BOM) if valid, else Windows-1252."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's « texte Unicode »
        return content.decode("utf-16")
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
    return str(value).replace("\u00a0", " ").strip()


def _delimiter(text: str) -> str:
    """The separator of a CSV text: the one found most often per line over its first lines."""
    lines = [line for line in text.splitlines()[:30] if line.strip()]

    def weight(sep: str) -> int:
        counts = sorted(line.count(sep) for line in lines)
        return counts[len(counts) // 2] if counts else 0  # the median resists a title line

    best = max((";", "\t", ",", "|"), key=weight)
    return best if weight(best) else ";"


def read_lines(filename: str, content: bytes) -> list[list[str]]:
    """Every line of a CSV or XLSX file (first non-empty sheet) as stripped text cells.

    Line ``n`` of the result is line ``n + 1`` of the spreadsheet: blank lines are kept so that
    reports can name lines as the landlord sees them; trailing empty cells are dropped.
    """
    if filename.lower().endswith((".xlsx", ".xlsm")) or content.startswith(XLSX_MAGIC):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise TableError(f"Classeur XLSX illisible : {exc}") from exc
        lines: list[list[str]] = []
        for sheet in book.worksheets:
            lines = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            if any(any(c for c in line) for line in lines):
                break
        book.close()
    else:
        if content.startswith(b"\xd0\xcf\x11\xe0"):
            raise TableError(
                "Format XLS (Excel 97-2003) non pris en charge : enregistrez le fichier en XLSX ou en CSV."
            )
        if b"\x00" in content[:1000] and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise TableError("Ce fichier n'est ni un CSV ni un classeur XLSX.")
        text = decode(content)
        try:
            lines = [
                [c.replace("\u00a0", " ").strip() for c in row]
                for row in csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
            ]
        except csv.Error as exc:
            raise TableError(f"CSV illisible : {exc}") from exc
    for line in lines:
        while line and not line[-1]:
            line.pop()
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        raise TableError("Le fichier est vide.")
    return lines


_DATE = re.compile(
    r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})(?:[ T]\d{1,2}[:h]\d{2}(?::\d{2})?)?$"
)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_SERIAL = re.compile(r"^(\d{5})(?:[.,]\d+)?$")
_WORDS = re.compile(r"^(\d{1,2})(?:er)?\s+([a-zé]+)\.?\s+(\d{4})$")
_MONTHS = {
    "janvier": 1,
    "janv": 1,
    "jan": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}


def parse_date(text: str) -> date:
    """A French date (``03/04/1999``, ``3-4-99``, ``3 avril 1999``), an ISO one or an Excel serial.

    Two-digit years up to this year's are read in this century, the others in the last one.
    Raises ValueError with a French message.
    """
    text = text.strip()
    try:
        m = _DATE.match(text)
        if m:
            day, month, year = (int(g) for g in m.groups())
            if year < 100:
                year += 2000 if year <= date.today().year % 100 else 1900
            return date(year, month, day)
        iso = _ISO.match(text)
        if iso:
            return date(*(int(g) for g in iso.groups()))
        serial = _SERIAL.match(text)
        if serial:  # a date cell Excel lost the format of: days since 30/12/1899
            return EXCEL_EPOCH + timedelta(days=int(serial.group(1)))
        words = _WORDS.match(normalise(text).replace(" er ", "er "))
        if words and words.group(2) in _MONTHS:
            return date(int(words.group(3)), _MONTHS[words.group(2)], int(words.group(1)))
    except ValueError:
        raise ValueError(f"date impossible « {text} »") from None
    raise ValueError(f"date attendue au format jj/mm/aaaa, lu « {text} »")


_NUMBER_NOISE = re.compile(r"[\s\u00a0\u202f'€$]|m²|m2|eur(?:os?)?\b|%", re.IGNORECASE)


def parse_decimal(text: str) -> float:
    """A French decimal (``1 234,50``, ``1.234,50``, ``45,5 m²``, ``520 €``, ``520 EUR``).

    Raises ValueError with a French message.
    """
    cleaned = _NUMBER_NOISE.sub("", text)
    if "," in cleaned and "." in cleaned:
        # Both separators: the last one is the decimal mark, the other groups thousands.
        thousands = "." if cleaned.rfind(",") > cleaned.rfind(".") else ","
        cleaned = cleaned.replace(thousands, "")
    cleaned = cleaned.replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        raise ValueError(f"nombre attendu (virgule décimale), lu « {text} »") from None


def parse_amount(text: str) -> float:
    """A non-negative amount of money (``1 240,50 €``)."""
    value = parse_decimal(text)
    if value < 0:
        raise ValueError(f"montant positif attendu, lu « {text} »")
    return value


def parse_int(text: str) -> int:
    """A whole number (``RDC`` is floor 0, ``1er`` is 1)."""
    key = normalise(text)
    if key in ("rdc", "rez de chaussee", "rc"):
        return 0
    ordinal = re.fullmatch(r"(-?\d+)\s*(?:er|ère|ere|e|ème|eme)?(?:\s*étage|\s*etage)?", text.strip().lower())
    if ordinal:
        return int(ordinal.group(1))
    value = parse_decimal(text)
    if not value.is_integer():
        raise ValueError(f"nombre entier attendu, lu « {text} »")
    return int(value)


_TRUE = {"oui", "o", "vrai", "v", "1", "x", "yes", "y", "true"}
_FALSE = {"non", "n", "faux", "f", "0", "no", "false"}


def parse_bool(text: str) -> bool:
    """Oui/non (and common variants: O/N, vrai/faux, X, 1/0)."""
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


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, dict | list):
        return str(value)
    if hasattr(value, "value") and not isinstance(value, date | bool):
        return value.value
    return value


def write_xlsx(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    notes: dict[int, str] | None = None,
    title: str = "Données",
) -> bytes:
    """An XLSX workbook; with ``notes`` (row index → text), an « Erreurs » column highlights bad rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    book = Workbook(write_only=True)  # streamed: exports of 100,000 rows stay fast and small in memory
    sheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    bold, red = Font(bold=True), PatternFill("solid", fgColor="FFC7CE")

    def styled(value: Any, **style: Any) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        for name, v in style.items():
            setattr(cell, name, v)
        return cell

    sheet.append([styled(h, font=bold) for h in ([*headers, "Erreurs"] if notes is not None else headers)])
    for index, row in enumerate(rows):
        values = [_xlsx_value(v) for v in row]
        if notes is not None:
            values.append(notes.get(index, ""))
        if notes and index in notes:
            sheet.append([styled(v, fill=red) for v in values])
        else:
            sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

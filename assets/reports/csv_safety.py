"""Turning values into CSV cells that Excel and Google Sheets show as data and never run as formulas.

Following OWASP's CSV-injection guidance:

* a text cell beginning with `=`, `+`, `-`, `@`, tab or carriage return (and NUL, which ASVS adds) is prefixed
  with a single quote `'`, so the spreadsheet shows it as text;
* every text cell is wrapped in double quotes and its double quotes are doubled (`SpreadsheetDialect`), so a
  comma or quote inside customer-supplied text can never start a new cell;
* a spreadsheet set to split on `;` (the list separator of many European locales) ignores our commas and
  loses track of the quoting, so it starts a cell after any `;` or line break; inside text, such a trigger
  character right after a `;` or line break (and any double quotes that follow it) is prefixed with `'` too.

Numbers are not text: integer and decimal values we compute (counts, amounts) are written bare, so a negative
count stays a number. Only text is neutralised, so text that merely looks like a negative number (`-5` in a
name or id column) gets the quote like any other text starting with `-`.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from decimal import Decimal

FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\0")
_TRIGGER = "[" + re.escape("".join(FORMULA_TRIGGERS)) + "]"
_TRIGGER_AFTER_BREAK = re.compile(rf'([;\r\n]"*)(?={_TRIGGER})')


def neutralise_cell(value: str) -> str:
    """`value` with a `'` before every formula trigger that could begin a cell in a spreadsheet."""
    value = _TRIGGER_AFTER_BREAK.sub(r"\1'", value)
    return f"'{value}" if value.startswith(FORMULA_TRIGGERS) else value


def spreadsheet_cell(value: object) -> str | int | float | Decimal:
    """The CSV cell for `value`: numbers as numbers, ISO dates, yes/no, blank for null, neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise_cell(str(value))


class SpreadsheetDialect(csv.Dialect):
    """RFC 4180 CSV as spreadsheets read it: comma separated, CRLF line ends, every text cell quoted."""

    delimiter = ","
    quotechar = '"'
    doublequote = True
    escapechar = None
    lineterminator = "\r\n"
    quoting = csv.QUOTE_NONNUMERIC
    skipinitialspace = False
    strict = True

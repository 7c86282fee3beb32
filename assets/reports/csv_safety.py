"""Turning values into CSV cells that Excel and Google Sheets show as data and never run as formulas.

Following OWASP's CSV-injection guidance:

* a text cell beginning with `=`, `+`, `-`, `@`, tab or carriage return (and NUL, which ASVS adds) is prefixed
  with a single quote `'`, so the spreadsheet shows it as text;
* every text cell is wrapped in double quotes and its double quotes are doubled (`write_spreadsheet_csv`), so a
  comma or quote inside customer-supplied text can never start a new cell;
* a spreadsheet set to split on `;` (the list separator of many European locales) ignores our commas and
  loses track of the quoting, so it starts a cell after any `;` or line break; inside text, such a trigger
  character right after a `;` or line break (and any double quotes that follow it) is prefixed with `'` too.

Numbers are not text: integer and decimal values we compute (counts, amounts) are written bare, so a negative
count stays a number, and a missing number is an empty cell. Only text is neutralised, so text that merely looks
like a negative number (`-5` in a name or id column) gets the quote like any other text starting with `-`.

The cells of a whole table are made at once by polars expressions, and polars writes the file.
"""

from __future__ import annotations

from typing import IO

import polars as pl

FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\0")
CELL_BREAKS: tuple[str, ...] = (";", "\r", "\n")  # where a spreadsheet splitting on `;` may start a cell


def _one_of(characters: tuple[str, ...]) -> str:
    """A regular expression class matching any of `characters`."""
    return "[" + "".join(f"\\x{ord(character):02x}" for character in characters) + "]"


_TRIGGER = _one_of(FORMULA_TRIGGERS)
_TRIGGER_AFTER_BREAK = f'({_one_of(CELL_BREAKS)}"*)({_TRIGGER})'
_STARTS_WITH_TRIGGER = f"^{_TRIGGER}"
_TEXT_TYPES = (pl.String, pl.Categorical, pl.Enum, pl.Null)  # Null: a column of nothing but missing values


def neutralised(text: pl.Expr) -> pl.Expr:
    """`text` with a `'` before every formula trigger that could begin a cell in a spreadsheet."""
    # Two passes: a carriage return is both a break and a trigger, and one pass consumes it as the trigger of the
    # break before it; a third could find nothing more, each break then being followed by a quote.
    after_breaks = text.str.replace_all(_TRIGGER_AFTER_BREAK, "${1}'${2}").str.replace_all(
        _TRIGGER_AFTER_BREAK, "${1}'${2}"
    )
    return pl.when(after_breaks.str.contains(_STARTS_WITH_TRIGGER)).then("'" + after_breaks).otherwise(after_breaks)


def neutralise_cell(value: str) -> str:
    """One text cell neutralised (`neutralised`)."""
    return pl.select(neutralised(pl.lit(value, dtype=pl.String))).item()


def spreadsheet_cells(table: pl.DataFrame) -> pl.DataFrame:
    """`table`'s columns as CSV cells: numbers as numbers, ISO dates, yes/no, blank for missing text, neutralised
    text; TypeError for a column of another type."""
    return table.select(_cells(name, dtype).alias(name) for name, dtype in table.schema.items())


def _cells(name: str, dtype: pl.DataType) -> pl.Expr:
    """The expression making column `name`, of type `dtype`, into its cells."""
    column = pl.col(name)
    if dtype.is_numeric():
        return column
    if dtype == pl.Boolean:
        return pl.when(column).then(pl.lit("yes")).when(column.not_()).then(pl.lit("no")).otherwise(pl.lit(""))
    if dtype == pl.Date:
        return column.dt.strftime("%Y-%m-%d").fill_null("")
    if isinstance(dtype, _TEXT_TYPES):
        return neutralised(column.cast(pl.String)).fill_null("")
    raise TypeError(f"column {name!r} of type {dtype} has no spreadsheet cell")


def write_spreadsheet_csv(handle: IO[bytes], table: pl.DataFrame) -> None:
    """Write `table` to `handle` as RFC 4180 CSV as spreadsheets read it: UTF-8 with a byte-order mark, comma
    separated, CRLF line ends, every text cell quoted with its quotes doubled, its cells made by `spreadsheet_cells`."""
    cells = spreadsheet_cells(table)
    handle.write("\ufeff".encode())
    cells.write_csv(handle, quote_style="non_numeric", line_terminator="\r\n", null_value="")

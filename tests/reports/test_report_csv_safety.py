"""Cells that spreadsheets show as data: OWASP CSV-injection neutralisation and value formatting."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from assets.reports.csv_safety import FORMULA_TRIGGERS, SpreadsheetDialect, neutralise_cell, spreadsheet_cell


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://x","click")',
        "@SUM(1+1)",
        "-2+3",
        "+1",
        "=cmd|' /C calc'!A0",
        "\t=1+2",
        "\rAcme",
        "\0=1+2",
    ],
)
def test_text_starting_with_a_formula_trigger_gets_a_quote_prefix(text):
    assert neutralise_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Zürich GmbH", "株式会社テスト", "A-S00012345", "a=b", "", "'=already"])
def test_other_text_is_left_alone(text):
    assert neutralise_cell(text) == text


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("ok;=1+2", "ok;'=1+2"),
        ('ok;""@SUM(1+1)', 'ok;""\'@SUM(1+1)'),
        ("line one\n-2+3", "line one\n'-2+3"),
        ("line one\r\n+1", "line one\r\n'+1"),
        ('=1+2";=1+2', "'=1+2\";'=1+2"),
        ("\r=1+2", "'\r'=1+2"),
    ],
)
def test_a_trigger_after_a_semicolon_or_line_break_is_neutralised_too(text, safe):
    assert neutralise_cell(text) == safe


@pytest.mark.parametrize("text", ['{"delta":-5,"seats":[-1,-2]}', "Acme; -Corp", "a,=b"])
def test_commas_and_spaced_text_are_not_altered(text):
    assert neutralise_cell(text) == text


def test_every_trigger_the_guidance_names_is_covered():
    assert set(FORMULA_TRIGGERS) >= {"=", "+", "-", "@", "\t", "\r"}


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (None, ""),
        (True, "yes"),
        (False, "no"),
        (-5, -5),
        (Decimal("-12.50"), Decimal("-12.50")),
        (dt.date(2024, 5, 2), "2024-05-02"),
        ("-5", "'-5"),
        ("=1+2", "'=1+2"),
    ],
)
def test_values_become_cells(value, cell):
    assert spreadsheet_cell(value) == cell


def write_row(*values):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, dialect=SpreadsheetDialect).writerow([spreadsheet_cell(v) for v in values])
    return buffer.getvalue()


def test_numbers_are_bare_and_text_is_quoted_with_doubled_quotes():
    assert write_row(-5, "-5", 'say "hi"', None) == '-5,"\'-5","say ""hi""",""\r\n'


@pytest.mark.parametrize("payload", ['=1+2";=1+2', "=1+2'\" ;,=1+2", "ok,=1+2", "ok;@SUM(1+1)", "ok\n-2+3"])
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_separators_and_quotes_cannot_start_a_dangerous_cell(payload, delimiter):
    line = write_row("Acme", payload, 3)
    cells = [cell for row in csv.reader(io.StringIO(line, newline=""), delimiter=delimiter) for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_TRIGGERS)]

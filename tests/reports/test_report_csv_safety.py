"""Cells that spreadsheets show as data: OWASP CSV-injection neutralisation and value formatting."""

import csv
import datetime as dt
import io
import random
import re
from decimal import Decimal

import polars as pl
import pytest

from assets.reports.csv_safety import (
    CELL_BREAKS,
    FORMULA_TRIGGERS,
    neutralise_cell,
    spreadsheet_cells,
    write_spreadsheet_csv,
)


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


def _reference_neutralised(text: str) -> str:
    """The guidance read literally, one cell at a time: a quote after every break (and its quotes) that a trigger
    follows, then before a leading trigger."""
    breaks = "".join(re.escape(c) for c in CELL_BREAKS)
    triggers = "".join(re.escape(c) for c in FORMULA_TRIGGERS)
    text = re.sub(rf'([{breaks}]"*)(?=[{triggers}])', r"\1'", text)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def test_the_whole_column_is_neutralised_as_each_cell_would_be_alone():
    alphabet = [*FORMULA_TRIGGERS, *CELL_BREAKS, '"', "'", "a", " ", ","]
    rng = random.Random(20261207)
    texts = ["".join(rng.choices(alphabet, k=rng.randint(0, 12))) for _ in range(5000)]
    texts += ["\r" * n + "=" for n in range(1, 8)] + [";" + '"\r' * n + "-" for n in range(1, 8)]

    cells = spreadsheet_cells(pl.DataFrame({"text": texts}))["text"].to_list()

    assert cells == [_reference_neutralised(text) for text in texts]


@pytest.mark.parametrize(
    ("value", "dtype", "cell"),
    [
        (None, pl.String, ""),
        (True, pl.Boolean, "yes"),
        (False, pl.Boolean, "no"),
        (None, pl.Boolean, ""),
        (-5, pl.Int64, -5),
        (None, pl.Int64, None),
        (Decimal("-12.50"), pl.Decimal(10, 2), Decimal("-12.50")),
        (dt.date(2024, 5, 2), pl.Date, "2024-05-02"),
        (None, pl.Date, ""),
        ("-5", pl.String, "'-5"),
        ("=1+2", pl.Categorical, "'=1+2"),
    ],
)
def test_values_become_cells(value, dtype, cell):
    assert spreadsheet_cells(pl.DataFrame({"v": [value]}, schema={"v": dtype}))["v"].to_list() == [cell]


def test_a_column_of_another_type_is_refused_by_name():
    with pytest.raises(TypeError, match="'seats'"):
        spreadsheet_cells(pl.DataFrame({"seats": [[1, 2]]}))


def write_row(**columns):
    buffer = io.BytesIO()
    series = [v.alias(name) if isinstance(v, pl.Series) else pl.Series(name, [v]) for name, v in columns.items()]
    write_spreadsheet_csv(buffer, pl.DataFrame(series))
    return buffer.getvalue().decode("utf-8")


def test_numbers_are_bare_text_is_quoted_with_doubled_quotes_and_the_file_starts_with_a_bom():
    line = write_row(count=-5, code="-5", quote='say "hi"', name=None, missing=pl.Series([None], dtype=pl.Int64))
    assert line == '\ufeff"count","code","quote","name","missing"\r\n-5,"\'-5","say ""hi""","",\r\n'


@pytest.mark.parametrize("payload", ['=1+2";=1+2', "=1+2'\" ;,=1+2", "ok,=1+2", "ok;@SUM(1+1)", "ok\n-2+3"])
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_separators_and_quotes_cannot_start_a_dangerous_cell(payload, delimiter):
    line = write_row(name="Acme", payload=payload, seats=3).removeprefix("\ufeff")
    cells = [cell for row in csv.reader(io.StringIO(line, newline=""), delimiter=delimiter) for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_TRIGGERS)]

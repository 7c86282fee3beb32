"""Raw-data validation with great-expectations, built from the source declarations."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import cache
from typing import Any

import duckdb

from checks.sql_files import sql
from connectors.schema import FieldType, SourceObject

EARLIEST_DATE = dt.datetime(1990, 1, 1)
LATEST_DATE = dt.datetime(2100, 12, 31)
IN_SET = "expect_column_values_to_be_in_set"
BETWEEN = "expect_column_values_to_be_between"


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's result on one column."""

    expectation: str
    column: str
    success: bool
    unexpected_count: int
    examples: tuple[Any, ...]


@dataclass(frozen=True)
class RowFailure:
    """One raw row that fails one row expectation: the row's key and the offending value."""

    expectation: str
    column: str
    record_key: str | None
    value: str


@dataclass(frozen=True)
class RowExpectation:
    """One declared row expectation: great-expectations' name for it, its column and its arguments."""

    expectation: str
    column: str
    arguments: tuple[tuple[str, Any], ...] = ()


def expectations_for(obj: SourceObject) -> list[RowExpectation]:
    """The row-by-row expectations of `obj`: enums, non-negative numbers, plausible dates.

    Declared without great-expectations, so that a night that changed no row never imports it. The key's presence
    and uniqueness need the whole column at once, so `key_outcomes` checks them in SQL instead of copying every row
    into pandas.
    """
    found: list[RowExpectation] = []
    for field in obj.fields:
        if field.allowed:
            found.append(RowExpectation(IN_SET, field.name, (("value_set", list(field.allowed)),)))
        if field.non_negative:
            found.append(RowExpectation(BETWEEN, field.name, (("min_value", 0),)))
        if field.type in (FieldType.DATE, FieldType.DATETIME):
            plausible = (("min_value", EARLIEST_DATE), ("max_value", LATEST_DATE))
            found.append(RowExpectation(BETWEEN, field.name, plausible))
    return found


def _as_validation_frame(obj: SourceObject, frame: Any) -> Any:
    """The pandas frame great-expectations reads: dates as naive timestamps, amounts as floats."""
    import pandas as pd

    data = frame.to_pandas()
    for field in obj.fields:
        if field.type in (FieldType.DATE, FieldType.DATETIME):
            data[field.name] = pd.to_datetime(data[field.name], utc=True).dt.tz_localize(None)
        elif field.type is FieldType.MONEY:
            data[field.name] = data[field.name].astype("float64")
    return data


@cache
def _datasource() -> Any:
    """One ephemeral great-expectations context and pandas datasource per process."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context.data_sources.add_pandas("raw")


def _forget_batches() -> None:
    """Drop the frames great-expectations' execution engine keeps of every batch it loaded (one per table else,
    each up to a chunk: the memory a night kept after its checks)."""
    batches = _datasource().get_execution_engine().batch_manager
    batches.batch_data_cache.clear()
    batches.reset_batch_cache()


def prepare_great_expectations() -> None:
    """Import great-expectations and build its context, as the first validation in a process would."""
    _batch_definition()


@cache
def _batch_definition() -> Any:
    """The one whole-dataframe batch definition every raw table's rows are validated through (each table's suite
    says what to expect of them; an asset per table would cost great-expectations' setup nineteen times)."""
    return _datasource().add_dataframe_asset("raw_rows").add_batch_definition_whole_dataframe("rows")


@cache
def _suite(obj: SourceObject) -> Any:
    """The expectation suite of `obj`."""
    import great_expectations as gx

    classes = {
        IN_SET: gx.expectations.ExpectColumnValuesToBeInSet,
        BETWEEN: gx.expectations.ExpectColumnValuesToBeBetween,
    }
    suite = gx.ExpectationSuite(name=f"{obj.table}_expectations")
    for declared in expectations_for(obj):
        suite.add_expectation(classes[declared.expectation](column=declared.column, **dict(declared.arguments)))
    return suite


def table_names(obj: SourceObject) -> dict[str, str]:
    """The names the raw-table statements of `checks/sql/` are formatted with: `obj`'s raw table and its quoted key
    column."""
    return {"table": obj.table, "key": f'"{obj.key}"'}


def key_outcomes(con: duckdb.DuckDBPyConnection, obj: SourceObject) -> list[ExpectationOutcome]:
    """The key of `obj`'s raw table present and unique, counted in DuckDB."""
    statement = sql("raw_key_integrity").format(**table_names(obj))
    ((missing, repeated, examples),) = con.execute(statement).fetchall()
    return [
        ExpectationOutcome("expect_column_values_to_not_be_null", obj.key, missing == 0, missing, ()),
        ExpectationOutcome("expect_column_values_to_be_unique", obj.key, repeated == 0, repeated, tuple(examples)),
    ]


def frame_failures(obj: SourceObject, frame: Any) -> list[RowFailure]:
    """The rows of one pyarrow batch or table of `obj`'s raw rows that fail a row expectation, one per failure.

    The suite runs first for its verdicts alone (about half the cost of listing every failing row); only the
    expectations that failed run again for their rows, which most chunks of a night that changed few rows never need.
    """
    import great_expectations as gx

    batch = _batch_definition().get_batch(batch_parameters={"dataframe": _as_validation_frame(obj, frame)})
    try:
        verdicts = batch.validate(_suite(obj), result_format={"result_format": "BOOLEAN_ONLY"}).results
        failed = [verdict.expectation_config for verdict in verdicts if not verdict.success]
        if not failed:
            return []
        again = gx.ExpectationSuite(name=f"{obj.table}_failed", expectations=failed)
        results = batch.validate(again, result_format=_keyed_result_format(obj.key)).results
    finally:
        _forget_batches()
    failures = []
    for result in results:
        config = result.expectation_config
        column = config.kwargs.get("column", "")
        for row in result.result.get("unexpected_index_list") or []:
            key = row.get(obj.key)
            failures.append(RowFailure(config.type, column, None if _missing(key) else str(key), str(row.get(column))))
    return failures


def _keyed_result_format(key: str) -> dict[str, Any]:
    """Every unexpected row with its key and value, rather than a sample of values."""
    return {"result_format": "COMPLETE", "unexpected_index_column_names": [key]}


def _missing(value: Any) -> bool:
    """Whether a key read back from pandas is null (None, NaN or NaT)."""
    import pandas as pd

    return bool(pd.isna(value))

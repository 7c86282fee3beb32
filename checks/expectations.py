"""Raw-data validation with great-expectations, built from the source declarations."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from connectors.schema import FieldType, SourceObject

EARLIEST_DATE = dt.datetime(1990, 1, 1)
LATEST_DATE = dt.datetime(2100, 12, 31)
# Rows handed to great-expectations at a time: memory stays flat whatever the table's size.
VALIDATION_CHUNK_ROWS = 50_000
EXAMPLES_SHOWN = 5
KEY_INTEGRITY_PATH = Path(__file__).parent / "raw_key_integrity.sql"


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's result on one column."""

    expectation: str
    column: str
    success: bool
    unexpected_count: int
    examples: tuple[Any, ...]


def expectations_for(obj: SourceObject) -> list[Any]:
    """The row-by-row expectations of `obj`: enums, non-negative numbers, plausible dates.

    The key's presence and uniqueness need the whole column at once, so `key_outcomes` checks them in SQL
    instead of copying every row into pandas.
    """
    import great_expectations as gx

    found: list[Any] = []
    for field in obj.fields:
        if field.allowed:
            found.append(gx.expectations.ExpectColumnValuesToBeInSet(column=field.name, value_set=list(field.allowed)))
        if field.non_negative:
            found.append(gx.expectations.ExpectColumnValuesToBeBetween(column=field.name, min_value=0))
        if field.type in (FieldType.DATE, FieldType.DATETIME):
            found.append(
                gx.expectations.ExpectColumnValuesToBeBetween(
                    column=field.name, min_value=EARLIEST_DATE, max_value=LATEST_DATE
                )
            )
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


@cache
def _batch_definition(table: str) -> Any:
    """The whole-dataframe batch definition of one raw table."""
    return _datasource().add_dataframe_asset(table).add_batch_definition_whole_dataframe("snapshot")


@cache
def _suite(obj: SourceObject) -> Any:
    """The expectation suite of `obj`."""
    import great_expectations as gx

    suite = gx.ExpectationSuite(name=f"{obj.table}_expectations")
    for expectation in expectations_for(obj):
        suite.add_expectation(expectation)
    return suite


def key_outcomes(con: duckdb.DuckDBPyConnection, obj: SourceObject) -> list[ExpectationOutcome]:
    """The key of `obj`'s raw table present and unique, counted in DuckDB."""
    sql = KEY_INTEGRITY_PATH.read_text(encoding="utf-8").format(table=obj.table, key=f'"{obj.key}"')
    ((missing, repeated, examples),) = con.execute(sql).fetchall()
    return [
        ExpectationOutcome("expect_column_values_to_not_be_null", obj.key, missing == 0, missing, ()),
        ExpectationOutcome("expect_column_values_to_be_unique", obj.key, repeated == 0, repeated, tuple(examples)),
    ]


def validate_table(
    con: duckdb.DuckDBPyConnection, obj: SourceObject, chunk_rows: int = VALIDATION_CHUNK_ROWS
) -> list[ExpectationOutcome]:
    """Every expectation of `obj`'s raw table: the key in SQL, the rest with great-expectations chunk by chunk."""
    outcomes = {(o.expectation, o.column): o for o in _all_met(obj)}
    for batch in con.sql(f"SELECT * FROM {obj.table}").to_arrow_reader(chunk_rows):
        for outcome in validate_frame(obj, batch):
            key = (outcome.expectation, outcome.column)
            outcomes[key] = _combined(outcomes[key], outcome)
    return key_outcomes(con, obj) + list(outcomes.values())


def _all_met(obj: SourceObject) -> list[ExpectationOutcome]:
    """The row expectations of `obj` as met, before any row is seen."""
    return [ExpectationOutcome(e.expectation_type, e.column, True, 0, ()) for e in expectations_for(obj)]


def _combined(seen: ExpectationOutcome, chunk: ExpectationOutcome) -> ExpectationOutcome:
    """One expectation's outcome over the chunks seen so far and one more."""
    return dataclasses.replace(
        seen,
        success=seen.success and chunk.success,
        unexpected_count=seen.unexpected_count + chunk.unexpected_count,
        examples=(seen.examples + chunk.examples)[:EXAMPLES_SHOWN],
    )


def validate_frame(obj: SourceObject, frame: Any) -> list[ExpectationOutcome]:
    """Validate one pyarrow batch or table of `obj`'s raw rows against its row expectations."""
    batch = _batch_definition(obj.table).get_batch(batch_parameters={"dataframe": _as_validation_frame(obj, frame)})
    try:
        results = batch.validate(_suite(obj)).results
    finally:
        _forget_batches()
    outcomes = []
    for result in results:
        config = result.expectation_config
        outcomes.append(
            ExpectationOutcome(
                expectation=config.type,
                column=config.kwargs.get("column", ""),
                success=bool(result.success),
                unexpected_count=int(result.result.get("unexpected_count") or 0),
                examples=tuple(str(v) for v in (result.result.get("partial_unexpected_list") or [])[:EXAMPLES_SHOWN]),
            )
        )
    return outcomes

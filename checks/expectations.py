"""Raw-data validation with great-expectations, built from the source declarations."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import cache
from typing import Any

from connectors.schema import FieldType, SourceObject

EARLIEST_DATE = dt.datetime(1990, 1, 1)
LATEST_DATE = dt.datetime(2100, 12, 31)


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's result on one column."""

    expectation: str
    column: str
    success: bool
    unexpected_count: int
    examples: tuple[Any, ...]


def expectations_for(obj: SourceObject) -> list[Any]:
    """The expectations of `obj`: key present and unique, enums, non-negative numbers, plausible dates."""
    import great_expectations as gx

    found: list[Any] = [
        gx.expectations.ExpectColumnValuesToNotBeNull(column=obj.key),
        gx.expectations.ExpectColumnValuesToBeUnique(column=obj.key),
    ]
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


def validate_frame(obj: SourceObject, frame: Any) -> list[ExpectationOutcome]:
    """Validate a pyarrow table of `obj`'s raw rows; one outcome per expectation."""
    batch = _batch_definition(obj.table).get_batch(batch_parameters={"dataframe": _as_validation_frame(obj, frame)})
    outcomes = []
    for result in batch.validate(_suite(obj)).results:
        config = result.expectation_config
        outcomes.append(
            ExpectationOutcome(
                expectation=config.type,
                column=config.kwargs.get("column", ""),
                success=bool(result.success),
                unexpected_count=int(result.result.get("unexpected_count") or 0),
                examples=tuple(str(v) for v in (result.result.get("partial_unexpected_list") or [])[:5]),
            )
        )
    return outcomes

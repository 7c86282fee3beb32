"""The polars type of each declared field type: how records of a source object become a typed frame."""

from __future__ import annotations

import polars as pl

from connectors.schema import FieldType

POLARS_TYPES = {
    FieldType.STRING: pl.String,
    FieldType.INTEGER: pl.Int64,
    FieldType.MONEY: pl.Decimal(18, 2),
    FieldType.BOOLEAN: pl.Boolean,
    FieldType.DATE: pl.Date,
    FieldType.DATETIME: pl.Datetime("us", "UTC"),
}

"""The ZOQL subset of Zuora's action query: `select f1, f2 from Object [where …]`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.schema import Field
from sandbox.servers.filters import coerce_literal
from sandbox.servers.query import Condition, Literal, MalformedQuery, TokenStream, parse_condition


@dataclass(frozen=True)
class ZoqlQuery:
    """A parsed ZOQL query: the selected fields, the object and the optional filter."""

    fields: tuple[str, ...]
    object: str
    where: Condition | None


def parse_zoql(text: str) -> ZoqlQuery:
    """Parse a ZOQL query; raises MalformedQuery."""
    stream = TokenStream(text)
    stream.expect("select")
    fields = stream.names()
    stream.expect("from")
    obj = stream.name()
    where = parse_condition(stream) if stream.keyword("where") else None
    stream.end()
    return ZoqlQuery(fields, obj, where)


def bind_zoql(field: Field | None, literal: Literal) -> Any:
    """A ZOQL literal read as `field`'s type; dates and datetimes are quoted strings in ZOQL."""
    if literal.kind in ("date", "datetime"):
        raise MalformedQuery(f"dates are quoted in ZOQL: '{literal.text}'")
    return coerce_literal(field, literal)

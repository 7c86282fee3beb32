"""The SOQL subset the sandbox serves: `SELECT f1, f2 | COUNT() FROM Obj [WHERE …] [ORDER BY f] [LIMIT n]`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.schema import Field, FieldType
from sandbox.servers.filters import coerce_literal
from sandbox.servers.query import (
    Condition,
    InvalidValue,
    Literal,
    MalformedQuery,
    TokenStream,
    parse_condition,
)

_LITERAL_KIND = {
    FieldType.STRING: ("string", "string"),
    FieldType.INTEGER: ("number", "int"),
    FieldType.MONEY: ("number", "currency"),
    FieldType.BOOLEAN: ("boolean", "boolean"),
    FieldType.DATE: ("date", "date"),
    FieldType.DATETIME: ("datetime", "dateTime"),
}


@dataclass(frozen=True)
class SoqlQuery:
    """A parsed SOQL query; no fields means `SELECT COUNT()`."""

    fields: tuple[str, ...]
    object: str
    where: Condition | None = None
    order_by: str | None = None
    descending: bool = False
    limit: int | None = None

    @property
    def count(self) -> bool:
        """Whether the query is `SELECT COUNT()`."""
        return not self.fields


def parse_soql(text: str) -> SoqlQuery:
    """Parse a SOQL query; raises MalformedQuery."""
    stream = TokenStream(text)
    stream.expect("select")
    if stream.keyword("count"):
        if not (stream.punct("(") and stream.punct(")")):
            raise MalformedQuery("only COUNT() is supported")
        fields: tuple[str, ...] = ()
    else:
        fields = stream.names()
    stream.expect("from")
    obj = stream.name()
    where = parse_condition(stream) if stream.keyword("where") else None
    order_by, descending = None, False
    if stream.keyword("order", "by"):
        order_by = stream.name()
        descending = stream.keyword("desc")
        stream.keyword("asc")
    limit = _limit(stream) if stream.keyword("limit") else None
    stream.end()
    return SoqlQuery(fields, obj, where, order_by, descending, limit)


def bind_soql(field: Field | None, literal: Literal) -> Any:
    """A SOQL literal read as `field`'s type; its kind must match the type, as Salesforce demands."""
    if field is not None and literal.kind != "null":
        kind, type_name = _LITERAL_KIND[field.type]
        if literal.kind != kind:
            quoting = "should be" if kind == "string" else "should not be"
            raise InvalidValue(field.name, f"of type {type_name} and {quoting} enclosed in quotes")
    return coerce_literal(field, literal)


def _limit(stream: TokenStream) -> int:
    token = stream.take()
    if token.kind != "number" or not token.text.isdigit():
        raise MalformedQuery(f"LIMIT must be a non-negative integer, found {token.text}")
    return int(token.text)

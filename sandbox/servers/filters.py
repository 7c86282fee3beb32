"""Evaluating filter conditions against a table, comparing values as their declared types."""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from connectors.schema import CoercionError, Field, coerce_value
from sandbox.servers.query import Comparison, Condition, InvalidValue, Literal, UnknownField
from sandbox.servers.store import Table

Binder = Callable[[Field | None, Literal], Any]
"""Reads a literal as the value of a field (None for an extra field), or raises a QueryError."""

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_EXTRA_LITERALS: dict[str, Callable[[str], Any]] = {
    "number": Decimal,
    "boolean": lambda text: text == "true",
}


def resolve_fields(table: Table, names: tuple[str, ...]) -> tuple[str, ...]:
    """The fields `names` as the world spells them; raises UnknownField."""
    return tuple(_resolve(table, name) for name in names)


def coerce_literal(field: Field | None, literal: Literal) -> Any:
    """A literal read as `field`'s declared type (as itself for an extra field); raises InvalidValue."""
    if literal.kind == "null":
        return None
    if field is None:
        return _EXTRA_LITERALS.get(literal.kind, str)(literal.text)
    raw = literal.text == "true" if literal.kind == "boolean" else literal.text
    try:
        return coerce_value(field, raw)
    except CoercionError:
        raise InvalidValue(field.name, f"of type {field.type.name.lower()}") from None


def matching(table: Table, condition: Condition | None, bind: Binder) -> list[int]:
    """The indices of the records of `table` that satisfy `condition` (all of them when None)."""
    if condition is None:
        return list(range(len(table.records)))
    return [i for i, hit in enumerate(_mask(table, condition, bind)) if hit]


def _mask(table: Table, condition: Condition, bind: Binder) -> list[bool]:
    if isinstance(condition, Comparison):
        name = _resolve(table, condition.field)
        test = _test(name, condition.op, bind(table.declared(name), condition.literal))
        return [test(value) for value in table.column(name)]
    masks = [_mask(table, part, bind) for part in condition.parts]
    combine = all if condition.op == "and" else any
    return [combine(bits) for bits in zip(*masks, strict=True)]


def _resolve(table: Table, name: str) -> str:
    resolved = table.resolve(name)
    if resolved is None:
        raise UnknownField(table.obj.name, name)
    return resolved


def _test(name: str, op: str, literal: Any) -> Callable[[Any], bool]:
    if literal is None:
        if op not in ("=", "!="):
            raise InvalidValue(name, f"compared with {op} to a value, not null")
        return (lambda v: v is None) if op == "=" else (lambda v: v is not None)
    compare = _COMPARE[op]

    def test(value: Any) -> bool:
        if value is None:
            return op == "!="
        try:
            return compare(value, literal)
        except TypeError:
            return op == "!="

    return test

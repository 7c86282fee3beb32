"""ZOQL and SOQL parsing, literal binding and filter evaluation of the sandbox servers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from connectors.schema import source_object
from sandbox.servers.filters import coerce_literal, matching, resolve_fields
from sandbox.servers.query import (
    Comparison,
    InvalidValue,
    Junction,
    Literal,
    MalformedQuery,
    UnknownField,
)
from sandbox.servers.soql import bind_soql, parse_soql
from sandbox.servers.store import Table
from sandbox.servers.zoql import bind_zoql, parse_zoql

SUBSCRIPTION = source_object("zuora", "Subscription")
OPPORTUNITY = source_object("salesforce", "Opportunity")


def test_zoql_select_from_where_with_lower_case_keywords() -> None:
    query = parse_zoql("select Id, Name from Subscription where UpdatedDate >= '2026-11-26T00:00:00Z'")
    assert query.fields == ("Id", "Name")
    assert query.object == "Subscription"
    assert query.where == Comparison("UpdatedDate", ">=", Literal("string", "2026-11-26T00:00:00Z"))


def test_zoql_accepts_upper_case_keywords_and_no_where() -> None:
    query = parse_zoql("SELECT Id FROM Account")
    assert (query.fields, query.object, query.where) == (("Id",), "Account", None)


def test_and_binds_tighter_than_or_and_parentheses_group() -> None:
    where = parse_zoql("select Id from Account where A = 1 or B = 2 and C = 3").where
    assert isinstance(where, Junction) and where.op == "or"
    assert isinstance(where.parts[1], Junction) and where.parts[1].op == "and"
    grouped = parse_zoql("select Id from Account where (A = 1 or B = 2) and C = 3").where
    assert isinstance(grouped, Junction) and grouped.op == "and"
    assert isinstance(grouped.parts[0], Junction) and grouped.parts[0].op == "or"


def test_zoql_literals_numbers_null_booleans_and_escaped_quotes() -> None:
    where = parse_zoql(
        "select Id from Subscription where Version > -2.5 and Notes = null and AutoRenew = true "
        "and Name != 'O\\'Brien'"
    ).where
    assert isinstance(where, Junction)
    assert [part.literal for part in where.parts] == [  # type: ignore[union-attr]
        Literal("number", "-2.5"),
        Literal("null", "null"),
        Literal("boolean", "true"),
        Literal("string", "O'Brien"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "select * from Account",
        "select Id Account",
        "select Id from Account where",
        "select Id from Account where Id = 'x' limit",
        "select Id from Account where Id 'x'",
        "select Id from Account where (Id = 'x'",
        "select Id from Account where Id = 'unterminated",
        "select Id, from Account",
    ],
)
def test_malformed_zoql(text: str) -> None:
    with pytest.raises(MalformedQuery):
        parse_zoql(text)


def test_zoql_wants_dates_quoted() -> None:
    with pytest.raises(MalformedQuery):
        bind_zoql(SUBSCRIPTION.field("UpdatedDate"), Literal("datetime", "2026-11-26T00:00:00Z"))
    assert bind_zoql(
        SUBSCRIPTION.field("UpdatedDate"), Literal("string", "2026-11-26T00:00:00Z")
    ) == dt.datetime(2026, 11, 26, tzinfo=dt.UTC)


def test_soql_select_where_order_limit() -> None:
    query = parse_soql(
        "SELECT Id, Amount FROM Opportunity WHERE SystemModstamp >= 2026-11-26T00:00:00Z "
        "AND CloseDate < 2026-12-01 ORDER BY Amount DESC LIMIT 10"
    )
    assert query.fields == ("Id", "Amount")
    assert (query.order_by, query.descending, query.limit, query.count) == ("Amount", True, 10, False)
    assert isinstance(query.where, Junction)
    assert [p.literal.kind for p in query.where.parts] == ["datetime", "date"]  # type: ignore[union-attr]


def test_soql_count_and_not_equal_spellings() -> None:
    query = parse_soql("select count() from Account where Name <> 'x' and Type != null")
    assert query.count and query.fields == ()
    assert [p.op for p in query.where.parts] == ["!=", "!="]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text",
    ["SELECT COUNT(Id) FROM Account", "SELECT Id FROM Account LIMIT x", "SELECT Id FROM Account ORDER"],
)
def test_malformed_soql(text: str) -> None:
    with pytest.raises(MalformedQuery):
        parse_soql(text)


@pytest.mark.parametrize(
    ("field", "literal"),
    [
        ("SystemModstamp", Literal("string", "2026-11-26T00:00:00Z")),
        ("SystemModstamp", Literal("date", "2026-11-26")),
        ("CloseDate", Literal("string", "2026-11-26")),
        ("Amount", Literal("string", "10")),
        ("Name", Literal("number", "10")),
        ("IsDeleted", Literal("string", "true")),
    ],
)
def test_soql_literals_must_match_the_field_type(field: str, literal: Literal) -> None:
    with pytest.raises(InvalidValue):
        bind_soql(OPPORTUNITY.field(field), literal)


def test_soql_literals_read_as_the_field_type() -> None:
    assert bind_soql(OPPORTUNITY.field("Amount"), Literal("number", "10.5")) == Decimal("10.50")
    assert bind_soql(OPPORTUNITY.field("CloseDate"), Literal("date", "2026-11-26")) == dt.date(2026, 11, 26)
    assert bind_soql(OPPORTUNITY.field("IsDeleted"), Literal("boolean", "false")) is False
    stamp = bind_soql(
        OPPORTUNITY.field("SystemModstamp"), Literal("datetime", "2026-11-26T01:00:00.000+0100")
    )
    assert stamp == dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
    assert bind_soql(None, Literal("date", "2026-11-26")) == "2026-11-26"


def test_literal_for_an_extra_field_keeps_its_own_kind() -> None:
    assert coerce_literal(None, Literal("number", "3")) == 3
    assert coerce_literal(None, Literal("boolean", "true")) is True
    assert coerce_literal(None, Literal("string", "x")) == "x"


def _table() -> Table:
    return Table(
        SUBSCRIPTION,
        [
            {"Id": "a", "UpdatedDate": "2026-11-25T17:00:00.000-08:00", "Version": 2, "Region__x": "EU"},
            {"Id": "b", "UpdatedDate": "2026-11-25T15:59:59.000-08:00", "Version": 1, "Notes": "n"},
            {"Id": "c", "UpdatedDate": "not a date", "Version": 3},
            {"Id": "d", "Version": 1, "AutoRenew": True},
        ],
    )


def _ids(table: Table, zoql: str) -> list[str]:
    return [table.records[i]["Id"] for i in matching(table, parse_zoql(zoql).where, bind_zoql)]


def test_datetimes_compare_as_instants_across_offsets() -> None:
    table = _table()
    assert _ids(table, "select Id from Subscription where UpdatedDate >= '2026-11-26T00:00:00Z'") == ["a"]
    assert _ids(table, "select Id from Subscription where UpdatedDate < '2026-11-26T00:00:00Z'") == ["b"]
    assert _ids(table, "select Id from Subscription where UpdatedDate = '2026-11-26T01:00:00+00:00'") == ["a"]


def test_nulls_match_only_equality_with_null_and_inequalities() -> None:
    table = _table()
    assert _ids(table, "select Id from Subscription where Notes = null") == ["a", "c", "d"]
    assert _ids(table, "select Id from Subscription where Notes != null") == ["b"]
    assert _ids(table, "select Id from Subscription where Notes != 'n'") == ["a", "c", "d"]
    assert _ids(table, "select Id from Subscription where UpdatedDate = null") == ["c", "d"]
    with pytest.raises(InvalidValue):
        _ids(table, "select Id from Subscription where Notes > null")


def test_numbers_booleans_extra_fields_and_case_insensitive_names() -> None:
    table = _table()
    assert _ids(table, "select Id from Subscription where version >= 2 and (Id = 'a' or Id = 'c')") == [
        "a",
        "c",
    ]
    assert _ids(table, "select Id from Subscription where AutoRenew = true") == ["d"]
    assert _ids(table, "select Id from Subscription where region__x = 'EU'") == ["a"]
    assert resolve_fields(table, ("id", "REGION__X")) == ("Id", "Region__x")


def test_unknown_fields_and_unreadable_literals_are_refused() -> None:
    table = _table()
    with pytest.raises(UnknownField):
        _ids(table, "select Id from Subscription where Foo = 'x'")
    with pytest.raises(UnknownField):
        resolve_fields(table, ("Id", "Foo"))
    with pytest.raises(InvalidValue):
        _ids(table, "select Id from Subscription where UpdatedDate > 'yesterday'")

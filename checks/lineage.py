"""Lineage read from the SQL itself: the tables each staging file and each rule reads, the staging build order,
which rules depend on which raw tables, and which SQL reads the audit date."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from graphlib import TopologicalSorter
from pathlib import Path

import dagster as dg

from asset_keys import raw_asset_key, staging_asset_key
from checks.catalogue import RULES, Rule
from connectors.schema import SOURCE_OBJECTS, SourceObject

STAGING_DIR = Path(__file__).parent / "staging"
MACROS = "macros"
_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
_STRING = re.compile(r"'(?:[^']|'')*'")
# A schema-qualified table: raw_<system>.<object> or staging.<name>, quoted or not, and not a macro call.
_TABLE = re.compile(r'\b(raw_[a-z]+|staging)\s*\.\s*"?([A-Za-z_][A-Za-z0-9_]*)"?(?![\w"]|\s*\()', re.IGNORECASE)
# The audit date, as the SQL reads it from audit.params.
_AUDIT_DATE = re.compile(r"\bas_of\b", re.IGNORECASE)
_ROW_ID = re.compile(r"\browid\b", re.IGNORECASE)
_RAW_TABLES = {obj.table.lower(): obj for obj in SOURCE_OBJECTS}


def _code(sql: str) -> str:
    """`sql` without its comments, and with its string literals emptied."""
    return _STRING.sub("''", _COMMENT.sub(" ", sql))


def tables_named(sql: str) -> frozenset[str]:
    """The `raw_*.x` and `staging.y` tables `sql` names, lower-cased (comments, strings and macro calls ignored)."""
    return frozenset(f"{schema}.{name}".lower() for schema, name in _TABLE.findall(_code(sql)))


def reads_audit_date(sql: str) -> bool:
    """Whether `sql` itself reads the audit date (`as_of`; comments and strings ignored)."""
    return bool(_AUDIT_DATE.search(_code(sql)))


def reads_row_ids(sql: str) -> bool:
    """Whether `sql` reads a table's `rowid`s: where a table was rewritten, a checkpoint may have moved its rows
    since (comments and strings ignored)."""
    return bool(_ROW_ID.search(_code(sql)))


def raw_object(table: str) -> SourceObject:
    """The source object whose raw table is `table` (`raw_<system>.<object>`, any case)."""
    return _RAW_TABLES[table.lower()]


def staging_names() -> tuple[str, ...]:
    """The staging relations, one per file of `checks/staging/` (the macros aside), by name."""
    return tuple(sorted(path.stem for path in STAGING_DIR.glob("*.sql") if path.stem != MACROS))


@cache
def staging_sql(name: str) -> str:
    """The statements of `checks/staging/<name>.sql` (read once per process)."""
    return (STAGING_DIR / f"{name}.sql").read_text(encoding="utf-8")


@cache
def staging_direct_reads() -> dict[str, frozenset[str]]:
    """Per staging relation (by name), the raw and staging tables its SQL reads besides the one it builds."""
    reads = {}
    for name in staging_names():
        reads[name] = tables_named(staging_sql(name)) - {f"staging.{name}"}
    for name, tables in reads.items():
        unknown = {t for t in tables if t.startswith("staging.") and t.removeprefix("staging.") not in reads}
        unknown |= {t for t in tables if t.startswith("raw_") and t not in _RAW_TABLES}
        if unknown:
            raise ValueError(f"staging.{name} reads tables nothing builds: {sorted(unknown)}")
    return reads


def staging_build_order() -> tuple[str, ...]:
    """The staging relations in an order where each comes after every staging relation it reads."""
    graph = {
        name: sorted(t.removeprefix("staging.") for t in tables if t.startswith("staging."))
        for name, tables in staging_direct_reads().items()
    }
    sorter = TopologicalSorter(graph)
    sorter.prepare()
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order += ready
        sorter.done(*ready)
    return tuple(order)


def raw_tables_read(sql: str) -> frozenset[str]:
    """The raw tables a query reads, directly or through staging tables."""
    direct = staging_direct_reads()
    seen: set[str] = set()
    pending = list(tables_named(sql))
    while pending:
        table = pending.pop()
        if table not in seen:
            seen.add(table)
            pending += direct.get(table.removeprefix("staging."), ()) if table.startswith("staging.") else ()
    return frozenset(table for table in seen if not table.startswith("staging."))


@cache
def rule_lineage() -> dict[str, frozenset[str]]:
    """Per rule id, the raw tables (`raw_<system>.<object>`) its findings depend on."""
    return {rule.id: raw_tables_read(rule.sql) for rule in RULES}


def rules_reading(tables: Iterable[str]) -> tuple[str, ...]:
    """The ids of the rules that read any of the raw `tables` (e.g. a source object's `obj.table`), in catalogue
    order."""
    wanted = {table.lower() for table in tables}
    return tuple(rule_id for rule_id, reads in rule_lineage().items() if reads & wanted)


def asset_key_of(table: str) -> dg.AssetKey:
    """The asset key of a table named `raw_<system>.<object>` or `staging.<name>`."""
    if table in _RAW_TABLES:
        return raw_asset_key(_RAW_TABLES[table])
    schema, name = table.split(".", 1)
    if schema != "staging":
        raise ValueError(f"no asset builds table {table}")
    return staging_asset_key(name)


def staging_deps(name: str) -> tuple[dg.AssetKey, ...]:
    """The assets `staging.<name>` is built from: the raw and staging tables its SQL reads."""
    return tuple(asset_key_of(table) for table in sorted(staging_direct_reads()[name]))


def rule_reads(rule: Rule) -> tuple[dg.AssetKey, ...]:
    """The assets `rule`'s SQL reads directly, for its check's lineage."""
    return tuple(asset_key_of(table) for table in sorted(tables_named(rule.sql)))

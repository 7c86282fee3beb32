"""Which raw tables each rule reads, derived from the SQL: the rule's own, through the staging tables it uses."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from checks.catalogue import RULES

STAGING_DIR = Path(__file__).parent / "staging"
# `raw_<system>.<table>` or `staging.<table>`, optionally quoted; comments are read too (a safe over-estimate).
TABLE_REFERENCE = re.compile(r'\b(raw_[a-z]+|staging)\."?([A-Za-z0-9_]+)"?')


def tables_named(sql: str) -> set[str]:
    """The `raw_*.x` and `staging.x` tables that `sql` names, lower-cased."""
    return {f"{schema}.{table}".lower() for schema, table in TABLE_REFERENCE.findall(sql)}


@cache
def staging_reads() -> dict[str, frozenset[str]]:
    """Per staging table (`staging.x`), the raw tables it is built from, through other staging tables."""
    direct = {
        f"staging.{path.stem}": tables_named(path.read_text(encoding="utf-8")) - {f"staging.{path.stem}"}
        for path in sorted(STAGING_DIR.glob("*.sql"))
    }

    def raw_of(table: str, seen: frozenset[str]) -> frozenset[str]:
        if not table.startswith("staging."):
            return frozenset({table})
        if table in seen or table not in direct:
            return frozenset()
        return frozenset().union(*(raw_of(t, seen | {table}) for t in direct[table]))

    return {table: raw_of(table, frozenset()) for table in direct}


def raw_tables_read(sql: str) -> frozenset[str]:
    """The raw tables a query reads, directly or through staging tables."""
    reads = staging_reads()
    return frozenset().union(
        *(reads.get(table, frozenset()) if table.startswith("staging.") else {table} for table in tables_named(sql))
    )


@cache
def rule_lineage() -> dict[str, frozenset[str]]:
    """Per rule id, the raw tables (`raw_<system>.<object>`) its findings depend on."""
    return {rule.id: raw_tables_read(rule.sql) for rule in RULES}


def rules_reading(tables: Iterable[str]) -> tuple[str, ...]:
    """The ids of the rules that read any of the raw `tables`, in catalogue order."""
    wanted = {table.lower() for table in tables}
    return tuple(rule_id for rule_id, reads in rule_lineage().items() if reads & wanted)

"""What an audit can take from the one before: the fingerprint of each staging table's and each rule's inputs, so
that a night rebuilds only the staging tables and re-evaluates only the rules whose inputs changed.

A fingerprint covers the SQL itself, the staging macros, DuckDB's version, every setting, the audit date where the
SQL reads it, and the fingerprint of each table the SQL reads: a raw table's is the id its last changing load drew
(meta.raw_changes), a staging table's the one recorded when it was built, a staging view's its own, computed again.
A table no load stamped (written by other means) has none, and neither has anything read from it: never reused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import duckdb

from checks.lineage import MACROS, raw_object, reads_audit_date, staging_direct_reads, staging_sql, tables_named
from checks.sql_files import sql
from checks.tables import has_table
from checks.transaction import transaction
from connectors.schema import object_label


def _digest(parts: list[Any]) -> str:
    """The SHA-256 of `parts` as JSON."""
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def _raw_changes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Per object label, the id of the last load that changed its raw table (none before any stamped load, nor in a
    database no load wrote)."""
    if not has_table(con, "meta", "raw_changes"):
        return {}
    return dict(con.execute("SELECT object, change_id::VARCHAR FROM meta.raw_changes").fetchall())


class AuditInputs:
    """The fingerprints of an audit's inputs on one database, for one audit's settings (`params`, with `as_of`);
    `views` names the staging relations that are views (the others are tables)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, params: Mapping[str, Any], views: frozenset[str]):
        self.con = con
        self.views = views
        con.execute(sql("reuse_schema"))
        self.raw = _raw_changes(con)
        self.built: dict[str, str] = dict(con.execute("SELECT name, fingerprint FROM audit.staging_inputs").fetchall())
        self.evaluated: dict[str, str] = dict(
            con.execute("SELECT rule_id, fingerprint FROM audit.rule_results").fetchall()
        )
        settings = {name: value for name, value in params.items() if name != "as_of"}
        self.common = [duckdb.__version__, staging_sql(MACROS), sorted(settings.items())]
        self.as_of = params["as_of"]

    def of_query(self, query: str, reads: frozenset[str]) -> str | None:
        """The fingerprint of `query` reading the tables `reads`; None when any of them has none."""
        inputs = [(table, self._of_table(table)) for table in sorted(reads)]
        if any(fingerprint is None for _, fingerprint in inputs):
            return None
        return _digest([*self.common, self.as_of if reads_audit_date(query) else None, query, inputs])

    def of_rule(self, rule_sql: str) -> str | None:
        """The fingerprint of a rule's inputs."""
        return self.of_query(rule_sql, tables_named(rule_sql))

    def of_staging(self, name: str) -> str | None:
        """The fingerprint of the inputs of `staging.<name>` as they are now."""
        return self.of_query(staging_sql(name), staging_direct_reads()[name])

    def _of_table(self, table: str) -> str | None:
        """The fingerprint of a raw or staging table as the audit would read it now."""
        schema, name = table.split(".", 1)
        if schema != "staging":
            obj = raw_object(table)
            change = self.raw.get(object_label(obj))
            return None if change is None else _digest([change, [(f.name, f.type.value) for f in obj.fields]])
        return self.of_staging(name) if name in self.views else self.built.get(name)

    def will_build(self, name: str, fingerprint: str | None) -> None:
        """Note that `staging.<name>` is to be built from inputs of `fingerprint` (what the tables built from it
        then read)."""
        self.built.pop(name, None)
        if fingerprint is not None:
            self.built[name] = fingerprint

    def forget_built(self, names: list[str]) -> None:
        """Forget what the staging tables `names` were built from, before they are built again: a build cut short
        is never taken for one done."""
        self.con.execute("DELETE FROM audit.staging_inputs WHERE list_contains(?, name)", [names])

    def record_built(self, names: list[str]) -> None:
        """Record that the staging tables `names` now hold what the inputs noted by `will_build` give."""
        rows = [(name, self.built[name]) for name in names if name in self.built]
        if rows:
            self.con.executemany("INSERT INTO audit.staging_inputs VALUES (?, ?)", rows)

    def rule_result(self, rule_id: str, fingerprint: str | None) -> tuple[int, list[dict[str, Any]]] | None:
        """The subjects examined and failed rows recorded for `rule_id` from inputs of `fingerprint`, if any."""
        if fingerprint is None or self.evaluated.get(rule_id) != fingerprint:
            return None
        rows = self.con.execute(
            "SELECT processed, failed_rows FROM audit.rule_results WHERE rule_id = ? AND fingerprint = ?",
            [rule_id, fingerprint],
        ).fetchall()
        return (rows[0][0], json.loads(rows[0][1])) if rows else None

    def record_rule_results(self, results: list[tuple[str, str | None, int, list[dict[str, Any]]]]) -> None:
        """Record what each rule gave, as (rule id, fingerprint of its inputs, subjects examined, failed rows), in one
        transaction (a fingerprint of None forgets what the rule gave before)."""
        rows = [
            (rule_id, fingerprint, processed, json.dumps(failed_rows))
            for rule_id, fingerprint, processed, failed_rows in results
            if fingerprint is not None
        ]
        with transaction(self.con):
            self.con.execute(
                "DELETE FROM audit.rule_results WHERE list_contains(?, rule_id)", [[result[0] for result in results]]
            )
            if rows:
                self.con.executemany("INSERT INTO audit.rule_results VALUES (?, ?, ?, ?)", rows)

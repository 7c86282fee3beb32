"""The audit engine: builds the staging views (materialised as tables) and evaluates the catalogue's rules in DuckDB."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from checks.catalogue import RULES, Rule, default_settings
from checks.findings import FINDING_COLUMNS, KEY_NAMES
from checks.lineage import MACROS, reads_row_ids, staging_build_order, staging_sql
from checks.reuse import AuditInputs
from checks.side_by_side import each_side_by_side, worker_count
from checks.sql_files import sql
from checks.stopwatch import Stopwatch
from checks.transaction import transaction

CHECKS_DIR = Path(__file__).parent
SCORECARD_FINDINGS = "scorecard_findings"

RESULT_COLUMNS = ("subject_id", "failed", *KEY_NAMES, "evidence")
_SQL_TYPES = {int: "INTEGER", Decimal: "DECIMAL(18,4)", tuple: "VARCHAR[]"}


class RuleError(RuntimeError):
    """A rule whose SQL breaks the result contract (columns, one row per subject)."""


@dataclass(frozen=True)
class StagingView:
    """One staging relation, `staging.<name>`, built by `checks/staging/<name>.sql`; materialised as a table,
    since the rules read it 29 times a night and DuckDB would re-plan a stack of views in every query, except views
    that cost less to read again than to copy: the subject relations, which only join and name, for the rules, what
    staging tables hold, and filters of one staging table."""

    name: str

    @property
    def sql(self) -> str:
        """The statements that build it (read once per process)."""
        return staging_sql(self.name)

    @property
    def description(self) -> str:
        """The first line of the SQL file, without its comment marker."""
        return self.sql.splitlines()[0].removeprefix("--").strip()

    @property
    def reads_row_ids(self) -> bool:
        """Whether its SQL reads row ids: they move when a load rewrites rows or a checkpoint compacts a table, so a
        table that keeps or picks rows by them is built again each time (what it holds is still the same for the
        same inputs, so what is built from it can be kept)."""
        return reads_row_ids(self.sql)

    @property
    def is_view(self) -> bool:
        """Whether its SQL creates a view rather than a table."""
        return f"CREATE OR REPLACE VIEW staging.{self.name} " in self.sql


# In build order: each after the staging tables its SQL reads.
STAGING_VIEWS: tuple[StagingView, ...] = tuple(StagingView(name) for name in staging_build_order())


def staging_relations(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Each relation of the database's staging schema, by name: TABLE or VIEW."""
    return dict(
        con.execute(
            "SELECT table_name, 'TABLE' FROM duckdb_tables() "
            "WHERE database_name = current_database() AND schema_name = 'staging' "
            "UNION ALL SELECT view_name, 'VIEW' FROM duckdb_views() "
            "WHERE database_name = current_database() AND schema_name = 'staging'"
        ).fetchall()
    )


def _drop_stale(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the staging relations no file of `checks/staging/` builds any more (an earlier version's), and those a
    previous build made a table where they are now a view, or the reverse (DuckDB replaces neither with the other)."""
    kinds = {view.name: "VIEW" if view.is_view else "TABLE" for view in STAGING_VIEWS}
    for name, kind in staging_relations(con).items():
        if kinds.get(name) != kind:
            con.execute(f'DROP {kind} staging."{name}"')


def _params(self) -> dict[str, Any]:
    """The settings as the row of `audit.params` (lists for list settings)."""
    values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
    return {name: list(value) if isinstance(value, tuple | list) else value for name, value in values.items()}


AuditSettings = dataclasses.make_dataclass(
    "AuditSettings",
    [
        ("as_of", dt.date),
        *((name, type(value), dataclasses.field(default=value)) for name, value in default_settings().items()),
    ],
    frozen=True,
    namespace={
        "__doc__": "The audit date D and the settings of the catalogue, defaults from the rule files' headers.",
        "params": _params,
        "__module__": __name__,
    },
)


def _params_ddl() -> str:
    """CREATE TABLE audit.params: one column per setting, typed by its default (as_of a DATE), values bound."""
    columns = ", ".join(
        f"${f.name}::{'DATE' if f.default is dataclasses.MISSING else _SQL_TYPES[type(f.default)]} AS {f.name}"
        for f in dataclasses.fields(AuditSettings)
    )
    return f"CREATE OR REPLACE TABLE audit.params AS SELECT {columns}"


# DuckDB's costliest string compression to analyse: about a third of the CPU time of writing a staging table,
# for tables rebuilt every night and read a few times.
STAGING_DISABLED_COMPRESSION = "dict_fsst"


@contextmanager
def _staging_compression(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Write tables without the compression methods of STAGING_DISABLED_COMPRESSION, as before afterwards
    (the setting is the database's, not the connection's)."""
    previous = con.execute("SELECT current_setting('disabled_compression_methods')").fetchall()[0][0]
    methods = ",".join(filter(None, (previous, STAGING_DISABLED_COMPRESSION)))
    con.execute("SET disabled_compression_methods = ?", [methods])
    try:
        yield
    finally:
        con.execute("SET disabled_compression_methods = ?", [previous])


def build_staging(
    con: duckdb.DuckDBPyConnection,
    settings: AuditSettings,
    stopwatch: Stopwatch | None = None,
    *,
    reuse: bool = False,
) -> tuple[str, ...]:
    """Create `audit.params` from `settings`, the staging macros and every staging view, in dependency order
    (each view timed as step `staging.<name>` on `stopwatch`); staging relations no file builds are dropped.

    With `reuse`, a staging table whose inputs have the fingerprint it was last built from is kept as it is; the
    names of those kept. All in one transaction: no checkpoint can fall between a statement that records row ids and
    the one that reads rows by them (a checkpoint may merge a raw table's row groups, and move its row ids), and a
    build that fails leaves the staging and its fingerprints as they were."""
    timer = stopwatch or Stopwatch()
    with _staging_compression(con), transaction(con):
        con.execute("CREATE SCHEMA IF NOT EXISTS audit")
        con.execute(_params_ddl(), settings.params())
        con.execute(staging_sql(MACROS))
        _drop_stale(con)
        inputs = _audit_inputs(con)
        kept = _kept_tables(inputs, staging_relations(con) if reuse else {})
        tables = [view.name for view in STAGING_VIEWS if not view.is_view and view.name not in kept]
        inputs.forget_built(tables)
        for view in STAGING_VIEWS:
            if view.name not in kept:
                with timer.step(f"staging.{view.name}"):
                    con.execute(view.sql)
        inputs.record_built(tables)
    return kept


def _kept_tables(inputs: AuditInputs, present: Mapping[str, str]) -> tuple[str, ...]:
    """The staging tables that can be kept as they are, in build order: `present`, not reading row ids, and last built
    from inputs of the fingerprint they have now; the others are noted as to be built (what the tables after them
    will read)."""
    kept = []
    for view in STAGING_VIEWS:
        if view.is_view:
            continue
        fingerprint = inputs.of_staging(view.name)
        if (
            view.name in present
            and not view.reads_row_ids
            and fingerprint is not None
            and inputs.built.get(view.name) == fingerprint
        ):
            kept.append(view.name)
        else:
            inputs.will_build(view.name, fingerprint)
    return tuple(kept)


def _audit_inputs(con: duckdb.DuckDBPyConnection) -> AuditInputs:
    """The fingerprints of the inputs of an audit with the settings of `audit.params`."""
    return AuditInputs(con, staged_params(con), frozenset(view.name for view in STAGING_VIEWS if view.is_view))


@dataclass(frozen=True)
class RuleRun:
    """One rule evaluated: how many subjects it examined and its findings."""

    rule: Rule
    processed: int
    findings: tuple[dict[str, Any], ...]
    reused: bool = False

    @property
    def failed(self) -> int:
        """Subjects with a finding."""
        return len(self.findings)

    @property
    def passed(self) -> int:
        """Subjects examined without a finding."""
        return self.processed - self.failed


FINDING_ID_PREFIX = "F-"  # so that no spreadsheet reads an id as a number (all digits, or 123e45)


def finding_id(rule_id: str, subject_id: str) -> str:
    """The stable fingerprint of (rule_id, subject_id): `F-` and 16 hex digits of its SHA-256."""
    return FINDING_ID_PREFIX + hashlib.sha256(f"{rule_id}\x1f{subject_id}".encode()).hexdigest()[:16]


def _readable(value: Any) -> Any:
    """Evidence values as a summary quotes them: lists joined, empty values named."""
    if isinstance(value, dict):
        return {key: _readable(item) for key, item in value.items()}
    if isinstance(value, list):
        return ", ".join(str(_readable(item)) for item in value) or "none"
    return "empty" if value is None else value


def _finding(rule: Rule, row: dict[str, Any]) -> dict[str, Any]:
    """A finding of `rule` from one failed row of its SQL."""
    keys = {name: row[name] for name in KEY_NAMES}
    evidence = json.loads(row["evidence"], parse_float=Decimal)
    summary = rule.summary_template.format(subject_id=row["subject_id"], **_readable({**keys, **evidence}))
    return {
        "finding_id": finding_id(rule.id, row["subject_id"]),
        "rule_id": rule.id,
        "subject_id": row["subject_id"],
        "severity": rule.severity,
        "category": rule.category,
        "summary": summary,
        **keys,
        "evidence": row["evidence"],
        "suggested_action": rule.suggested_action,
    }


# A rule's columns depend on its SQL and the staging schema, never on the data: each SQL is bound once per process.
_COLUMNS: dict[str, tuple[str, ...]] = {}

# A rule whose evidence is `CASE WHEN failed THEN ... END` builds it for its failed rows only, and is evaluated in one
# pass; any other rule's subjects are counted first, and its evidence built in a second pass for the failed ones.
_EVIDENCE_OF_FAILED_ONLY = re.compile(r"\bCASE\s+WHEN\s+failed\s+THEN\b", re.IGNORECASE)


def _result_columns(con: duckdb.DuckDBPyConnection, rule: Rule) -> tuple[str, ...]:
    """Per name of RESULT_COLUMNS, in order, the rule's column or NULL for a key column it does not name (RuleError
    when the rule's columns break the contract)."""
    if rule.sql not in _COLUMNS:
        _COLUMNS[rule.sql] = _bound_columns(con, rule)
    return _COLUMNS[rule.sql]


def _bound_columns(con: duckdb.DuckDBPyConnection, rule: Rule) -> tuple[str, ...]:
    """The columns of `_result_columns`, from the rule's SQL bound on `con`."""
    columns = con.sql(rule.sql).columns
    missing = {"subject_id", "failed", "evidence"} - set(columns)
    unknown = set(columns) - set(RESULT_COLUMNS)
    if missing or unknown:
        raise RuleError(f"{rule.id}: missing columns {sorted(missing)}, unknown columns {sorted(unknown)}")
    return tuple(name if name in columns else "NULL::VARCHAR" for name in RESULT_COLUMNS)


def run_rule(con: duckdb.DuckDBPyConnection, rule: Rule) -> RuleRun:
    """Evaluate `rule` on the staged data (build_staging first): subjects examined and findings."""
    return _rule_run(rule, *_evaluate(con, rule))


def _rule_run(rule: Rule, processed: int, rows: list[dict[str, Any]], *, reused: bool = False) -> RuleRun:
    """The run of `rule` that examined `processed` subjects and failed `rows`."""
    return RuleRun(rule, processed, tuple(_finding(rule, row) for row in rows), reused)


def _evaluate(con: duckdb.DuckDBPyConnection, rule: Rule) -> tuple[int, list[dict[str, Any]]]:
    """The subjects `rule` examined and its failed rows, as dicts of RESULT_COLUMNS."""
    columns = _result_columns(con, rule)
    evaluate = _one_pass if _EVIDENCE_OF_FAILED_ONLY.search(rule.sql) else _two_passes
    return evaluate(con, rule, columns)


def _one_pass(
    con: duckdb.DuckDBPyConnection, rule: Rule, columns: tuple[str, ...]
) -> tuple[int, list[dict[str, Any]]]:
    """The subjects `rule` examined and its failed rows (its result `columns`, as dicts of RESULT_COLUMNS), in one
    query, for a rule that builds the evidence of its failed rows only."""
    fields = ", ".join(f"{name!r}: {column}" for name, column in zip(RESULT_COLUMNS, columns, strict=True))
    one_pass_sql = sql("rule_one_pass").format(rule_sql=rule.sql, fields=fields)
    processed, subjects, rows = con.execute(one_pass_sql).fetchall()[0]
    _require_one_row_per_subject(rule, processed, subjects)
    return processed, rows or []


def _two_passes(
    con: duckdb.DuckDBPyConnection, rule: Rule, columns: tuple[str, ...]
) -> tuple[int, list[dict[str, Any]]]:
    """The subjects `rule` examined and its failed rows (its result `columns`, as dicts of RESULT_COLUMNS): the
    subjects counted first without the evidence, which is then built only for the failed ones."""
    processed, subjects, failed = con.execute(sql("rule_result").format(rule_sql=rule.sql)).fetchall()[0]
    _require_one_row_per_subject(rule, processed, subjects)
    return processed, _failed_rows(con, rule, columns, failed) if failed else []


def _require_one_row_per_subject(rule: Rule, processed: int, subjects: int) -> None:
    """RuleError unless the rule's SQL returned as many rows as distinct subjects."""
    if processed != subjects:
        raise RuleError(f"{rule.id}: {processed} rows for {subjects} subjects")


def _failed_rows(
    con: duckdb.DuckDBPyConnection, rule: Rule, columns: tuple[str, ...], subjects: list[str]
) -> list[dict[str, Any]]:
    """The rows of `rule` (its result `columns`) for its failed `subjects`, in order, as dicts of RESULT_COLUMNS."""
    projection = ", ".join(f"{column} AS {name}" for name, column in zip(RESULT_COLUMNS, columns, strict=True))
    rows = con.execute(sql("rule_failed_rows").format(rule_sql=rule.sql, columns=projection), {"subjects": subjects})
    return [dict(zip(RESULT_COLUMNS, row, strict=True)) for row in rows.fetchall()]


def staged_params(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """The settings the staging tables were last built with, or None before the first build."""
    try:
        frame = con.sql("SELECT * FROM audit.params").pl()
    except duckdb.CatalogException:
        return None
    return frame.row(0, named=True) if frame.height else None


def run_rules(
    con: duckdb.DuckDBPyConnection, stopwatch: Stopwatch | None = None, *, reuse: bool = False
) -> tuple[RuleRun, ...]:
    """Evaluate every rule of the catalogue on the staging tables as they are, side by side unless timed (then one at
    a time, each timed as step `rule <id>`), recording each result with the fingerprint of its inputs; with `reuse`,
    a rule whose inputs have the fingerprint of its recorded result is not evaluated again (its run is `reused`)."""
    inputs = _audit_inputs(con)
    fingerprints = {entry.id: inputs.of_rule(entry.sql) for entry in RULES}
    recorded = {entry.id: inputs.rule_result(entry.id, fingerprints[entry.id]) for entry in RULES} if reuse else {}
    to_evaluate = {entry.id: entry for entry in RULES if recorded.get(entry.id) is None}

    def evaluate(cursor: duckdb.DuckDBPyConnection, rule_id: str) -> tuple[int, list[dict[str, Any]]]:
        with stopwatch.step(f"rule {rule_id}") if stopwatch else nullcontext():
            return _evaluate(cursor, to_evaluate[rule_id])

    workers = 1 if stopwatch is not None else worker_count(con)  # a timed step's CPU time is then its own
    results = dict(zip(to_evaluate, each_side_by_side(con, evaluate, list(to_evaluate), workers), strict=True))
    inputs.record_rule_results([(rule_id, fingerprints[rule_id], *results[rule_id]) for rule_id in to_evaluate])
    return tuple(
        _rule_run(entry, *results[entry.id])
        if entry.id in to_evaluate
        else _rule_run(entry, *recorded[entry.id], reused=True)
        for entry in RULES
    )


def run_audit(
    con: duckdb.DuckDBPyConnection, settings: AuditSettings, stopwatch: Stopwatch | None = None, *, reuse: bool = False
) -> tuple[RuleRun, ...]:
    """Build the staging views for `settings` and evaluate every rule of the catalogue, timing each step (with
    `reuse`, keeping what the inputs' fingerprints show unchanged)."""
    build_staging(con, settings, stopwatch, reuse=reuse)
    return run_rules(con, stopwatch, reuse=reuse)


def findings_frame(runs: Iterable[RuleRun]) -> pl.DataFrame:
    """The findings of `runs` as one frame, sorted by rule and subject."""
    rows = [finding for run in runs for finding in run.findings]
    frame = pl.DataFrame(rows, schema=dict.fromkeys(FINDING_COLUMNS, pl.String), orient="row")
    return frame.sort("rule_id", "subject_id")


def evaluate_all(con: duckdb.DuckDBPyConnection, settings: AuditSettings) -> pl.DataFrame:
    """Every finding of the catalogue as of `settings.as_of`, one row per (rule, subject)."""
    return findings_frame(run_audit(con, settings))


@dataclass(frozen=True)
class Scorecard:
    """The health of the data at a glance: match status per paid subscription, counts per rule."""

    statuses: pl.DataFrame
    rules: pl.DataFrame


def scorecard(con: duckdb.DuckDBPyConnection, settings: AuditSettings) -> Scorecard:
    """Per paid subscription in force its match status; per rule the subjects processed, passed and failed."""
    return scorecard_of(con, run_audit(con, settings))


def _match_status() -> str:
    """The CASE that names a subscription's match status: the label of its lowest-ranked scorecard rule."""
    ranked: dict[int, tuple[str, list[str]]] = {}
    for entry in RULES:
        if entry.scorecard_rank is not None:
            label, ids = ranked.setdefault(entry.scorecard_rank, (entry.scorecard_label, []))
            if label != entry.scorecard_label:
                raise RuleError(f"scorecard rank {entry.scorecard_rank}: {label} and {entry.scorecard_label}")
            ids.append(entry.id)
    whens = [
        f"WHEN list_has_any(f.rule_ids, {sorted(ids)!r}) THEN {label!r}" for _, (label, ids) in sorted(ranked.items())
    ]
    return "CASE " + " ".join(whens) + " ELSE 'Paid All Matching' END"


def scorecard_of(con: duckdb.DuckDBPyConnection, runs: tuple[RuleRun, ...]) -> Scorecard:
    """The scorecard of rules already run on the staging tables."""
    con.register(SCORECARD_FINDINGS, findings_frame(runs))
    try:
        statuses = con.sql(sql("scorecard").format(match_status=_match_status())).pl()
    finally:
        con.unregister(SCORECARD_FINDINGS)
    rules = pl.DataFrame(
        [
            {
                "rule_id": run.rule.id,
                "category": run.rule.category,
                "severity": run.rule.severity,
                "processed": run.processed,
                "passed": run.passed,
                "failed": run.failed,
            }
            for run in runs
        ]
    )
    return Scorecard(statuses, rules)

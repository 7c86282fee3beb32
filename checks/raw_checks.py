"""Dagster asset checks on the raw tables, in one step: great-expectations validation, quarantine, held loads."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import dagster as dg
import duckdb

from asset_keys import DUCKDB_POOL, raw_asset_key
from checks.held_loads import holds
from checks.lineage import rules_reading
from checks.raw_validation import validate_tables
from checks.validation_process import VALIDATION_PROCESS
from connectors.schema import SOURCE_OBJECTS, SourceObject, object_label

QUARANTINE_SHOWN = 50
Outcome = tuple[bool, dict]
# A check's evaluation of the raw tables of some objects: each object's outcome, in their order.
Evaluation = Callable[[duckdb.DuckDBPyConnection, list[SourceObject]], Iterator[tuple[SourceObject, Outcome]]]


@dataclass(frozen=True)
class RawCheck:
    """One check on every raw table: its name, what it checks, and how the tables are evaluated."""

    name: str
    description: str
    evaluate: Evaluation


def build_raw_checks(checks: tuple[RawCheck, ...]) -> dg.AssetChecksDefinition:
    """Every check of `checks` on every raw table, evaluated in one step on one connection.

    One step rather than one per check: each step costs Dagster's events and a connection of its own, which is most
    of what a check that reads a few meta rows costs.
    """

    @dg.multi_asset_check(
        name="raw_checks",
        specs=[
            dg.AssetCheckSpec(check.name, asset=raw_asset_key(obj), description=check.description)
            for check in checks
            for obj in SOURCE_OBJECTS
        ],
        can_subset=True,
        required_resource_keys={"duckdb"},
        pool=DUCKDB_POOL,
    )
    def _checks(context: dg.AssetCheckExecutionContext):
        selected = {(key.name, key.asset_key) for key in context.selected_asset_check_keys}
        try:
            with context.resources.duckdb.get_connection() as con:
                for check in checks:
                    objects = [obj for obj in SOURCE_OBJECTS if (check.name, raw_asset_key(obj)) in selected]
                    for obj, (passed, metadata) in check.evaluate(con, objects):
                        yield dg.AssetCheckResult(
                            asset_key=raw_asset_key(obj), check_name=check.name, passed=passed, metadata=metadata
                        )
        finally:
            VALIDATION_PROCESS.stop(wait=False)  # its memory returned while the audit runs

    return _checks


def each(evaluate: Callable[[duckdb.DuckDBPyConnection, SourceObject], Outcome]) -> Evaluation:
    """The evaluation of the tables one after the other by `evaluate`."""

    def evaluate_each(
        con: duckdb.DuckDBPyConnection, objects: Iterable[SourceObject]
    ) -> Iterator[tuple[SourceObject, Outcome]]:
        for obj in objects:
            yield obj, evaluate(con, obj)

    return evaluate_each


def expectations(con: duckdb.DuckDBPyConnection, objects: list[SourceObject]) -> Iterator[tuple[SourceObject, Outcome]]:
    """Validate the raw tables of `objects` with their declared expectations (great-expectations reading only the
    rows changed since the last validation); per table, the failures over the whole table with examples."""
    for obj, validation in validate_tables(con, objects):
        failed = [o for o in validation.outcomes if not o.success]
        lines = [
            f"- `{o.expectation}` on `{o.column}`: {o.unexpected_count} unexpected, e.g. {', '.join(o.examples)}"
            for o in failed
        ]
        yield (
            obj,
            (
                not failed,
                {
                    "expectations": len(validation.outcomes),
                    "failed": len(failed),
                    "failures": dg.MetadataValue.md("\n".join(lines) or "none"),
                    "rows_validated": validation.rows_validated,
                    "validated_whole": validation.whole,
                },
            ),
        )


def quarantine(con: duckdb.DuckDBPyConnection, obj: SourceObject) -> Outcome:
    """Whether `obj`'s last load set records aside (unreadable, or a duplicated id); the first with their reasons."""
    label = object_label(obj)
    total = con.execute("SELECT count(*) FROM meta.quarantine WHERE object = ?", [label]).fetchall()[0][0]
    rows = con.execute(
        "SELECT record_key, reason FROM meta.quarantine WHERE object = ? ORDER BY record_key LIMIT ?",
        [label, QUARANTINE_SHOWN],
    ).fetchall()
    return total == 0, {
        "quarantined": total,
        "records": dg.MetadataValue.md("\n".join(f"- `{key}`: {reason}" for key, reason in rows) or "none"),
    }


def snapshot_swapped_in(con: duckdb.DuckDBPyConnection, obj: SourceObject) -> Outcome:
    """Whether `obj`'s last load replaced its snapshot; if it was held, the two row counts, why, and the rules
    whose findings are held back tonight."""
    hold = holds(con).get(object_label(obj))
    if hold is None:
        return True, {"held": False}
    return False, {
        "held": True,
        "previous_rows": hold.previous_rows,
        "source_rows": hold.source_rows,
        "reason": hold.reason,
        "rules_held_back": dg.MetadataValue.md(
            "\n".join(f"- `{rule_id}`" for rule_id in rules_reading([obj.table])) or "none"
        ),
    }


RAW_CHECKS = build_raw_checks(
    (
        RawCheck(
            "raw_expectations",
            "Ids present and unique, enums in their allowed values, plausible dates, non-negative amounts.",
            expectations,
        ),
        RawCheck(
            "no_quarantined_records",
            "Every extracted record could be read as its declared types, and no id came twice (see meta.quarantine).",
            each(quarantine),
        ),
        RawCheck(
            "snapshot_swapped_in",
            "The last load replaced the snapshot: it did not empty the object or shrink it beyond the allowed drop "
            "(a held load keeps the previous snapshot and holds back the findings of the rules reading it).",
            each(snapshot_swapped_in),
        ),
    )
)

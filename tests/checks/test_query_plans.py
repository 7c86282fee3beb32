"""No staging statement or rule plans a join that grows with the product of two data tables."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import duckdb
import pytest
from audit_worlds import AS_OF, World

from checks.catalogue import RULES
from checks.engine import STAGING_VIEWS, AuditSettings, build_staging

# Joins without an equality to hash on: each pairs every row of one side with every row of the other.
QUADRATIC_JOINS = {"NESTED_LOOP_JOIN", "BLOCKWISE_NL_JOIN", "PIECEWISE_MERGE_JOIN", "CROSS_PRODUCT"}
# The one-row settings relation that rules cross join for their thresholds.
ONE_ROW_TABLES = {"audit.params"}
# Scans of rows computed earlier in the same plan (a decorrelated subquery reads its outer rows this way).
MATERIALISED_SCANS = {"CTE_SCAN", "DELIM_SCAN", "COLUMN_DATA_SCAN"}


def sample_world() -> World:
    """A world with a record in every table the rules read, so the planner sees every join."""
    world = World()
    world.account("A001")
    for name, plan in (("A-S001", "premium-saas"), ("A-S002", "ultimate-sm")):
        world.paid(name, plan)
        world.activation(name)
        world.seat_link(name, 12)
    world.quote(world.opportunity(world.account_record("A001")["CrmId"]), "A-S001")
    world.order("A-S003", "premium-saas")
    world.license("A-S004", 5, trial=True)
    return world


@pytest.fixture(scope="module")
def staged() -> duckdb.DuckDBPyConnection:
    con = sample_world().connect()
    build_staging(con, AuditSettings(as_of=AS_OF))
    return con


def scanned_tables(node: dict[str, Any]) -> set[str]:
    """The data a plan node reads: tables (schema-qualified), and common table expressions by their index."""
    info = node.get("extra_info") if isinstance(node.get("extra_info"), dict) else {}
    found = set()
    if info.get("Table"):
        found.add(info["Table"].split(".", 1)[1].replace('"', ""))
    elif node.get("name") in MATERIALISED_SCANS:
        found.add(f"{node['name']} {info.get('CTE Index', info.get('Delim Index', ''))}".strip())
    for child in node.get("children", []):
        found |= scanned_tables(child)
    return found


def quadratic_joins(node: dict[str, Any]) -> Iterator[str]:
    """Each join in the plan that has data tables on both sides and no equality to hash on."""
    if node.get("name") in QUADRATIC_JOINS:
        sides = [scanned_tables(child) - ONE_ROW_TABLES for child in node.get("children", [])]
        if len(sides) == 2 and all(sides):
            yield f"{node['name']} of {sorted(sides[0])} x {sorted(sides[1])}"
    for child in node.get("children", []):
        yield from quadratic_joins(child)


def plan_problems(con: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    """The quadratic joins of every statement in `sql`."""
    problems = []
    for statement in con.extract_statements(sql):
        for _, plan in con.execute(f"EXPLAIN (FORMAT json) {statement.query}").fetchall():
            for root in json.loads(plan):
                problems.extend(quadratic_joins(root))
    return problems


@pytest.mark.parametrize("view", STAGING_VIEWS, ids=lambda view: view.name)
def test_staging_plans_only_hash_joins(staged, view):
    assert plan_problems(staged, view.sql) == []


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_rule_plans_only_hash_joins(staged, rule):
    assert plan_problems(staged, rule.sql) == []


def test_a_join_on_a_disjunction_is_caught(staged):
    sql = (
        "SELECT * FROM raw_zuora.subscription AS z JOIN raw_salesforce.zqu__quote__c AS q "
        'ON z."Name" = q."zqu__Subscription_Name__c" OR z."Id" = q."zqu__ZuoraSubscriptionID__c"'
    )
    assert plan_problems(staged, sql)

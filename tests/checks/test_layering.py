"""The folders depend one way: checks/ and asset_keys/ never import assets/ or pipelines/; the sandbox imports none of
the audit (checks/, assets/, pipelines/)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def imported_packages(path: Path) -> set[str]:
    """The top-level packages a module imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    return {name.split(".")[0] for name in names}


@pytest.mark.parametrize("folder", ["checks", "asset_keys"])
def test_the_rule_engine_and_the_keys_do_not_import_the_assets(folder):
    offenders = {
        str(path.relative_to(REPO)): imported_packages(path) & {"assets", "pipelines"}
        for path in (REPO / folder).rglob("*.py")
    }
    assert {path: packages for path, packages in offenders.items() if packages} == {}


def test_the_sandbox_imports_none_of_the_audit():
    offenders = {
        str(path.relative_to(REPO)): imported_packages(path) & {"checks", "assets", "pipelines"}
        for path in (REPO / "sandbox").rglob("*.py")
    }
    assert {path: packages for path, packages in offenders.items() if packages} == {}

"""Fixtures for pipeline tests: small generated worlds served by the real sandbox servers."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.generator import generate

SMALL_CUSTOMERS = 120


@pytest.fixture(scope="session")
def small_world(tmp_path_factory) -> Path:
    """A small generated world with defects, shared by the pipeline tests (read only)."""
    world = tmp_path_factory.mktemp("world") / "small"
    generate(world, customers=SMALL_CUSTOMERS, seed=11)
    return world

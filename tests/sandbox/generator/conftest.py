"""Worlds shared by the generator tests: generated once per session."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sandbox.generator import generate


@pytest.fixture(scope="session")
def defect_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A default-sized world with injected defects."""
    path = tmp_path_factory.mktemp("defect_world")
    generate(path, customers=3000, seed=42)
    return path


@pytest.fixture(scope="session")
def clean_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean world (no defects, traps only) on another seed and date."""
    path = tmp_path_factory.mktemp("clean_world")
    generate(path, customers=1500, seed=7, as_of=dt.date(2025, 6, 30), defects=False)
    return path

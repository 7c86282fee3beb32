"""Fixtures of the audit engine tests."""

from __future__ import annotations

import pytest
from audit_worlds import World


@pytest.fixture
def world() -> World:
    """An empty world with the standard catalog."""
    return World()

"""Keeps pytest-xdist's `--dist loadgroup` grouping under pytest 9.2, whose node ids xdist 3.8.0 cannot extend."""

from __future__ import annotations

import pytest
from _pytest.nodeid import NodeId


def keep_xdist_groups(items: list[pytest.Item]) -> None:
    """Give each test marked `xdist_group` the `@<group>` node id suffix the loadgroup scheduler groups by.

    pytest-xdist 3.8.0 appends the suffix to `item._nodeid`, which pytest 9.2 no longer reads (the id lives in
    `item._id`), so grouped tests would be spread over the workers. A test whose id has the suffix already
    (a pytest-xdist that writes it where pytest reads it) is left as it is.
    """
    for item in items:
        groups = {str(mark.args[0] if mark.args else mark.kwargs.get("name", "default")) for mark in
                  item.iter_markers("xdist_group")}
        if groups and not item.nodeid.endswith("@" + "_".join(sorted(groups))):
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(sorted(groups))}")

"""How the tests are spread over pytest-xdist workers (`--dist loadgroup`): a module's tests on one worker, and
the tests of a costly shared fixture or of an `xdist_group` mark on one worker, so each is built once."""

from __future__ import annotations

import pytest
from _pytest.nodeid import NodeId
from xdist.scheduler import LoadScopeScheduling

# Session fixtures that take seconds to build: the tests using one run on one worker, which builds it once.
SHARED_FIXTURE_GROUPS = {
    "audited_nights": "audited_nights",
    "defect_world": "generated_worlds",
    "clean_world": "generated_worlds",
}


def mark_shared_fixture_groups(item: pytest.Item) -> None:
    """Mark a test that uses a costly shared fixture with that fixture's `xdist_group`."""
    for group in sorted({SHARED_FIXTURE_GROUPS[name] for name in getattr(item, "fixturenames", ())
                         if name in SHARED_FIXTURE_GROUPS}):
        item.add_marker(pytest.mark.xdist_group(group))


def keep_xdist_groups(items: list[pytest.Item]) -> None:
    """Give each test marked `xdist_group` the `@<group>` node id suffix the loadgroup scheduler groups by.

    pytest-xdist 3.8.0 appends the suffix to `item._nodeid`, which pytest 9.2 no longer reads (the id lives in
    `item._id`), so grouped tests would be spread over the workers. A test whose id has the suffix already
    (a pytest-xdist that writes it where pytest reads it) is left as it is.
    """
    for item in items:
        groups = {str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                  for mark in item.iter_markers("xdist_group")}
        suffix = "@" + "_".join(sorted(groups))
        if groups and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)


class ModuleOrGroupScheduling(LoadScopeScheduling):
    """Sends a group's tests to one worker, and every other test with the rest of its module."""

    def _split_scope(self, nodeid: str) -> str:
        """The group after the last `@` (outside parameter brackets), else the module's path."""
        if nodeid.rfind("@") > nodeid.rfind("]"):
            return nodeid.rsplit("@", 1)[-1]
        return nodeid.split("::", 1)[0]

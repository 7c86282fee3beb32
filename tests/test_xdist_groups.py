"""Under `--dist loadgroup` a group's tests share one worker, and a module's ungrouped tests stay together."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[1]
CONFTEST = """
from tests.conftest import pytest_collection_modifyitems, pytest_xdist_make_scheduler  # noqa: F401
"""
GROUPED = """
import pytest

@pytest.mark.xdist_group("shared")
@pytest.mark.parametrize("n", range(4))
def test_grouped(n):
    pass

@pytest.mark.parametrize("n", range(4))
def test_free(n):
    pass
"""


@pytest.mark.slow
def test_grouped_tests_share_a_worker_and_a_modules_tests_stay_together(pytester, monkeypatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_one=GROUPED, test_two=GROUPED.replace("test_", "test_other_"), test_three=GROUPED)
    result = pytester.runpytest_subprocess("-n", "2", "--dist", "loadgroup", "-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=24)
    workers = defaultdict(set)
    for line in result.outlines:
        match = re.match(r"\[(gw\d)\] .*PASSED (\S+)", line)
        if match:
            worker, nodeid = match.groups()
            scope = "shared" if nodeid.endswith("@shared") else nodeid.split("::")[0]
            workers[scope].add(worker)
    assert set(workers) == {"shared", "test_one.py", "test_two.py", "test_three.py"}
    assert all(len(ran_on) == 1 for ran_on in workers.values()), dict(workers)

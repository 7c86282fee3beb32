"""The demo's night summary shows, per raw table, the path that read it, its requests, jobs and polls."""

from __future__ import annotations

import io

from pipelines.demo import print_summary
from pipelines.nightly import NightSummary


def test_the_summary_prints_path_requests_jobs_and_polls_per_object() -> None:
    objects = {
        "raw_zuora/invoiceitem": {"dagster/row_count": 9, "records_read": 9, "path": "bulk", "api_calls": 5,
                                  "jobs": 2, "polls": 3, "records_per_second": 4.5, "mode": "incremental"},
        "raw_zuora/product": {"dagster/row_count": 8, "records_read": 8, "path": "query", "api_calls": 1,
                              "jobs": 0, "polls": 0, "records_per_second": 80.0, "mode": "full"},
    }
    out = io.StringIO()
    print_summary(NightSummary(as_of="2026-11-27", success=True, seconds=1.0, run_id="r", objects=objects), out)
    lines = {line.split()[0]: line.split() for line in out.getvalue().splitlines() if line.strip()}
    assert lines["raw_zuora/invoiceitem"][1:7] == ["9", "9", "bulk", "5", "2", "3"]
    assert lines["raw_zuora/product"][1:7] == ["8", "8", "query", "1", "0", "0"]
    assert lines["total"][1:] == ["17", "6", "2", "3"]

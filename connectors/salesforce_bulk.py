"""Salesforce Bulk API 2.0 queries: a `queryAll` job, polled with backoff, its CSV results read page by page.

The calls go through simple-salesforce's `bulk2` client (`sf.bulk2.<Object>`), on the session of the
caller. Its own waiting loop sleeps for real and never gives up before a day, so the job is polled
here, through a clock and a sleep that tests replace: first once the run time of the previous completed
job (its `totalProcessingTime`) has passed, then with backoff (`connectors.job_polls`). A job that
ends Failed or Aborted, or is still running when patience runs out (it is then aborted), is submitted
again under the shared retry policy; the last error names the job id and Salesforce's `errorMessage`.
Each results page (`maxRecords` records, next page by `Sforce-Locator`) is streamed to a temporary file
(simple-salesforce's `download_job_data`), checked against its `Sforce-NumberOfRecords` and read again when it
came short, then typed by the source declaration and handed on in small pages: memory does not grow with
the page.
"""

from __future__ import annotations

import csv
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from connectors.errors import ExtractionError
from connectors.job_polls import PollTimer, reported_rows, reported_seconds
from connectors.retry import RetryPolicy, TransientError, call_with_retries
from connectors.schema import CoercionError, Field, SourceObject, coerce_value

logger = logging.getLogger(__name__)

BulkCall = Callable[[str, str, Callable[[Any], Any]], Any]
"""`call(endpoint, object_name, use)`: `use(bulk2_client)` with the session renewed and errors mapped."""

FINISHED = "JobComplete"
DOWNLOAD_CHUNK = 1 << 16  # bytes written to the results file at a time
ENDED = ("Failed", "Aborted")


@dataclass(frozen=True)
class Polling:
    """How a job is waited for: the first wait (before any job was measured), its growth, the longest wait, and
    the patience in all."""

    first: float = 0.25
    factor: float = 2.0
    longest: float = 10.0
    patience: float = 3600.0

    def __post_init__(self) -> None:
        if self.first <= 0 or self.factor < 1 or self.longest < self.first or self.patience <= 0:
            raise ValueError("polling needs first > 0, factor >= 1, longest >= first and patience > 0")


class BulkQueries:
    """Runs Bulk API 2.0 `queryAll` jobs; counts the jobs submitted and the status polls made."""

    def __init__(
        self,
        system: str,
        api_version: str,
        call: BulkCall,
        policy: RetryPolicy,
        *,
        polling: Polling,
        results_page: int,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self.system = system
        self.path = f"/services/data/v{api_version}/jobs/query"
        self._call = call
        self._policy = policy
        self._polling = polling
        self._results_page = results_page
        self._clock = clock
        self._sleep = sleep
        self._timer = PollTimer(polling.first, polling.factor, polling.longest)
        self.jobs = 0
        self.polls = 0

    def pages(
        self, obj: SourceObject, soql: str, page_size: int, expected_rows: int | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """Non-empty pages of at most `page_size` typed records of `soql` (over `obj`, about `expected_rows`
        records if known), deleted ones included."""
        job = call_with_retries(
            self._policy,
            self.system,
            f"POST {self.path}",
            lambda: self._run_job(obj.name, soql, expected_rows),
            self._sleep,
        )
        with tempfile.TemporaryDirectory(prefix="lnr-bulk-") as folder:
            locator = ""
            while True:
                path, locator = self._results(obj.name, job, locator, folder)
                with open(path, encoding="utf-8", newline="") as lines:
                    yield from _chunks(typed_csv(obj, lines), page_size)
                os.remove(path)
                if not locator:
                    return

    def _run_job(self, name: str, soql: str, expected_rows: int | None) -> str:
        """Submit a queryAll job and wait until it is complete; its id. TransientError when it ends otherwise."""
        created = self._call(f"POST {self.path}", name, lambda bulk: bulk.create_job("queryAll", soql))
        self.jobs += 1
        job = created["id"]
        endpoint = f"GET {self.path}/{job}"
        submitted = self._clock()
        deadline = submitted + self._polling.patience
        waits = self._timer.waits(lambda: self._clock() - submitted, expected_rows)
        while True:
            self._sleep(min(next(waits), max(deadline - self._clock(), 0.0)))
            info = self._call(endpoint, name, lambda bulk: bulk.get_job(job, True))
            self.polls += 1
            state = info.get("state")
            if state == FINISHED:
                measured = reported_seconds(info.get("totalProcessingTime"))
                seconds = measured if measured is not None else self._clock() - submitted
                self._timer.completed(seconds, reported_rows(info.get("numberRecordsProcessed")))
                return job
            if state in ENDED:
                raise TransientError(f"job {job} {state}: {info.get('errorMessage') or 'no errorMessage'}")
            if self._clock() >= deadline:
                self._abort(name, job)
                raise TransientError(f"job {job} still {state} after {self._polling.patience:g} s; aborted")

    def _abort(self, name: str, job: str) -> None:
        """Abort a job we no longer wait for (best effort: it may have ended meanwhile)."""
        try:
            self._call(f"PATCH {self.path}/{job}", name, lambda bulk: bulk.abort_job(job, True))
        except ExtractionError as exc:
            logger.warning("%s: could not abort job %s: %s", self.system, job, exc.detail)

    def _results(self, name: str, job: str, locator: str, folder: str) -> tuple[str, str]:
        """The CSV file (in `folder`) of the results page at `locator`, and the next locator ('' after the last)."""
        endpoint = f"GET {self.path}/{job}/results"

        def fetch(bulk: Any) -> tuple[str, str]:
            page = bulk.download_job_data(folder, job, locator, self._results_page, DOWNLOAD_CHUNK)
            with open(page["file"], encoding="utf-8", newline="") as lines:
                problem = results_page_problem(lines, page["number_of_records"])
            if problem:
                os.remove(page["file"])
                raise TransientError(f"job {job}: results page {problem}")
            return page["file"], page["locator"]

        return self._call(endpoint, name, fetch)


def typed_csv(obj: SourceObject, lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The records of Bulk API CSV lines, each value typed by `obj`'s declaration (kept as text if unreadable).

    An empty value is null (the CSV cannot tell an empty string from null); columns `obj` does not
    declare are left out.
    """
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        return
    declared = {f.name.lower(): f for f in obj.fields}
    fields = [declared.get(name.lower()) for name in header]
    for row in reader:
        yield {f.name: _typed(f, value) for f, value in zip(fields, row, strict=True) if f is not None}


def _typed(field: Field, text: str) -> Any:
    """`text` read as `field`'s type; the text itself when it does not read (quarantined downstream)."""
    try:
        return coerce_value(field, text)
    except CoercionError:
        return text


def results_page_problem(lines: Iterable[str], announced: int) -> str:
    """What is wrong with a results page's CSV lines: too few or too many rows, a row cut short; '' if nothing."""
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader, [])
        rows = 0
        for row in reader:
            rows += 1
            if len(row) != len(header):
                return f"row {rows} has {len(row)} of {len(header)} columns"
    except csv.Error as exc:
        return f"is not readable CSV ({exc})"
    return "" if rows == announced else f"has {rows} of the {announced} records announced"


def _chunks(records: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    """`records` in non-empty lists of at most `size`."""
    chunk: list[dict[str, Any]] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk

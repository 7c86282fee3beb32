"""Zuora Data Query: SQL jobs submitted, polled with backoff, and their result files streamed page by page.

Result format: **JSON lines, gzip-compressed**. JSON keeps what CSV loses: a null apart from an empty
string, numbers apart from text (amounts are parsed as Decimal, never through float), booleans as
booleans; one record per line lets the file be decoded record by record while it arrives, so a page
of records is all that is ever held in memory; gzip shrinks the transfer about tenfold. The file is
fetched from its pre-signed URL with a client of its own that sends no Authorization header (the
URL is the credential) and no Zuora-Track-Id.

A job is first polled once the run time of the previous completed job has passed since its submission
(`connectors.job_polls`), then with backoff; its own `processingTime` becomes the next job's estimate.

A failed or cancelled job, one still running past the client's patience (cancelled then), an
expired result URL and a cut-short file are retried under the shared policy: a job that did not
complete is submitted again; a completed one is read again (its URL is issued afresh on each read
of the job) and its file downloaded again past the records already yielded, which the `ORDER BY`
of every statement keeps stable. When the attempts run out, the error names the job and Zuora's
message.
"""

from __future__ import annotations

import json
import logging
import ssl
import time
import uuid
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from connectors.errors import ExtractionError
from connectors.job_polls import PollTimer, reported_rows, reported_seconds
from connectors.retry import RetryPolicy, log_retry

logger = logging.getLogger(__name__)

JOBS_PATH = "/query/jobs"
TRACK_ID_HEADER = "Zuora-Track-Id"
_TRANSPORT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


@dataclass(frozen=True)
class DataQuerySettings:
    """When and how the Zuora client uses Data Query.

    `bulk_threshold`: records to read above which an object's read goes to Data Query rather than the
    action query (see README, "Choosing the extraction path", for the measured figures behind 20,000).
    `window_records`: the most records one job reads; larger reads are split into `updateddate`
    windows so that no job nears Zuora's one-hour limit. `max_concurrent_jobs`: jobs running at once.
    Polls wait for the run time of the previous job, then back off from `poll_initial` to `poll_max` seconds;
    a job still running after `patience` seconds is cancelled and submitted again.
    """

    bulk_threshold: int = 20_000
    window_records: int = 1_000_000
    max_concurrent_jobs: int = 4
    poll_initial: float = 0.5
    poll_max: float = 30.0
    patience: float = 3300.0

    def __post_init__(self) -> None:
        if min(self.window_records, self.max_concurrent_jobs) < 1 or self.bulk_threshold < 0:
            raise ValueError("window_records and max_concurrent_jobs must be positive, bulk_threshold not negative")
        if not 0 < self.poll_initial <= self.poll_max or self.patience <= 0:
            raise ValueError("poll_initial must lie in (0, poll_max] and patience be positive")


class _AttemptFailed(Exception):
    """One attempt at a job's result that failed: the job id, Zuora's message, whether to submit anew."""

    def __init__(self, job_id: str, message: str, *, resubmit: bool):
        super().__init__(f"job {job_id}: {message}")
        self.job_id = job_id
        self.message = message
        self.resubmit = resubmit


@dataclass
class _Window:
    """One statement to run and the job currently running it."""

    sql: str
    job_id: str | None = None
    submitted: float = 0.0
    expected_rows: int | None = None
    yielded: int = 0
    attempts: int = 1


Send = Callable[..., dict[str, Any]]
"""Sends `(method, path, json[, headers])` to the Zuora API with the bearer token; the JSON object answered."""


class DataQueryJobs:
    """Runs Data Query statements as jobs and yields their result records page by page."""

    def __init__(
        self,
        send: Send,
        settings: DataQuerySettings,
        policy: RetryPolicy,
        *,
        page_size: int,
        timeout: float,
        verify: bool | str,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.settings = settings
        self.jobs = 0
        self.polls = 0
        self.downloads = 0
        self._send = send
        self._policy = policy
        self._page_size = page_size
        self._clock = clock
        self._sleep = sleep
        self._timer = PollTimer(settings.poll_initial, 2.0, settings.poll_max)
        context = ssl.create_default_context(cafile=verify) if isinstance(verify, str) else verify
        self._files = httpx.Client(timeout=timeout, verify=context)

    def pages(
        self, statements: list[str], *, read_deleted: bool = False, expected_rows: int | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """Non-empty pages of the records of `statements` (about `expected_rows` in all, if known), in order, at
        most `max_concurrent_jobs` running."""
        per_job = expected_rows // len(statements) if expected_rows and statements else None
        queue = iter(statements)
        running: deque[_Window] = deque()
        try:
            while True:
                while len(running) < self.settings.max_concurrent_jobs and (sql := next(queue, None)) is not None:
                    window = _Window(sql, expected_rows=per_job)
                    self._start(window, read_deleted)
                    running.append(window)
                if not running:
                    return
                yield from self._window_pages(running[0], read_deleted)
                running.popleft()
        except BaseException:
            for window in running:
                self._cancel_quietly(window.job_id)
            raise

    def close(self) -> None:
        """Close the file host's connections."""
        self._files.close()

    def _window_pages(self, window: _Window, read_deleted: bool) -> Iterator[list[dict[str, Any]]]:
        """The pages of one statement's result, its job submitted again or its file read again on failure."""
        while True:
            try:
                if window.job_id is None:
                    self._start(window, read_deleted)
                job = self._await(window)
                for page in self._download(job, skip=window.yielded):
                    window.yielded += len(page)
                    yield page
                return
            except _AttemptFailed as exc:
                if window.attempts >= self._policy.max_attempts:
                    raise ExtractionError(
                        "zuora",
                        f"Data Query job {exc.job_id}",
                        f"gave up after {window.attempts} attempts; last: {exc.message}",
                    ) from exc
                delay = self._policy.delay(window.attempts)
                log_retry("zuora", f"Data Query job {exc.job_id}", exc.message, window.attempts, self._policy, delay)
                self._sleep(delay)
                window.attempts += 1
                if exc.resubmit:
                    window.job_id = None

    def _start(self, window: _Window, read_deleted: bool) -> None:
        """Submit `window`'s statement as a job and note when."""
        window.job_id = self._submit(window.sql, read_deleted)
        window.submitted = self._clock()

    def _submit(self, sql: str, read_deleted: bool) -> str:
        body = {
            "query": sql,
            "outputFormat": "JSON",
            "compression": "GZIP",
            "output": {"target": "S3"},
            "readDeleted": read_deleted,
        }
        # one key per submission: a POST retried after a timeout finds the job it created, not a second one
        job = self._send("POST", JOBS_PATH, body, {"Idempotency-Key": uuid.uuid4().hex}).get("data") or {}
        self.jobs += 1
        if not isinstance(job.get("id"), str):
            raise ExtractionError("zuora", f"POST {JOBS_PATH}", "no job id in the answer")
        logger.info("zuora Data Query job %s submitted: %s", job["id"], sql)
        return job["id"]

    def _await(self, window: _Window) -> dict[str, Any]:
        """The completed job, polled when it should be done; _AttemptFailed if it fails, is cancelled or outlasts
        patience."""
        job_id, started = window.job_id or "", window.submitted
        waits = self._timer.waits(lambda: self._clock() - started, window.expected_rows)
        while True:
            self._sleep(next(waits))
            job = self._send("GET", f"{JOBS_PATH}/{job_id}", None).get("data") or {}
            self.polls += 1
            status = job.get("queryStatus")
            if status == "completed":
                measured = reported_seconds(job.get("processingTime"))
                seconds = measured if measured is not None else self._clock() - started
                self._timer.completed(seconds, reported_rows(job.get("outputRows")))
                return job
            if status in ("failed", "cancelled"):
                raise _AttemptFailed(job_id, f"{status}: {job.get('errorMessage') or 'no errorMessage'}", resubmit=True)
            if self._clock() - started >= self.settings.patience:
                self._cancel_quietly(job_id)
                raise _AttemptFailed(
                    job_id, f"still {status} after {self.settings.patience:.0f} s; cancelled", resubmit=True
                )

    def _download(self, job: dict[str, Any], *, skip: int) -> Iterator[list[dict[str, Any]]]:
        """Pages of the job's gzip JSON-lines file, streamed, past the first `skip` records."""
        job_id, url = job["id"], job.get("dataFile")
        if not url:
            raise _AttemptFailed(job_id, "completed without a dataFile", resubmit=True)
        read, page = 0, []
        try:
            with self._files.stream("GET", url) as response:
                self.downloads += 1
                if response.status_code != 200:
                    detail = response.read().decode("utf-8", "replace")
                    message = "result URL expired" if "expired" in detail.lower() else "result file refused"
                    raise _AttemptFailed(job_id, f"{message} (HTTP {response.status_code})", resubmit=False)
                for line in _lines(response.iter_raw(), job_id):
                    read += 1
                    if read > skip:
                        page.append(json.loads(line, parse_float=Decimal))
                        if len(page) >= self._page_size:
                            yield page
                            page = []
        except _TRANSPORT_ERRORS as exc:
            raise _AttemptFailed(job_id, f"result file download broke: {type(exc).__name__}", resubmit=False) from exc
        expected = job.get("outputRows")
        if isinstance(expected, int) and read != expected:
            raise _AttemptFailed(job_id, f"result file holds {read} of {expected} rows", resubmit=False)
        if page:
            yield page

    def _cancel_quietly(self, job_id: str | None) -> None:
        """Cancel a job that is no longer wanted; a failure to cancel is only logged."""
        if job_id is None:
            return
        try:
            self._send("DELETE", f"{JOBS_PATH}/{job_id}", None)
        except ExtractionError as exc:
            logger.warning("zuora Data Query job %s could not be cancelled: %s", job_id, exc)


def _lines(chunks: Iterator[bytes], job_id: str) -> Iterator[bytes]:
    """The non-empty lines of a gzip stream given in chunks; _AttemptFailed if the stream is cut short."""
    inflate = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    rest = b""
    try:
        for chunk in chunks:
            lines = (rest + inflate.decompress(chunk)).split(b"\n")
            rest = lines.pop()
            yield from (line for line in lines if line.strip())
        rest += inflate.flush()
    except zlib.error as exc:
        raise _AttemptFailed(job_id, f"result file is not valid gzip: {exc}", resubmit=False) from exc
    if not inflate.eof:
        raise _AttemptFailed(job_id, "result file is cut short", resubmit=False)
    if rest.strip():
        yield rest

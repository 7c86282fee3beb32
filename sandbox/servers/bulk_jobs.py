"""Bulk API 2.0 query jobs of the sandbox Salesforce server: states that advance with time, CSV result pages."""

from __future__ import annotations

import base64
import binascii
import csv
import datetime as dt
import io
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.servers.faults import JobFault

DEFAULT_MAX_RECORDS = 50_000
QUERY_TIMEOUT = "QUERY_TIMEOUT: Your query request was running for too long."  # assumed wording


@dataclass
class QueryJob:
    """One query job: the records its SOQL selected, when it was created and what befalls it."""

    id: str
    operation: str
    object: str
    fields: tuple[str, ...]
    records: list[dict[str, Any]]
    version: str
    created: float
    created_date: str
    fault: JobFault | None
    aborted: bool = False
    short_page_served: bool = False


@dataclass(frozen=True)
class ResultPage:
    """One page of a job's results: the CSV body, the records it announces and the next locator."""

    body: bytes
    records: int
    locator: str


class InvalidLocator(ValueError):
    """A results locator the job never handed out."""


class QueryJobs:
    """The query jobs of one server; a job queues for half of `job_seconds`, then runs for the other half."""

    def __init__(self, job_seconds: float, clock: Callable[[], float], new_id: Callable[[], str]) -> None:
        self.job_seconds = job_seconds
        self.clock = clock
        self._new_id = new_id
        self._jobs: dict[str, QueryJob] = {}
        self._lock = threading.Lock()

    def submit(
        self,
        operation: str,
        obj: str,
        fields: tuple[str, ...],
        records: list[dict[str, Any]],
        version: str,
        fault: JobFault | None,
    ) -> QueryJob:
        """Create a job over `records` (already selected); it starts in UploadComplete."""
        created_date = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "+0000")
        job = QueryJob(self._new_id(), operation, obj, fields, records, version, self.clock(), created_date, fault)
        with self._lock:
            self._jobs[job.id] = job
        return job

    def get(self, job_id: str) -> QueryJob | None:
        """The job with id `job_id`, if it exists."""
        with self._lock:
            return self._jobs.get(job_id)

    def delete(self, job_id: str) -> bool:
        """Forget a job; False when there was none."""
        with self._lock:
            return self._jobs.pop(job_id, None) is not None

    def state(self, job: QueryJob) -> str:
        """The job's state now: UploadComplete, InProgress, then JobComplete (or its fault's end)."""
        if job.aborted:
            return "Aborted"
        elapsed = self.clock() - job.created
        if elapsed < self.job_seconds / 2:
            return "UploadComplete"
        if elapsed < self.job_seconds or job.fault is JobFault.STALL:
            return "InProgress"
        return {JobFault.FAIL: "Failed", JobFault.ABORT: "Aborted"}.get(job.fault, "JobComplete")

    def info(self, job: QueryJob, *, created: bool = False) -> dict[str, Any]:
        """The job's JSON as Salesforce renders it (the creation answer is always UploadComplete)."""
        state = "UploadComplete" if created else self.state(job)
        payload: dict[str, Any] = {
            "id": job.id,
            "operation": job.operation,
            "object": job.object,
            "createdById": "005000000000000AAA",
            "createdDate": job.created_date,
            "systemModstamp": job.created_date,
            "state": state,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(job.version),
            "jobType": "V2Query",
            "lineEnding": "LF",
            "columnDelimiter": "COMMA",
        }
        if not created:
            done = state == "JobComplete"
            payload |= {"numberRecordsProcessed": len(job.records) if done else 0, "retries": 0}
            payload["totalProcessingTime"] = int(self.job_seconds * 1000) if done else 0
        if state == "Failed":
            payload["errorMessage"] = QUERY_TIMEOUT
        return payload

    def page(self, job: QueryJob, locator: str | None, max_records: int) -> ResultPage:
        """The results page at `locator` (the first when None); raises InvalidLocator."""
        offset = _offset(locator) if locator else 0
        if offset > len(job.records):
            raise InvalidLocator(locator)
        rows = job.records[offset : offset + max_records]
        end = offset + len(rows)
        shown = rows
        with self._lock:
            if job.fault is JobFault.SHORT_PAGE and not job.short_page_served and len(rows) > 1:
                job.short_page_served = True
                shown = rows[: len(rows) // 2]
        return ResultPage(_csv(job.fields, shown), len(rows), _locator(end) if end < len(job.records) else "null")


def _csv(fields: tuple[str, ...], records: list[dict[str, Any]]) -> bytes:
    """Records as Bulk API 2.0 CSV: a header of field names, every value quoted, null as empty."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(fields)
    writer.writerows([_text(record.get(f)) for f in fields] for record in records)
    return buffer.getvalue().encode("utf-8")


def _text(value: Any) -> str:
    """One value as CSV text: empty for null, `true`/`false`, numbers and strings as JSON has them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _locator(offset: int) -> str:
    """The opaque locator of the page starting at `offset` (base64 of the offset, as Salesforce's look)."""
    return base64.b64encode(str(offset).encode()).decode().rstrip("=")


def _offset(locator: str) -> int:
    """The offset a locator stands for; raises InvalidLocator."""
    try:
        text = base64.b64decode(locator + "=" * (-len(locator) % 4), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidLocator(locator) from None
    if not text.isdigit():
        raise InvalidLocator(locator)
    return int(text)

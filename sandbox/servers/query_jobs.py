"""Data Query jobs of the sandbox Zuora tenant: submitted, running for a while, then completed, failed or cancelled.

The DuckDB tables the statements run over are built once per world, in the background as soon as the
world is loaded (`build_at_load`), else on the first job. A job runs its statement in the background from
the moment it is submitted (against the world of that moment) and shows `accepted`, then `in_progress`,
until it has run and `job_seconds` have passed. The submission is answered once the statement has run or
after `ANSWER_WITHIN` seconds, whichever comes first (so small jobs are deterministic in tests, and large
ones never hold a client past its timeout). A submission repeated with the same `Idempotency-Key` returns
the job already created. A completed job carries `dataFile`, a pre-signed URL on the file host issued
afresh on each read of the job, `outputRows` and `processingTime` (from submission to completion, in
milliseconds). At most `max_running` jobs may be accepted or in progress at once; one more is refused
with 429, as Zuora caps concurrent jobs per tenant. Seeded job faults fail or cancel a job, keep it in
progress until it is cancelled, hand out an expired URL once, or cut its file short once.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.servers.data_query import DataQueryEngine, DataQueryError
from sandbox.servers.faults import JobFault
from sandbox.servers.files import ResultFiles
from sandbox.servers.store import WorldStore

FORMATS = {"JSON": "jsonl", "CSV": "csv"}
COMPRESSIONS = {"NONE": "", "GZIP": ".gz"}
TIME_LIMIT_MESSAGE = "Query exceeded the maximum time limit of 3600.00s"
FAULT_FAILURE_MESSAGE = "Query failed: the query engine lost a worker (seeded fault)"
CREATED_BY = "lnr-sandbox-api-user"
ANSWER_WITHIN = 2.0


class JobRequestError(ValueError):
    """A submission refused before a job exists: its HTTP status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Job:
    """One submitted Data Query job."""

    id: str
    query: str
    output_format: str
    compression: str
    read_deleted: bool
    submitted: float
    created_on: str
    fault: JobFault | None
    rows: int = 0
    ran_seconds: float = 0.0
    error: str | None = None
    file: str | None = None
    cancelled: bool = False
    url_expiry_served: bool = False
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def finished(self) -> bool:
        """Whether the statement has run (or failed)."""
        return self.done.is_set()


class QueryJobs:
    """The Data Query jobs of one tenant over the world currently served."""

    def __init__(
        self,
        store: WorldStore,
        files: ResultFiles,
        *,
        job_seconds: float,
        max_running: int,
        clock: Callable[[], float] = time.monotonic,
        build_at_load: bool = True,
    ) -> None:
        self.files = files
        self.clock = clock
        self.job_seconds = job_seconds
        self.max_running = max_running
        self._store = store
        self._engine: DataQueryEngine | None = None
        self._engine_store: WorldStore | None = None
        self._jobs: dict[str, Job] = {}
        self._keys: dict[str, str] = {}
        self._lock = threading.Lock()
        self._engine_lock = threading.Lock()
        self._build_at_load = build_at_load
        self._building: threading.Thread | None = None
        self._build(store)

    def load(self, store: WorldStore) -> None:
        """Query another world from now on."""
        with self._lock:
            self._store = store
        self._build(store)

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Wait until the tables of the world loaded last are built (if built at load); whether they are."""
        building = self._building
        if building is not None:
            building.join(timeout)
        return building is None or not building.is_alive()

    def _build(self, store: WorldStore) -> None:
        """Build the tables of `store` in a background thread, if built at load."""
        if self._build_at_load:
            self._building = threading.Thread(
                target=self._build_if_current, args=(store,), name="data query tables", daemon=True
            )
            self._building.start()

    def _build_if_current(self, store: WorldStore) -> None:
        """Build the tables of `store` unless another world was loaded meanwhile."""
        with self._lock:
            current = self._store is store
        if current:
            self._engine_of(store)

    def submit(self, body: Any, fault: Callable[[], JobFault | None], key: str | None) -> dict[str, Any]:
        """Create a job from a `POST /query/jobs` body and start it (or find it by `key`); raises JobRequestError."""
        spec = _job_spec(body)
        with self._lock:
            if key is not None and key in self._keys:
                return self._view(self._jobs[self._keys[key]])
            running = sum(self._state(job) in ("accepted", "in_progress") for job in self._jobs.values())
            if running >= self.max_running:
                raise JobRequestError(429, f"Too many concurrent queries: at most {self.max_running} may run")
            job = Job(id=str(uuid.uuid4()), submitted=self.clock(), created_on=_now(), fault=fault(), **spec)
            self._jobs[job.id] = job
            if key is not None:
                self._keys[key] = job.id
            store = self._store
        threading.Thread(target=self._run, args=(job, store), name=f"data query {job.id}", daemon=True).start()
        job.done.wait(ANSWER_WITHIN)
        return self._view(job, just_submitted=True)

    def _run(self, job: Job, store: WorldStore) -> None:
        """Run a job's statement into its result file."""
        name = f"{job.id}.{FORMATS[job.output_format]}{COMPRESSIONS[job.compression]}"
        try:
            job.rows = self._engine_of(store).run(
                job.query,
                self.files.path(name),
                deleted=job.read_deleted,
                output_format=job.output_format,
                gzipped=bool(COMPRESSIONS[job.compression]),
            )
            job.file = name
            if job.fault is JobFault.TRUNCATED_FILE:
                self.files.truncate_next_download(name)
        except DataQueryError as exc:
            job.error = str(exc)
        finally:
            job.ran_seconds = self.clock() - job.submitted
            job.done.set()

    def _engine_of(self, store: WorldStore) -> DataQueryEngine:
        """The DuckDB engine over `store`, built on first use."""
        with self._engine_lock:
            if self._engine is None or self._engine_store is not store:
                self._engine, self._engine_store = DataQueryEngine(store, self.files.directory), store
            return self._engine

    def get(self, job_id: str) -> dict[str, Any] | None:
        """The job as `GET /query/jobs/{id}` shows it, or None if unknown."""
        job = self._jobs.get(job_id)
        return None if job is None else self._view(job)

    def cancel(self, job_id: str) -> dict[str, Any] | None:
        """Cancel a job that has not finished; the job as it stands, or None if unknown."""
        job = self._jobs.get(job_id)
        if job is None:
            return None
        if self._state(job) in ("accepted", "in_progress"):
            job.cancelled = True
        return self._view(job)

    def _state(self, job: Job) -> str:
        elapsed = self.clock() - job.submitted
        if job.cancelled:
            return "cancelled"
        if elapsed < self.job_seconds / 2:
            return "accepted"
        if elapsed < self.job_seconds or not job.finished or job.fault is JobFault.STALL:
            return "in_progress"
        if job.fault is JobFault.ABORT:
            return "cancelled"
        return "failed" if job.error or job.fault is JobFault.FAIL else "completed"

    def _view(self, job: Job, *, just_submitted: bool = False) -> dict[str, Any]:
        state = "accepted" if just_submitted else self._state(job)
        view: dict[str, Any] = {
            "id": job.id,
            "query": job.query,
            "queryStatus": state,
            "outputFormat": job.output_format,
            "compression": job.compression,
            "readDeleted": job.read_deleted,
            "sourceData": "LIVE",
            "useIndexJoin": False,
            "remainingRetries": 3,
            "createdBy": CREATED_BY,
            "createdOn": job.created_on,
            "updatedOn": _now(),
        }
        if state == "completed":
            expired = job.fault is JobFault.EXPIRED_URL and not job.url_expiry_served
            job.url_expiry_served = job.url_expiry_served or expired
            view["dataFile"] = self.files.presign(job.file or "", expired=expired)
            view["outputRows"] = job.rows
            view["processingTime"] = int(max(self.job_seconds, job.ran_seconds) * 1000)
        elif state == "failed":
            view["errorCode"] = "QUERY_FAILED"
            view["errorMessage"] = job.error or FAULT_FAILURE_MESSAGE
        elif state == "cancelled" and not job.cancelled:
            view["errorCode"] = "QUERY_TIMEOUT"
            view["errorMessage"] = TIME_LIMIT_MESSAGE
        return view


def _job_spec(body: Any) -> dict[str, Any]:
    """The job fields of a submission body; raises JobRequestError(400)."""
    if not isinstance(body, dict) or not isinstance(body.get("query"), str) or not body["query"].strip():
        raise JobRequestError(400, "query is required")
    output_format = str(body.get("outputFormat") or "").upper()
    if output_format not in FORMATS:
        raise JobRequestError(400, f"outputFormat must be one of {', '.join(FORMATS)}")
    compression = str(body.get("compression") or "NONE").upper()
    if compression not in COMPRESSIONS:
        raise JobRequestError(400, f"compression must be one of {', '.join(COMPRESSIONS)}")
    target = (body.get("output") or {}).get("target", "S3") if isinstance(body.get("output"), dict | None) else None
    if target != "S3":
        raise JobRequestError(400, "output.target must be S3")
    read_deleted = body.get("readDeleted", False)
    if not isinstance(read_deleted, bool):
        raise JobRequestError(400, "readDeleted must be a boolean")
    return {
        "query": body["query"],
        "output_format": output_format,
        "compression": compression,
        "read_deleted": read_deleted,
    }


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

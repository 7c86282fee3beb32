"""Great-expectations in a process of its own, started as soon as extraction loads a row to validate: its import
(2 to 3 s) then runs beside the rest of the extraction instead of at the start of the raw checks."""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from checks.expectations import RowFailure, frame_failures, prepare_great_expectations
from connectors.schema import SourceObject

log = logging.getLogger(__name__)


class ValidationProcess:
    """One process that validates raw rows with great-expectations, from the first load that changed a row until
    the raw checks are done.

    Spawned, not forked: the process that starts it runs Dagster's threads. Rows are sent to it as Arrow batches
    and their failures come back; should it die, the rows are validated in this process instead.
    """

    def __init__(self) -> None:
        self._executor: ProcessPoolExecutor | None = None

    @property
    def started(self) -> bool:
        """Whether the process runs (or was started and has not failed)."""
        return self._executor is not None

    def start(self) -> None:
        """Start the process unless it runs; it imports great-expectations at once. A process that cannot start
        (this one a daemon, say) leaves the validation here."""
        if self._executor is not None:
            return
        executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        try:
            executor.submit(prepare_great_expectations)
        except Exception as refused:  # noqa: BLE001 - whatever the reason, validating here stays possible
            log.warning("no validation process (%s: %s); validating in this process", type(refused).__name__, refused)
            executor.shutdown(wait=False, cancel_futures=True)
            return
        self._executor = executor

    def submit(self, obj: SourceObject, batch: Any) -> PendingFailures:
        """The rows of `batch` that fail one of `obj`'s row expectations (`frame_failures`), to be found in the
        process if it was started (while this process goes on), else here when asked for."""
        future = None
        if self._executor is not None:
            try:
                future = self._executor.submit(frame_failures, obj, batch)
            except BrokenProcessPool as died:
                self.fall_back(died)
        return PendingFailures(self, obj, batch, future)

    def fall_back(self, died: BrokenProcessPool) -> None:
        """Validate here from now on, the process having died."""
        log.warning("the validation process stopped (%s); validating in this process", died)
        self.stop()

    def stop(self, *, wait: bool = True) -> None:
        """Stop the process, if it runs; without `wait`, it ends beside what this process does next."""
        if self._executor is not None:
            executor, self._executor = self._executor, None
            executor.shutdown(wait=wait, cancel_futures=True)


@dataclass
class PendingFailures:
    """The failures of one batch of rows, being found in the validation process (or, without it, here on demand)."""

    process: ValidationProcess
    obj: SourceObject
    batch: Any
    future: Future | None

    def result(self) -> list[RowFailure]:
        """The failures, waiting for the validation process; found here if it has none or died meanwhile."""
        if self.future is not None:
            try:
                return self.future.result()
            except BrokenProcessPool as died:
                self.process.fall_back(died)
        return frame_failures(self.obj, self.batch)


VALIDATION_PROCESS = ValidationProcess()

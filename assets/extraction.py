"""Extraction of one source object into its raw table: full or incremental, streamed page by page."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

from assets.raw_store import (
    RawNight,
    Reconciliation,
    SnapshotLoad,
    has_loaded,
    last_reconciliation,
    stored_watermark,
)
from checks.lineage import rules_reading
from connectors.base import SourceClient
from connectors.schema import SourceObject, objects_of

DEFAULT_OVERLAP = dt.timedelta(hours=1)


@dataclass(frozen=True)
class ExtractionPolicy:
    """How often objects whose ids are costly to list are reloaded in full, how far a load may shrink one, and
    whether a source that reports deleted ids is asked for them on every incremental night (or only when its
    count differs: a deletion balanced by an insert then waits for the full reload)."""

    full_reload_every: dt.timedelta = dt.timedelta(days=7)
    max_row_drop: float = 0.5
    deleted_ids_every_night: bool = True

    def __post_init__(self) -> None:
        """Refuse a drop outside 0..1 and a negative interval."""
        if not 0 <= self.max_row_drop <= 1:
            raise ValueError(f"the allowed row drop is a share from 0 to 1, not {self.max_row_drop}")
        if self.full_reload_every < dt.timedelta(0):
            raise ValueError(f"the full reload interval cannot be negative ({self.full_reload_every})")


DEFAULT_POLICY = ExtractionPolicy()


@dataclass(frozen=True)
class ExtractionResult:
    """What one extraction did: mode, records read, rows kept, API calls, time, quarantined records, whether
    the load was held (the previous snapshot kept, with the reason) and when the object was last reconciled;
    the path that read it (`query`, the small-read path, or `bulk`) and why, its bulk jobs and polls, and the
    rows removed because the source reported them deleted."""

    object: str
    mode: str
    since: dt.datetime | None
    records_read: int
    rows: int
    api_calls: int
    seconds: float
    quarantined: int
    reconciled: bool
    duplicates: int
    held: str
    reconciliation: Reconciliation
    path: str = "query"
    jobs: int = 0
    polls: int = 0
    deleted: int = 0
    path_reason: str = ""

    @property
    def records_per_second(self) -> float:
        """Records read per second of wall time."""
        return self.records_read / self.seconds if self.seconds else 0.0


def _stage(load: SnapshotLoad, pages: Iterable[list[dict]]) -> int:
    """Stage every page into `load`; the number of records read."""
    read = 0
    for page in pages:
        read += len(page)
        load.add(page)
    return read


def _size_hint(since: dt.datetime | None, previous_rows: int, loaded_before: bool) -> int | None:
    """The records a read is expected to hold: the previous snapshot's rows for a full read, else unknown."""
    return previous_rows if since is None and loaded_before else None


def _path_chosen(client: SourceClient) -> tuple[str, str]:
    """The path the client took for its last read ("query" for a client with one path), and why."""
    return getattr(client, "last_path", "") or "query", getattr(client, "last_path_reason", "")


def _full_reload_due(con: duckdb.DuckDBPyConnection, obj: SourceObject, now: dt.datetime, every: dt.timedelta) -> bool:
    """Whether `obj` was last loaded in full longer than `every` ago (or never)."""
    last = last_reconciliation(con, obj).full_loaded_at
    return last is None or now - last >= every


def _increment_bounds(con: duckdb.DuckDBPyConnection, system: str, overlap: dt.timedelta) -> dict:
    """The lower bound of the next increment of every object of `system` loaded before, by object: one read of
    deleted ids covers the night's whole system."""
    marks = {obj: stored_watermark(con, obj) for obj in objects_of(system)}
    return {obj: mark - overlap for obj, mark in marks.items() if mark is not None}


def shape_problem(
    obj: SourceObject, previous_rows: int, rows: int, loaded_before: bool, policy: ExtractionPolicy
) -> str:
    """Why a load of `rows` rows must not replace a snapshot of `previous_rows`, or "" when it may."""
    if previous_rows and not rows:
        return f"the source returned 0 rows where the previous snapshot held {previous_rows}"
    if previous_rows and rows < previous_rows * (1 - policy.max_row_drop):
        return (
            f"the source returned {rows} rows where the previous snapshot held {previous_rows}, "
            f"a fall of more than {policy.max_row_drop:.0%}"
        )
    if not rows and not loaded_before and (readers := rules_reading([obj.table])):
        return f"empty on its first load, and the catalogue reads it ({', '.join(readers)})"
    return ""


def extract(
    con: duckdb.DuckDBPyConnection,
    client: SourceClient,
    obj: SourceObject,
    *,
    full: bool = False,
    overlap: dt.timedelta = DEFAULT_OVERLAP,
    policy: ExtractionPolicy = DEFAULT_POLICY,
    accept_shape: bool = False,
    night: RawNight | None = None,
) -> ExtractionResult:
    """Load `obj` from `client` into its raw table; on any error the previous snapshot stays intact.

    An incremental load merges the records changed since the stored watermark (less `overlap`) and reconciles
    ids: every night when the client lists them cheaply, otherwise when the source's count shows a difference,
    with a full reload every `policy.full_reload_every` for what neither shows. A client that reports deleted ids
    (`iter_deleted_id_pages`) is asked for them every night (`policy.deleted_ids_every_night`, else on a count
    difference only), so a deletion balanced by an insert is seen; they are removed in the same swap, and ids are
    listed only if the count still disagrees (an insert the increment missed). When ids appear
    that the increment missed (records whose watermark lies in the past), it falls back to a full load. An object
    that fits in one page is read in full when its ids are costly: one call is cheaper than an increment with
    its count. Only a forced full load (`full`) has every row validated again; any other load notes for the
    validation the keys of the rows it added or changed.

    Before the swap, duplicate ids are resolved (the latest record kept, the others quarantined), and a load
    that would empty the object or shrink it by more than `policy.max_row_drop` is held: the previous snapshot
    stays and `meta.held_objects` says why (as it does for an empty first load of an object the rules read).
    A full read is told to expect the previous snapshot's row count, so a client with a bulk path can choose
    it without a size probe; an increment's size is not known beforehand, and its first page tells it.
    `accept_shape` swaps such a load in all the same, once the operator has confirmed the source is right.
    A load swapped in records `night` as the one the table holds (a held load leaves the previous night).
    """
    started, calls_before = time.monotonic(), client.api_calls
    jobs_before, polls_before = getattr(client, "jobs", 0), getattr(client, "polls", 0)
    load = SnapshotLoad(con, obj, night)
    previous_rows, loaded_before = load.row_count(), has_loaded(con, obj)
    watermark = None if full else stored_watermark(con, obj)
    since = watermark - overlap if watermark is not None else None
    cheap_ids = client.ids_are_cheap(obj)
    if since is not None and not cheap_ids and (
        previous_rows < client.page_size
        or _full_reload_due(con, obj, dt.datetime.now(dt.UTC), policy.full_reload_every)
    ):
        since = None
    try:
        hint = _size_hint(since, previous_rows, loaded_before)
        read = _stage(load, client.iter_pages(obj, since, expected_rows=hint))
        path, path_reason = _path_chosen(client)
        reconciled, deleted = False, 0
        if since is not None:
            reconciled = cheap_ids
            if not cheap_ids:
                count = client.count(obj)
                expected = load.row_count() + load.staged_new_ids() + len(load.rejected)
                asks_deleted = policy.deleted_ids_every_night or count != expected
                if asks_deleted and hasattr(client, "iter_deleted_id_pages"):
                    alongside = _increment_bounds(con, obj.system, overlap) if policy.deleted_ids_every_night else {}
                    for ids in client.iter_deleted_id_pages(obj, since, alongside):
                        load.add_deleted_ids(ids)
                    deleted = load.deleted_rows()
                reconciled = count != expected - deleted
            if reconciled:
                for ids in client.iter_id_pages(obj):
                    load.add_source_ids(ids)
                if load.unseen_source_ids():
                    since = None
                    load = SnapshotLoad(con, obj, night)
                    read += _stage(load, client.iter_pages(obj, expected_rows=previous_rows))
                    path, path_reason = _path_chosen(client)
        duplicates = load.resolve_duplicates()
        loaded_at = dt.datetime.now(dt.UTC)
        rows = load.rows_after_commit(incremental=since is not None, reconcile=reconciled)
        held = "" if accept_shape else shape_problem(obj, previous_rows, rows, loaded_before, policy)
        if held:
            rows = load.hold(loaded_at, rows, held)
        elif since is None:
            rows = load.commit_full(loaded_at, validate_whole=full)
        else:
            rows = load.commit_incremental(loaded_at, reconcile=reconciled)
    except BaseException:
        load.discard()
        raise
    return ExtractionResult(
        object=f"{obj.system}/{obj.name}",
        mode="full" if since is None else "incremental",
        since=since,
        records_read=read,
        rows=rows,
        api_calls=client.api_calls - calls_before,
        seconds=time.monotonic() - started,
        quarantined=len(load.rejected),
        reconciled=(reconciled or since is None) and not held,
        duplicates=duplicates,
        held=held,
        reconciliation=last_reconciliation(con, obj),
        path=path,
        jobs=getattr(client, "jobs", 0) - jobs_before,
        polls=getattr(client, "polls", 0) - polls_before,
        deleted=deleted if since is not None and not held else 0,
        path_reason=path_reason,
    )

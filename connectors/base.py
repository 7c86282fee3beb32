"""What every connector offers the extraction layer, and the pieces the three clients share."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any, Protocol, Self

from connectors.schema import SourceObject


class SourceClient(Protocol):
    """A client of one source system: records page by page, a cheap count, and all ids.

    A client with a bulk path may also offer cumulative `jobs` and `polls` counters, `last_path` ("query"
    or "bulk", set by `iter_pages`) with `last_path_reason`, and `iter_deleted_id_pages(obj, since, alongside)`
    (the deleted ids of `obj`, read with those of the objects of `alongside` in one request); the extraction reads
    them where present.
    """

    system: str
    page_size: int

    @property
    def api_calls(self) -> int:
        """HTTP requests made so far, retries and token calls included."""
        ...

    def iter_pages(
        self, obj: SourceObject, since: dt.datetime | None = None, expected_rows: int | None = None
    ) -> Iterator[list[dict]]:
        """Non-empty pages of `obj`'s records (declared fields), those with watermark >= `since` if given.

        `expected_rows`, when known, is about how many records the read holds: a client with a bulk path
        takes it when that is above its threshold, without first asking the source for the size.
        """
        ...

    def count(self, obj: SourceObject) -> int:
        """How many records of `obj` the source holds now."""
        ...

    def iter_id_pages(self, obj: SourceObject) -> Iterator[list[Any]]:
        """Non-empty pages of every id of `obj` at the source."""
        ...

    def ids_are_cheap(self, obj: SourceObject) -> bool:
        """Whether listing every id of `obj` costs less than a few percent of a full load (then ids are
        reconciled every night; otherwise deletions wait for a count change or the periodic full reload)."""
        ...

    def close(self) -> None:
        """Release the connections."""
        ...


class ClientBase(ABC):
    """Context management, a secret-free repr and the object check shared by the clients."""

    system: str
    _url: str

    @abstractmethod
    def close(self) -> None:
        """Release the connections."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._url!r})"

    def ids_are_cheap(self, obj: SourceObject) -> bool:
        """False: an id listing over HTTP pages like the records themselves, at a similar cost."""
        return False

    def _check(self, obj: SourceObject) -> None:
        if obj.system != self.system:
            raise ValueError(f"{obj.system}.{obj.name} is not a {self.system} object")


def path_by_hint(expected_rows: int | None, threshold: int) -> str:
    """Why a read goes straight to the bulk path by its size hint, or "" when its first page must tell."""
    if expected_rows is not None and expected_rows > threshold:
        return f"{expected_rows} records expected, above the bulk threshold of {threshold}; no size probe"
    return ""


def path_by_probe(size: int, threshold: int) -> tuple[str, str]:
    """The path ("query" or "bulk") a read takes by the `size` its first page reports, and why."""
    if size > threshold:
        return "bulk", f"the first page reports {size} records, above the bulk threshold of {threshold}"
    return "query", f"the first page reports {size} records, within the bulk threshold of {threshold}"


def iso_utc(moment: dt.datetime) -> str:
    """`moment` as `YYYY-MM-DDTHH:MM:SSZ` in UTC, seconds floored (naive means UTC), for `>=` filters."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def project(obj: SourceObject, record: dict[str, Any]) -> dict[str, Any]:
    """`record` reduced to `obj`'s declared fields (absent ones stay absent)."""
    return {name: record[name] for name in obj.field_names if name in record}

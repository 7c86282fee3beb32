"""A source client that reads a world's files in memory: the extraction layer without servers or HTTP."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from connectors.base import iso_utc, project
from connectors.schema import SourceObject, coerce_value
from sandbox.world import iter_records


class WorldClient:
    """The SourceClient of one system of a world folder: pages of its records as the servers would answer them.

    Each page counts as one API call. The watermark filter keeps records changed at or after `since`, to the
    second, as the three servers do.
    """

    def __init__(self, world: Path, system: str, *, page_size: int = 2000):
        self.world = Path(world)
        self.system = system
        self.page_size = page_size
        self._calls = 0

    @property
    def api_calls(self) -> int:
        """Pages served so far (one page, one call)."""
        return self._calls

    def iter_pages(
        self, obj: SourceObject, since: dt.datetime | None = None, expected_rows: int | None = None
    ) -> Iterator[list[dict]]:
        """Non-empty pages of `obj`'s records (declared fields), those with watermark >= `since` if given (one
        path whatever the size, so `expected_rows` changes nothing)."""
        records = [project(obj, record) for record in self._records(obj)]
        if since is not None:
            floor = iso_utc(since)
            records = [record for record in records if self._stamp(obj, record) >= floor]
        yield from self._pages(records)

    def count(self, obj: SourceObject) -> int:
        """How many records of `obj` the world holds."""
        self._calls += 1
        return sum(1 for _ in self._records(obj))

    def iter_id_pages(self, obj: SourceObject) -> Iterator[list[Any]]:
        """Non-empty pages of every id of `obj` in the world."""
        yield from self._pages([record[obj.key] for record in self._records(obj)])

    def ids_are_cheap(self, obj: SourceObject) -> bool:
        """True: the ids are in memory."""
        return True

    def close(self) -> None:
        """Nothing to release."""

    def _records(self, obj: SourceObject) -> Iterator[dict[str, Any]]:
        if obj.system != self.system:
            raise ValueError(f"{obj.system}.{obj.name} is not a {self.system} object")
        return iter_records(self.world, obj)

    @staticmethod
    def _stamp(obj: SourceObject, record: dict[str, Any]) -> str:
        """The record's watermark as `YYYY-MM-DDTHH:MM:SSZ` in UTC ("" when it has none)."""
        moment = coerce_value(obj.field(obj.watermark), record.get(obj.watermark))
        return iso_utc(moment) if moment is not None else ""

    def _pages(self, items: list[Any]) -> Iterator[list[Any]]:
        for start in range(0, len(items), self.page_size):
            self._calls += 1
            yield items[start : start + self.page_size]

"""A world held in memory for the sandbox servers: one table of records per declared source object.

A store loaded in place of another remembers the records the new world lacks as deleted (with their
watermark set to the moment they were seen gone), so that APIs that read deleted records can show them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from connectors.schema import SOURCE_OBJECTS, CoercionError, Field, SourceObject, coerce_value, parse_datetime
from sandbox.world import read_manifest, read_records

_SCALARS = (str, int, float, bool)


class Table:
    """The records of one source object as read from a world, with typed columns computed on demand."""

    def __init__(self, obj: SourceObject, records: list[dict[str, Any]]) -> None:
        self.obj = obj
        self.records = records
        self._names = {f.name.lower(): f.name for f in obj.fields}
        for record in records:
            for name in record:
                self._names.setdefault(name.lower(), name)
        self._memo: dict[Any, Any] = {}

    def resolve(self, name: str) -> str | None:
        """The field name as the world spells it (declared or extra), matched case-insensitively."""
        return self._names.get(name.lower())

    def declared(self, name: str) -> Field | None:
        """The schema declaration of field `name`, or None for an extra field."""
        return next((f for f in self.obj.fields if f.name == name), None)

    def column(self, name: str) -> list[Any]:
        """The typed values of field `name` in record order (None when empty or unreadable)."""
        field = self.declared(name)
        return self.memo(("column", name), lambda: [_typed(field, r.get(name)) for r in self.records])

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """The value of `compute()` cached under `key` for as long as this table lives."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


def _typed(field: Field | None, value: Any) -> Any:
    if field is None:
        return value if isinstance(value, _SCALARS) else None
    try:
        return coerce_value(field, value)
    except CoercionError:
        return None


class WorldStore:
    """Every declared object of one world directory, read once into memory, and the records deleted before it."""

    def __init__(self, world: Path, previous: WorldStore | None = None) -> None:
        self.path = Path(world)
        self.manifest = read_manifest(self.path)
        self._tables = {
            (o.system, o.name.lower()): Table(o, read_records(self.path, o)) for o in SOURCE_OBJECTS
        }
        self._deleted = {key: Table(t.obj, []) for key, t in self._tables.items()}
        if previous is not None:
            self._remember_deletions(previous)

    def table(self, system: str, name: str) -> Table | None:
        """The table of `system`'s object `name` (matched case-insensitively), or None if undeclared."""
        return self._tables.get((system, name.lower()))

    def deleted(self, system: str, name: str) -> Table | None:
        """The records of `system`'s object `name` deleted before this world, or None if undeclared."""
        return self._deleted.get((system, name.lower()))

    def _remember_deletions(self, previous: WorldStore) -> None:
        """Keep `previous`'s deleted records and add its records this world lacks, stamped as deleted now."""
        stamps: dict[str, str | None] = {}
        for key, table in self._tables.items():
            obj = table.obj
            live = {r.get(obj.key) for r in table.records}
            gone = {r.get(obj.key): r for r in previous._deleted[key].records if r.get(obj.key) not in live}
            vanished = [r for r in previous._tables[key].records if r.get(obj.key) not in live]
            if vanished and obj.system not in stamps:
                stamps[obj.system] = _latest_watermark(obj.system, [*self._tables.values(), *previous._tables.values()])
            gone.update((r.get(obj.key), {**r, obj.watermark: stamps[obj.system]}) for r in vanished)
            self._deleted[key] = Table(obj, list(gone.values()))


def _latest_watermark(system: str, tables: list[Table]) -> str | None:
    """The latest watermark of `system` in `tables` (ISO, UTC): the moment records found gone were deleted, at most."""
    stamps = [
        parse_datetime(r[t.obj.watermark])
        for t in tables
        if t.obj.system == system
        for r in t.records
        if isinstance(r.get(t.obj.watermark), str) and r[t.obj.watermark].strip()
    ]
    return max(stamps).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z") if stamps else None

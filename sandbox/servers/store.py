"""A world held in memory for the sandbox servers: one table of records per declared source object."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from connectors.schema import SOURCE_OBJECTS, CoercionError, Field, SourceObject, coerce_value
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
    """Every declared object of one world directory, read once into memory."""

    def __init__(self, world: Path) -> None:
        self.path = Path(world)
        self.manifest = read_manifest(self.path)
        self._tables = {
            (o.system, o.name.lower()): Table(o, read_records(self.path, o)) for o in SOURCE_OBJECTS
        }

    def table(self, system: str, name: str) -> Table | None:
        """The table of `system`'s object `name` (matched case-insensitively), or None if undeclared."""
        return self._tables.get((system, name.lower()))

"""Reading and writing `lnr-world/1` directories (see docs/world-format.md)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.schema import SOURCE_OBJECTS, SourceObject

WORLD_FORMAT = "lnr-world/1"
EXPECTED_FINDINGS = "expected_findings.csv"


class WorldFormatError(ValueError):
    """A directory that is not a readable `lnr-world/1` world."""


@dataclass
class Manifest:
    """The `manifest.json` of a world."""

    as_of: str
    seed: int | None = None
    generator: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def as_of_date(self) -> dt.date:
        """The world's today as a date."""
        return dt.date.fromisoformat(self.as_of)

    def to_json(self) -> dict[str, Any]:
        """The manifest as written to disk."""
        return {
            "format": WORLD_FORMAT,
            "as_of": self.as_of,
            "seed": self.seed,
            "generator": self.generator,
            "counts": self.counts,
        }


def read_manifest(world: Path) -> Manifest:
    """The manifest of `world`, checked for format and `as_of`."""
    path = Path(world) / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WorldFormatError(f"{world}: no manifest.json") from None
    except json.JSONDecodeError as exc:
        raise WorldFormatError(f"{path}: not JSON ({exc})") from None
    if data.get("format") != WORLD_FORMAT:
        raise WorldFormatError(f"{path}: format is {data.get('format')!r}, expected {WORLD_FORMAT!r}")
    if not data.get("as_of"):
        raise WorldFormatError(f"{path}: as_of is missing")
    return Manifest(
        as_of=data["as_of"],
        seed=data.get("seed"),
        generator=data.get("generator") or "",
        counts=data.get("counts") or {},
    )


def iter_records(world: Path, obj: SourceObject) -> Iterator[dict[str, Any]]:
    """The records of one object file of `world`, in file order (none if the file is missing)."""
    path = Path(world) / obj.world_path
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise WorldFormatError(f"{path}:{number}: not JSON ({exc})") from None
            if not isinstance(record, dict):
                raise WorldFormatError(f"{path}:{number}: not a JSON object")
            yield record


def read_records(world: Path, obj: SourceObject) -> list[dict[str, Any]]:
    """All records of one object file of `world`."""
    return list(iter_records(world, obj))


def write_records(world: Path, obj: SourceObject, records: Iterable[dict[str, Any]]) -> int:
    """Write one object file of `world` (nulls left out); returns the number of records."""
    path = Path(world) / obj.world_path
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for record in records:
            compact = {k: v for k, v in record.items() if v is not None}
            handle.write(json.dumps(compact, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    return count


def write_manifest(world: Path, manifest: Manifest) -> None:
    """Write `manifest.json` of `world`."""
    Path(world).mkdir(parents=True, exist_ok=True)
    (Path(world) / "manifest.json").write_text(json.dumps(manifest.to_json(), indent=2) + "\n", encoding="utf-8")


def count_records(world: Path) -> dict[str, int]:
    """The number of records per `system/Object` of `world`."""
    return {f"{o.system}/{o.name}": sum(1 for _ in iter_records(world, o)) for o in SOURCE_OBJECTS}


def read_expected_findings(world: Path) -> set[tuple[str, str]] | None:
    """The (rule_id, subject_id) pairs of `expected_findings.csv`, or None when absent."""
    path = Path(world) / EXPECTED_FINDINGS
    if not path.exists():
        return None
    with path.open(encoding="utf-8", newline="") as handle:
        return {(row["rule_id"], row["subject_id"]) for row in csv.DictReader(handle)}


def write_expected_findings(world: Path, pairs: Iterable[tuple[str, str]]) -> None:
    """Write `expected_findings.csv` of `world`, sorted."""
    with (Path(world) / EXPECTED_FINDINGS).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["rule_id", "subject_id"])
        writer.writerows(sorted(set(pairs)))

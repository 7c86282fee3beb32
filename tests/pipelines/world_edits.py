"""Edits that turn a world into the next night's: updated, new and deleted records, stamped as changed."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from connectors.schema import SOURCE_OBJECTS, FieldType, SourceObject
from sandbox.world import read_manifest, read_records, write_records

STAMPS = {"zuora": "{d}T23:00:00.000-08:00", "salesforce": "{d}T23:00:00.000+0000", "customersdot": "{d}T23:00:00.000Z"}


def _editable_field(obj: SourceObject) -> str | None:
    """A string field that is neither key, watermark nor creation stamp."""
    skip = {obj.key, obj.watermark, "CreatedDate", "created_at"}
    return next((f.name for f in obj.fields if f.type is FieldType.STRING and f.name not in skip), None)


DELETED_FROM = ("customersdot/orders", "salesforce/Opportunity", "zuora/InvoiceItem")
SOFT_DELETE = "IsDeleted"


def next_night(
    world: Path, out: Path, *, share: float = 0.02, seed: int = 1, deleted_from: tuple[str, ...] = DELETED_FROM
) -> dict[str, dict[str, set]]:
    """Copy `world` to `out` with a share of records updated and cloned as new, and deleted from some objects.

    A record deleted from an object with `IsDeleted` (Salesforce's) stays, flagged and stamped as changed, as the
    recycle bin keeps it for queryAll the day after; elsewhere it is gone."""
    rng = random.Random(seed)
    shutil.copytree(world, out)
    stamp_day = read_manifest(world).as_of
    changes: dict[str, dict[str, set]] = {}
    for obj in SOURCE_OBJECTS:
        records = read_records(world, obj)
        if not records:
            continue
        stamp = STAMPS[obj.system].format(d=stamp_day)
        deletes = f"{obj.system}/{obj.name}" in deleted_from
        field = _editable_field(obj)
        kept, updated, deleted, added = [], set(), set(), set()
        for record in records:
            roll = rng.random()
            if deletes and roll < share:
                deleted.add(record[obj.key])
                if SOFT_DELETE in obj.field_names:
                    kept.append({**record, SOFT_DELETE: True, obj.watermark: stamp})
                continue
            if roll < 2 * share and field:
                record = {**record, field: f"{record.get(field) or ''} (edited)", obj.watermark: stamp}
                updated.add(record[obj.key])
            kept.append(record)
        for template in rng.sample(records, max(1, int(len(records) * share))):
            new_key = _new_key(obj, template[obj.key], len(added))
            kept.append({**template, obj.key: new_key, obj.watermark: stamp})
            added.add(new_key)
        write_records(out, obj, kept)
        changes[f"{obj.system}/{obj.name}"] = {"updated": updated, "deleted": deleted, "added": added}
    return changes


def _new_key(obj: SourceObject, template_key, n: int):
    if obj.field(obj.key).type is FieldType.INTEGER:
        return 10_000_000 + n
    return f"{str(template_key)[:-6]}n{n:05d}"

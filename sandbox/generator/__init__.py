"""The sandbox world generator: a consistent Zuora / Salesforce / CustomersDot world, with injected defects."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from pathlib import Path

from connectors.schema import SOURCE_OBJECTS
from sandbox.generator.catalog import build_catalog
from sandbox.generator.defects import INJECTORS, inject_defects
from sandbox.generator.population import build_resellers, populate
from sandbox.generator.traps import TRAP_INSTANCES, TRAPS, apply_traps
from sandbox.generator.world_model import World
from sandbox.world import EXPECTED_FINDINGS, Manifest, write_expected_findings, write_manifest, write_records

DEFAULT_AS_OF = dt.date(2026, 11, 27)
GENERATOR = "lnr-audit sandbox generator"


def instances_per_rule(customers: int) -> int:
    """How many defects of each rule a world of `customers` customers gets (2 to 6, growing slowly)."""
    return max(2, min(6, 1 + int(math.log10(max(customers, 1)))))


def new_world(as_of: dt.date, seed: int) -> World:
    """An empty world with its catalog and reseller accounts."""
    world = World(as_of, seed)
    world.catalog = build_catalog(world)
    build_resellers(world)
    return world


def write_world(world: World, out: Path, *, seed: int, generator: str,
                expected: Iterable[tuple[str, str]] | None) -> Manifest:
    """Write every object file, the ground truth (or remove a stale one) and the manifest."""
    out = Path(out)
    counts = {f"{o.system}/{o.name}": write_records(out, o, world.live(f"{o.system}/{o.name}"))
              for o in SOURCE_OBJECTS}
    if expected is None:
        (out / EXPECTED_FINDINGS).unlink(missing_ok=True)
    else:
        write_expected_findings(out, expected)
    manifest = Manifest(as_of=world.as_of.isoformat(), seed=seed, generator=generator, counts=counts)
    write_manifest(out, manifest)
    return manifest


def population_size(customers: int, per_rule: int) -> int:
    """How many sampled customers a world of `customers` has besides its traps and `per_rule` defects per rule."""
    return max(0, customers - len(TRAPS) * TRAP_INSTANCES - per_rule * len(INJECTORS))


def populated_world(customers: int, seed: int, as_of: dt.date, per_rule: int) -> World:
    """A world of sampled customers (first in `world.customers`) and traps, with room for the defects."""
    world = new_world(as_of, seed)
    populate(world, population_size(customers, per_rule))
    apply_traps(world)
    return world


def generate(out: Path, *, customers: int = 3000, seed: int = 42, as_of: dt.date | None = None,
             defects: bool = True) -> Manifest:
    """Write a world of `customers` customers to `out`; with `defects`, inject them and write the ground truth."""
    per_rule = instances_per_rule(customers) if defects else 0
    world = populated_world(customers, seed, as_of or DEFAULT_AS_OF, per_rule)
    expected = inject_defects(world, per_rule)
    return write_world(world, out, seed=seed, expected=expected if defects else None,
                       generator=f"{GENERATOR} (customers={customers}, defects={'on' if defects else 'off'})")

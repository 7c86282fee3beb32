"""Consecutive nights: one world per night, as the three systems evolve, each with its own exact ground truth.

Night 1 is the world `generate` builds (the same population, traps and defects, from the same seed and date),
plus one *latent* defect host per rule, built and already fixed, so clean. Each later night is derived from the
night before, in memory, one day later:

- the systems keep up with the day (`evolution.keep_up`): nothing in the clean population starts or stops
  raising a finding because `as_of` moved on;
- the defects move (`_move_defects`): some persist on every night, some are fixed (their records stay,
  corrected), some are new (a latent host broken again, on records that existed and were clean, and a fresh
  host, on new records), and from night 3 on a fixed one comes back (reopened) while others stay fixed. A
  defect is fixed for good on the night its host would change under it (its subscription ends, its trial runs
  out…), so that no finding appears, disappears or turns into another behind the ground truth's back;
- the day's ordinary business happens (`evolution.churn`): new customers, payments, seat reports, edits, and
  deletions;
- every record new or changed since the night before gets a watermark on the new night's day, later than every
  watermark of the night before (`_Ledger`), so incremental extraction sees it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sandbox.generator import (
    DEFAULT_AS_OF,
    GENERATOR,
    instances_per_rule,
    populated_world,
    population_size,
    write_world,
)
from sandbox.generator.clock import Clock, days
from sandbox.generator.defects import INJECTORS, LAPSES, Change, fix_defect, inject_host, reopen_defect
from sandbox.generator.evolution import Protected, churn, keep_up
from sandbox.generator.hosts import Host
from sandbox.generator.world_model import STAMP_FIELDS, Record, World


@dataclass
class Defect:
    """One injected defect across the nights."""

    host: Host
    night: int  # the night it was injected
    lapse: dt.date | None  # the first day its host's own dates change what it raises (None: never)
    open: bool = True
    change: Change | None = None  # what its last fix did
    fixed_on: int | None = None
    retired: bool = False  # fixed for good because its host is about to change

    @property
    def finding(self) -> tuple[str, str]:
        """Its (rule_id, subject_id)."""
        return self.host.rule_id, self.host.subject

    def holds_on(self, day: dt.date) -> bool:
        """Whether the defect, left open, still raises exactly its finding on `day`."""
        return self.lapse is None or day < self.lapse

    def fix(self, world: World, night: int) -> None:
        """Fix it (its records stay, corrected)."""
        self.change = fix_defect(world, self.host)
        self.open, self.fixed_on = False, night

    def reopen(self, world: World) -> None:
        """Bring it back: the same finding on the same subject."""
        assert self.change is not None
        reopen_defect(world, self.host, self.change)
        self.open, self.change = True, None


def _lapse(host: Host, day: dt.date) -> dt.date | None:
    """The first day the host's own dates change what its defect raises (a subscription ends, a trial runs out…)."""
    ends = [sub.end for sub in host.subs if sub.in_force(day) and sub.end is not None]
    if (lapse := LAPSES.get(host.rule_id)) is not None:
        ends.append(lapse(host))
    dates = [dt.date.fromisoformat(end) if isinstance(end, str) else end for end in ends if end is not None]
    return min(dates, default=None)


class _Defects:
    """Every defect of the world by rule, and the schedule that moves them from night to night."""

    def __init__(self, per_rule: int) -> None:
        self.per_rule = per_rule
        self.by_rule: dict[str, list[Defect]] = {rule: [] for rule in INJECTORS}
        self.fresh: dict[tuple[str, int], Defect] = {}

    def inject(self, world: World, rule: str, instance: int, night: int) -> Defect:
        """Inject a defect of `rule` on a new host."""
        host = inject_host(world, rule, instance)
        defect = Defect(host, night, _lapse(host, world.as_of))
        self.by_rule[rule].append(defect)
        return defect

    def originals(self, rule: str) -> list[Defect]:
        """The defects of night 1 in their roles: the one that lasts longest persists, the next are fixed."""
        first = self.by_rule[rule][:self.per_rule]
        keeper = max(first, key=lambda d: d.lapse or dt.date.max)
        return [keeper, *(d for d in first if d is not keeper)]

    def expected(self) -> list[tuple[str, str]]:
        """The findings of the open defects."""
        return [d.finding for defects in self.by_rule.values() for d in defects if d.open]

    def protected(self) -> Protected:
        """The records the day's routine must leave alone."""
        subjects = {rule: {d.host.subject for d in defects} for rule, defects in self.by_rule.items()}
        return Protected(
            invoices=subjects["overdue_invoice_on_active_entitlement"],
            opportunities=subjects["closed_won_not_booked"] | subjects["opportunity_invoice_missing"]
            | subjects["invoice_amount_mismatch"],
            license_subs=subjects["license_expires_before_term"])


def _move_defects(world: World, defects: _Defects, night: int) -> None:
    """Fix, reopen and inject the defects of every rule on `night` (2 or later)."""
    day = world.as_of
    for index, (rule, rule_defects) in enumerate(defects.by_rule.items()):
        for defect in rule_defects:
            if defect.open and not defect.holds_on(day):
                defect.fix(world, night)
                defect.retired = True
        keeper, *others = defects.originals(rule)
        if night == 2:
            _reopen(world, rule_defects[defects.per_rule], day)  # the latent host: new on existing records
            for defect in others[:2]:
                _fix(world, defect, night)
        elif night == 3:
            _reopen(world, others[0] if index % 2 == 0 else others[1] if len(others) > 1 else None, day)
            if index % 2:
                _fix(world, defects.fresh.get((rule, 2)), night)
        elif (night + index) % 2 == 0:
            _reopen(world, next((d for d in rule_defects if d.fixed_on == night - 1), None), day)
        else:
            _fix(world, defects.fresh.get((rule, night - 1)), night)
        defects.fresh[(rule, night)] = defects.inject(world, rule, defects.per_rule + night - 1, night)


def _reopen(world: World, defect: Defect | None, day: dt.date) -> None:
    if defect is not None and not defect.open and not defect.retired and defect.holds_on(day):
        defect.reopen(world)


def _fix(world: World, defect: Defect | None, night: int) -> None:
    if defect is not None and defect.open:
        defect.fix(world, night)


class _Ledger:
    """The content of every record on the last night written, to stamp what changed since."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.snapshot = self._take()

    def _take(self) -> dict[str, dict[int, Record]]:
        return {key: {id(record): dict(record) for record in self.world.live(key)} for key in self.world.records}

    def stamp(self, day: dt.date) -> None:
        """Give every record new or changed since the snapshot a watermark on `day`, then snapshot again."""
        world = self.world
        for key, before in self.snapshot.items():
            system = key.split("/", 1)[0]
            created, updated = STAMP_FIELDS[system]
            for record in world.live(key):
                old = before.get(id(record))
                if old is None:
                    record[created] = record[updated] = world.clock.change(system, day)
                elif old != record:
                    record[updated] = world.clock.change(system, day)
        self.snapshot = self._take()


def generate_nights(out: Path, *, nights: int = 3, customers: int = 3000, seed: int = 42,
                    first_as_of: dt.date | None = None) -> list[Path]:
    """Write `out/night-1` … `out/night-N`: the same world on consecutive days, each with its exact ground truth."""
    if nights < 1:
        raise ValueError("nights must be at least 1")
    first = first_as_of or DEFAULT_AS_OF
    per_rule = instances_per_rule(customers)
    world = populated_world(customers, seed, first, per_rule)
    population = world.customers[:population_size(customers, per_rule)]
    defects = _Defects(per_rule)
    for rule in INJECTORS:
        for instance in range(per_rule):
            defects.inject(world, rule, instance, 1)
    for rule in INJECTORS:
        defects.inject(world, rule, per_rule, 1).fix(world, 1)
    generator = f"{GENERATOR}, consecutive nights (customers={customers}, nights={nights})"
    paths = [Path(out) / "night-1"]
    write_world(world, paths[0], seed=seed, generator=f"{generator}, night 1", expected=defects.expected())
    ledger = _Ledger(world)
    for night in range(2, nights + 1):
        previous, day = world.as_of, days(first, night - 1)
        world.as_of, world.clock = day, Clock(world.rng, day)
        keep_up(world, previous, day, defects.protected())
        _move_defects(world, defects, night)
        population += churn(world, day, population, max(1, customers // 300))
        ledger.stamp(day)
        paths.append(Path(out) / f"night-{night}")
        write_world(world, paths[-1], seed=seed, generator=f"{generator}, night {night}",
                    expected=defects.expected())
    return paths

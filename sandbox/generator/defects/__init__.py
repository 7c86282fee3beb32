"""One defect injector per audit rule; each injected defect yields exactly its rule's finding.

An injector is a module named after its rule id, with `inject(world, instance) -> subject_id`: it builds its
own host customer (see `sandbox.generator.hosts`), so every defect sits on distinct records that are otherwise
clean, breaks exactly what its rule checks (`instance` picks the variant), and returns the rule's subject.
Adding a rule is one module here: the modules are found, not listed.

Each module also has `fix(world, host)`: what an engineer does about the finding on the world's `as_of`
(re-sync the order, issue the license, pay the invoice…), so that the host is clean again. Fixes edit or add
records, never delete them; `fix_defect` records what a fix changed so that `reopen_defect` can bring the
defect back (a reopened finding) by undoing it, or, for a module with `reopen(world, host)`, by the edit that
breaks it again the way its system would (Zuora amends a subscription rather than forgetting a version).
A module whose finding lapses on a date of its own records (its order ends, its license expires…) says when with
`lapse(host)`. These serve the consecutive nights of `sandbox.generator.nights`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from sandbox.generator.hosts import Host
from sandbox.generator.world_model import Record, Sub, World

Injector = Callable[[World, int], str]


def _injector_modules() -> dict[str, ModuleType]:
    """Every module of this package by its name, the rule id, in alphabetical order: the order in which
    `inject_defects` draws each rule's defects from the world's random generator, so that a seed fixes a world."""
    names = sorted(module.name for module in pkgutil.iter_modules(__path__))
    return {name: importlib.import_module(f"{__name__}.{name}") for name in names}


_MODULES = _injector_modules()
INJECTORS: dict[str, Injector] = {rule_id: module.inject for rule_id, module in _MODULES.items()}


def inject_defects(world: World, per_rule: int) -> list[tuple[str, str]]:
    """Inject `per_rule` defects of every rule; returns the (rule_id, subject_id) ground truth."""
    return [(rule_id, inject(world, instance)) for rule_id, inject in INJECTORS.items()
            for instance in range(per_rule)]


def inject_host(world: World, rule_id: str, instance: int) -> Host:
    """Inject one defect and keep what it was built on."""
    marks = {key: len(records) for key, records in world.records.items()}
    first = len(world.customers)
    subject = INJECTORS[rule_id](world, instance)
    return Host(rule_id, instance, subject, world.customers[first:],
                {key: records[marks[key]:] for key, records in world.records.items()})


_SUB_LISTS = ("versions", "lines", "events", "invoices", "orders", "licenses", "activations", "seat_links")
_MISSING = object()


@dataclass
class Change:
    """What one fix did: fields it set, records it added, and subscription lists it changed."""

    host: Host
    fields: list[tuple[Record, str, Any]] = field(default_factory=list)  # record, field, value before
    added: dict[str, list[Record]] = field(default_factory=dict)  # by object key
    lists: list[tuple[Sub, str, list, list]] = field(default_factory=list)  # sub, attribute, before, after

    def undo(self, world: World) -> None:
        """Bring the defect back: restore the fields, take back the added records, restore the lists.

        Added records are taken back as each system would: a Zuora invoice is cancelled (its items stay), a
        Salesforce record is deleted to the recycle bin (`IsDeleted`), anything else is deleted.
        """
        for record, name, before in self.fields:
            if before is _MISSING:
                record.pop(name, None)
            else:
                record[name] = before
        for key, records in self.added.items():
            if key == "zuora/Invoice":
                for record in records:
                    record["Status"] = "Canceled"
            elif key.startswith("salesforce/"):
                for record in records:
                    record["IsDeleted"] = True
            elif key != "zuora/InvoiceItem" or "zuora/Invoice" not in self.added:
                world.drop(*records)
                self.host.records[key] = [r for r in self.host.records[key] if not any(r is a for a in records)]
        for sub, name, before, after in self.lists:
            current = getattr(sub, name)
            if len(current) == len(after) and all(a is b for a, b in zip(current, after, strict=True)):
                setattr(sub, name, list(before))
            else:
                added = [x for x in after if not any(x is y for y in before)]
                setattr(sub, name, [x for x in current if not any(x is y for y in added)])


def fix_defect(world: World, host: Host) -> Change:
    """Apply the fix of the host's rule and return what it changed (the fix's new records join the host)."""
    records = list(host.all_records())
    before = [dict(record) for record in records]
    live = [world.is_live(record) for record in records]
    lists = [(sub, name, list(getattr(sub, name))) for sub in host.subs for name in _SUB_LISTS]
    marks = {key: len(rows) for key, rows in world.records.items()}
    FIXERS[host.rule_id](world, host)
    change = Change(host)
    for record, old, was_live in zip(records, before, live, strict=True):
        if was_live and not world.is_live(record):
            raise AssertionError(f"the fix of {host.rule_id} deleted a record")
        for name in old.keys() | record.keys():
            if old.get(name, _MISSING) != record.get(name, _MISSING):
                change.fields.append((record, name, old.get(name, _MISSING)))
    for key, rows in world.records.items():
        new = rows[marks[key]:]
        if new:
            host.records[key].extend(new)
            change.added[key] = new
    for sub, name, old_list in lists:
        current = getattr(sub, name)
        if len(current) != len(old_list) or any(a is not b for a, b in zip(current, old_list, strict=False)):
            change.lists.append((sub, name, old_list, list(current)))
    return change


FIXERS: dict[str, Callable[[World, Host], None]] = {rule_id: module.fix for rule_id, module in _MODULES.items()}


def reopen_defect(world: World, host: Host, change: Change) -> None:
    """Bring back a fixed defect: undo its fix, or break it again with its module's `reopen`."""
    reopen = REOPENERS.get(host.rule_id)
    if reopen is None:
        change.undo(world)
        return
    marks = {key: len(rows) for key, rows in world.records.items()}
    reopen(world, host)
    for key, rows in world.records.items():
        host.records[key].extend(rows[marks[key]:])


REOPENERS: dict[str, Callable[[World, Host], None]] = {
    rule_id: module.reopen for rule_id, module in _MODULES.items() if hasattr(module, "reopen")}
LAPSES: dict[str, Callable[[Host], dt.date | str | None]] = {
    rule_id: module.lapse for rule_id, module in _MODULES.items() if hasattr(module, "lapse")}

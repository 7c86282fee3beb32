"""One night's raw layer: the audit refuses raw tables that hold different nights, unless told to allow it.

An object whose load was held back (its previous snapshot kept on purpose, and the findings that read it held
back with it) keeps its previous night without making the raw layer a mix.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import dagster as dg

from assets.raw_store import RawNight

LISTED_OBJECTS = 5  # a night held by more objects than this is summarised by their count


class MixedNights(RuntimeError):
    """The raw tables hold different nights: some objects failed to load while the others moved on."""


class RawNightsConfig(dg.Config):
    """Per-run option of the audit steps: whether raw tables of different nights may be audited together."""

    allow_mixed_nights: bool = False


def night_label(night: RawNight | None) -> str:
    """The audit date a raw table holds, or `unknown` when its load recorded none."""
    return str(night.as_of) if night is not None else "unknown"


def describe_mix(nights: Mapping[str, RawNight | None], held: Collection[str] = ()) -> str | None:
    """None when every raw table not `held` holds the same night; else which objects hold which night."""
    by_night: dict[str, list[str]] = {}
    for label, night in nights.items():
        if label not in held:
            by_night.setdefault(night_label(night), []).append(label)
    if len(by_night) <= 1:
        return None
    parts = []
    for night, labels in sorted(by_night.items(), key=lambda item: (-len(item[1]), item[0])):
        held = f"{len(labels)} objects" if len(labels) > LISTED_OBJECTS else ", ".join(sorted(labels))
        parts.append(f"{night}: {held}")
    return "; ".join(parts)


def require_one_night(
    nights: Mapping[str, RawNight | None], *, allow_mixed: bool, held: Collection[str] = ()
) -> str | None:
    """Raise MixedNights when the raw tables not `held` hold different nights and that is not allowed; the mix."""
    mix = describe_mix(nights, held)
    if mix is not None and not allow_mixed:
        raise MixedNights(
            f"the raw tables hold different nights ({mix}): some objects failed to load while the others moved on. "
            "Load them again (re-run the night), or audit the mix on purpose with --allow-mixed-nights "
            "(run config allow_mixed_nights: true)"
        )
    return mix


def nights_metadata(
    nights: Mapping[str, RawNight | None], held: Collection[str] = ()
) -> dict[str, dg.RawMetadataValue]:
    """Which night each raw table holds (and whether its last load was held back), for a run's metadata."""
    rows = "\n".join(
        f"| {label} | {night_label(night)} | {night.run_id if night else ''} | {'held' if label in held else ''} |"
        for label, night in nights.items()
    )
    return {
        "raw_nights": dg.MetadataValue.md("| object | night | loaded by run | load |\n|---|---|---|---|\n" + rows),
        "mixed_nights": describe_mix(nights, held) is not None,
    }

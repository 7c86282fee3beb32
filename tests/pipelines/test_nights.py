"""Three nights through the real pipeline over HTTP: new, open, resolved and reopened findings, history kept."""

from __future__ import annotations

import polars as pl
import pytest

from sandbox.world import read_expected_findings
from tests.pipelines.sandbox_nights import findings_of_night, live_pairs


@pytest.fixture
def three_nights(audited_nights):
    """The shared audited nights as (worlds, out, summaries)."""
    return audited_nights.worlds, audited_nights.out, audited_nights.summaries


def statuses(findings: pl.DataFrame) -> dict[tuple[str, str], str]:
    return {(r["rule_id"], r["subject_id"]): r["status"] for r in findings.iter_rows(named=True)}


def test_every_night_finds_exactly_its_ground_truth(three_nights):
    worlds, out, _ = three_nights
    for world in worlds:
        assert live_pairs(findings_of_night(out, world)) == read_expected_findings(world), world.name


def test_statuses_follow_the_findings_from_night_to_night(three_nights):
    worlds, out, _ = three_nights
    truth = [read_expected_findings(world) for world in worlds]
    night2, night3 = (statuses(findings_of_night(out, world)) for world in worlds[1:])
    for pair in truth[1] - truth[0]:
        assert night2[pair] == "new"
    for pair in truth[1] & truth[0]:
        assert night2[pair] == "open"
    for pair in truth[0] - truth[1]:
        assert night2[pair] == "resolved"
    reopened = (truth[2] & truth[0]) - truth[1]
    assert reopened, "the third night brings back a fixed defect"
    for pair in reopened:
        assert night3[pair] == "reopened"
    assert {"new", "open", "resolved"} <= set(night2.values())


def test_every_earlier_night_is_kept(three_nights):
    worlds, out, _ = three_nights
    first_again = statuses(findings_of_night(out, worlds[0]))
    assert set(first_again.values()) == {"new"}
    assert set(first_again) == read_expected_findings(worlds[0])


def test_later_nights_are_loaded_incrementally_reading_fewer_records(three_nights):
    _, _, nights = three_nights
    read = [sum(int(v["records_read"]) for v in night.objects.values()) for night in nights]
    modes = [{v["mode"] for v in night.objects.values()} for night in nights]
    assert modes[0] == {"full"} and "incremental" in modes[1]
    assert read[1] < read[0]

"""Building blocks of the generator: dates, timestamps, ids."""

from __future__ import annotations

import datetime as dt
import random

from connectors.schema import parse_datetime
from sandbox.generator.clock import Clock, add_months
from sandbox.generator.ids import SF_ACCOUNT, Ids, sf18, sf_checksum


def test_add_months_clamps_to_shorter_months() -> None:
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2023, 1, 31), 1) == dt.date(2023, 2, 28)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2026, 3, 15), -15) == dt.date(2024, 12, 15)
    assert add_months(dt.date(1900, 1, 29), 1) == dt.date(1900, 2, 28)


def test_timestamps_never_pass_as_of_in_any_offset() -> None:
    as_of = dt.date(2026, 11, 27)
    clock = Clock(random.Random(1), as_of)
    earliest_end_of_day = dt.datetime(2026, 11, 27, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=14)))
    for system in ("zuora", "salesforce", "customersdot"):
        for day in (as_of, as_of + dt.timedelta(days=400), as_of - dt.timedelta(days=1)):
            for _ in range(200):
                created, updated = clock.stamps(system, day)
                assert parse_datetime(created) <= parse_datetime(updated) <= earliest_end_of_day
                assert created[:10] <= as_of.isoformat() and updated[:10] <= as_of.isoformat()


def test_salesforce_ids_are_unique_with_valid_checksums() -> None:
    ids = Ids(random.Random(3))
    made = [ids.salesforce(SF_ACCOUNT) for _ in range(20000)]
    assert len(set(made)) == len(made) == len({m[:15] for m in made})
    assert all(m.startswith("001") and len(m) == 18 and sf18(m[:15]) == m for m in made)
    assert any(c.isupper() for m in made for c in m[3:15]) and any(c.islower() for m in made for c in m[3:15])


def test_checksum_of_documented_ids() -> None:
    assert sf_checksum("001A0000006Vm9r") == "IAC"
    assert sf_checksum("00D000000000062") == "EAA"
    assert sf18("001A0000006Vm9rIAC") == "001A0000006Vm9rIAC"

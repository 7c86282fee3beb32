"""Dates and record timestamps, all at or before the world's `as_of`."""

from __future__ import annotations

import datetime as dt
import random

_DAY = 86_400
_LATEST_SECOND = 8 * 3600  # timestamps on as_of stop at 08:00 UTC: on or before as_of in every offset
_NIGHT_SECONDS = 2 * 3600  # changes of a later night: 08:00 to 09:59:59 UTC, on that day in every offset
_ZUORA_OFFSET = 8 * 3600
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_SUFFIX = {"zuora": ".000-08:00", "salesforce": ".000+0000", "customersdot": ".000Z"}


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months, clamped to the end of a shorter month."""
    years, month = divmod(day.month - 1 + months, 12)
    year = day.year + years
    last = 29 if month == 1 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else _MONTH_DAYS[month]
    return dt.date(year, month + 1, min(day.day, last))


def days(day: dt.date, count: int) -> dt.date:
    """`day` moved by `count` days."""
    return dt.date.fromordinal(day.toordinal() + count)


_ISO: dict[dt.date, str] = {}


def iso(day: dt.date | None) -> str | None:
    """A date as `YYYY-MM-DD` (None stays None); equal dates share one string."""
    if day is None:
        return None
    text = _ISO.get(day)
    if text is None:
        text = _ISO[day] = day.isoformat()
    return text


class Clock:
    """Makes creation and update timestamps in each system's format, never after `as_of`."""

    _times: list[str] = []

    def __init__(self, rng: random.Random, as_of: dt.date) -> None:
        self._random = rng.random
        self._last = as_of.toordinal() * _DAY + _LATEST_SECOND - 1
        self._days: dict[int, str] = {}
        if not Clock._times:
            Clock._times = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]

    def _instant(self, day: dt.date) -> int:
        return min(day.toordinal() * _DAY + int(self._random() * _DAY), self._last)

    def _format(self, system: str, instant: int) -> str:
        if system == "zuora":
            instant -= _ZUORA_OFFSET
        ordinal, second = divmod(instant, _DAY)
        day = self._days.get(ordinal)
        if day is None:
            day = self._days[ordinal] = dt.date.fromordinal(ordinal).isoformat()
        return f"{day}T{self._times[second]}{_SUFFIX[system]}"

    def at(self, system: str, day: dt.date) -> str:
        """One timestamp on `day` (or on `as_of` when `day` is later)."""
        return self._format(system, self._instant(day))

    def stamps(self, system: str, day: dt.date) -> tuple[str, str]:
        """A (created, updated) pair: created on `day`; updated then, or up to 60 days later."""
        created = self._instant(day)
        text = self._format(system, created)
        draw = self._random()
        if draw < 0.5:
            return text, text
        updated = min(created + int((draw - 0.5) ** 3 * 8 * 60 * _DAY), self._last)
        return text, self._format(system, updated)

    def change(self, system: str, day: dt.date) -> str:
        """When a record changed on `day` (a later night of a world): 08:00–09:59:59 UTC, so on `day` in every
        system's format and before the end of `day` in every time zone, and after every timestamp of the day before."""
        return self._format(system, day.toordinal() * _DAY + _LATEST_SECOND + int(self._random() * _NIGHT_SECONDS))

"""Working days in England and Wales, from the maintained `holidays` package: the one
calendar of the whole service (conference deadlines, follow-ups, the dashboards).

Counting between two dates is arithmetic over cached years rather than day by day: an
overdue conference on a discussion never closed can be years old."""

from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    """The date `count` working days after `start` (start itself is day zero)."""
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


@cache
def _running_totals(year: int) -> tuple[int, ...]:
    """Index n: how many of the year's first n days are working days."""
    totals, count, day = [0], 0, date(year, 1, 1)
    while day.year == year:
        count += is_working_day(day)
        totals.append(count)
        day += timedelta(days=1)
    return tuple(totals)


def _so_far(day: date) -> int:
    return _running_totals(day.year)[day.timetuple().tm_yday]


def working_days_between(first: date, last: date) -> int:
    """Working days after `first` up to and including `last`; negative when last < first."""
    if last < first:
        return -working_days_between(last, first)
    whole_years = sum(_running_totals(year)[-1] for year in range(first.year, last.year))
    return whole_years + _so_far(last) - _so_far(first)

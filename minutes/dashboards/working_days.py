"""Working days between two dates, by arithmetic over cached years rather than day by day:
an overdue conference on a discussion never closed can be years old.

Built on strategy.working_days, whose calendar (England and Wales bank holidays) it keeps.
"""

from datetime import date, timedelta
from functools import cache

from strategy.working_days import is_working_day


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

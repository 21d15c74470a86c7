from datetime import date

from strategy.working_days import add_working_days, is_working_day


def test_fifteen_working_days_skip_weekends():
    # Monday 2 November 2026 + 15 working days = Monday 23 November 2026
    assert add_working_days(date(2026, 11, 2), 15) == date(2026, 11, 23)


def test_christmas_and_new_year_bank_holidays_are_skipped():
    # From Monday 14 December 2026: 25 Dec (Fri), 28 Dec (Mon, Boxing Day substitute) and
    # 1 Jan 2027 are bank holidays in England and Wales.
    assert not is_working_day(date(2026, 12, 25))
    assert not is_working_day(date(2026, 12, 28))
    assert not is_working_day(date(2027, 1, 1))
    assert add_working_days(date(2026, 12, 14), 15) == date(2027, 1, 7)


def test_easter_monday_2027_is_not_a_working_day():
    assert not is_working_day(date(2027, 3, 29))
    assert not is_working_day(date(2027, 3, 26))  # Good Friday

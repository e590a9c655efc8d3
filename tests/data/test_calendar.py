from datetime import date

from jiesu.data.calendar import is_working_day, schedule_covers


def test_published_schedule_decides_holidays_and_worked_weekends() -> None:
    assert schedule_covers(date(2026, 10, 1))
    assert not is_working_day(date(2026, 10, 5))  # Monday in the National Day holiday
    assert is_working_day(date(2026, 9, 20))  # Sunday worked in its place
    assert is_working_day(date(2026, 11, 26))  # an ordinary Thursday
    assert not is_working_day(date(2026, 11, 28))  # an ordinary Saturday


def test_year_without_a_published_schedule_counts_weekdays_less_fixed_days_off() -> None:
    later = date(2099, 1, 1)
    assert not schedule_covers(later)
    assert not is_working_day(later)  # Thursday, New Year's Day
    assert is_working_day(date(2099, 1, 2))  # Friday
    assert not is_working_day(date(2099, 1, 3))  # Saturday
    assert not is_working_day(date(2099, 5, 1))
    assert not is_working_day(date(2099, 10, 2))

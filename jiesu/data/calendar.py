"""Working days in mainland China: Monday–Friday, less the statutory holidays, plus the weekend days
worked in their place (调休), as the State Council publishes them each year.

The schedule comes from the `chinesecalendar` package, which ships each year's schedule once it is
published (usually in November for the year after). For a year it does not cover yet, the days off
fixed by the Gregorian calendar (全国年节及纪念日放假办法: 1 January, 1–2 May, 1–3 October) are known
and the lunar holidays are not, so those years count Monday–Friday less the fixed days off; a window
is never refused for want of data. `schedule_covers` says which rule a date gets.
"""

from __future__ import annotations

from datetime import date

import chinese_calendar

# Month and day of the statutory days off that do not move with the lunar calendar.
FIXED_DAYS_OFF = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})


def schedule_covers(day: date) -> bool:
    """Whether the published holiday schedule covers `day`'s year."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def is_working_day(day: date) -> bool:
    """A day on which offices work: the published schedule where it covers the year, else Monday–Friday
    less the fixed-date days off."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5 and (day.month, day.day) not in FIXED_DAYS_OFF

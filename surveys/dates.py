"""Dates and times as each language writes them in Belgium, through Babel.

The catalogs are "fr", "en" and "uk"; dates and times take the conventions of fr_BE, en_GB
(a Belgian service writes British English: "Friday 25 December 2026", never "Friday,
December 25, 2026" or "9:30 AM") and uk_UA. Two house rules on top of CLDR's patterns:
French writes the first of a month "1er" ("vendredi 1er janvier 2027"), and English drops
the comma after the weekday, as the GOV.UK style guide does. Times of day ("09:30") are
written by the same locale, never by ``strftime``.
"""

import re
from datetime import date, datetime, time

from babel import dates as babel_dates
from flask_babel import get_locale, get_timezone, to_user_timezone

from .i18n import FORMAT_LOCALES

# Patterns that replace CLDR's for a language and format.
HOUSE_PATTERNS = {("en", "full"): "EEEE d MMMM y"}
# The day-of-month field alone (not "dd", not inside a quoted literal).
DAY_FIELD = re.compile(r"(?<![d'])d(?![d'])")


def language() -> str:
    return str(get_locale())


def format_locale() -> str:
    return FORMAT_LOCALES.get(language(), language())


def date_pattern(value: date, format: str) -> str:
    """The pattern Babel formats ``value`` with: CLDR's for the locale, or a house one."""
    if format not in ("full", "long", "medium", "short"):
        return format  # already a pattern
    lang = language()
    pattern = HOUSE_PATTERNS.get((lang, format))
    if pattern is None:
        pattern = babel_dates.get_date_format(format, locale=format_locale()).pattern
    if lang == "fr" and value.day == 1 and format in ("full", "long"):
        pattern = DAY_FIELD.sub("d'er'", pattern)
    return pattern


def format_date(value: date | datetime, format: str = "medium") -> str:
    """A day; a moment (``datetime``) gives the day it is in Brussels."""
    if isinstance(value, datetime):
        value = to_user_timezone(value).date()
    return babel_dates.format_date(value, date_pattern(value, format), locale=format_locale())


def format_time(value: time, format: str = "short") -> str:
    """A time of day as written on a timetable ("09:30")."""
    return babel_dates.format_time(value, format, locale=format_locale())


def format_datetime(value: datetime, format: str = "medium") -> str:
    """A moment, in Brussels time."""
    return babel_dates.format_datetime(value, format, tzinfo=get_timezone(), locale=format_locale())

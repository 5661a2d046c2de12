"""Dates and times as each language writes them in Belgium: British English, French "1er",
Ukrainian as in Ukraine, times of day by the locale (never "9:30 AM")."""

from datetime import UTC, date, datetime, time

import pytest

from surveys.dates import format_date, format_datetime, format_time


@pytest.mark.parametrize(
    ("lang", "day", "format", "expected"),
    [
        ("en", date(2026, 12, 25), "full", "Friday 25 December 2026"),
        ("en", date(2026, 12, 25), "long", "25 December 2026"),
        ("en", date(2027, 3, 1), "medium", "1 Mar 2027"),
        ("fr", date(2027, 1, 1), "full", "vendredi 1er janvier 2027"),
        ("fr", date(2027, 1, 1), "long", "1er janvier 2027"),
        ("fr", date(2027, 1, 2), "full", "samedi 2 janvier 2027"),
        ("fr", date(2027, 1, 1), "medium", "1 janv. 2027"),
        ("uk", date(2027, 1, 1), "full", "пʼятниця, 1 січня 2027\u202fр."),
        # Before the year abbreviation, a narrow no-break space, as CLDR writes it.
        ("uk", date(2027, 1, 1), "long", "1 січня 2027\u202fр."),
    ],
)
def test_a_day_is_written_as_its_language_writes_it_in_belgium(app, lang, day, format, expected):
    with app.test_request_context(f"/{lang}/"):
        assert format_date(day, format) == expected


@pytest.mark.parametrize("lang", ["fr", "en", "uk"])
def test_times_of_day_are_written_on_the_24_hour_clock(app, lang):
    with app.test_request_context(f"/{lang}/"):
        assert format_time(time(9, 30)) == "09:30"
        assert format_time(time(16, 5)) == "16:05"


def test_a_moment_is_written_in_brussels_time(app):
    # 23:30 UTC on 31 December is already New Year's Day in Brussels.
    moment = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    with app.test_request_context("/en/"):
        assert format_date(moment, "long") == "1 January 2027"
        assert format_datetime(moment, "short") == "01/01/2027, 00:30"

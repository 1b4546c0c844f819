"""The date rules of `tradegraph draft` (tradegraph.draft.dates): every weekday against every
publication weekday, the edges of months and years, and last / next / this."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tradegraph.draft.dates import WEEKDAYS, find_dates

#: One week of publication dates, Monday 2025-07-14 to Sunday 2025-07-20.
WEEK = [date(2025, 7, 14) + timedelta(days=n) for n in range(7)]


def only(sentence: str, published: date) -> tuple[date | None, date | None, str]:
    found = find_dates(sentence, published)
    assert len(found) == 1, found
    return found[0].first, found[0].last, found[0].precision


@pytest.mark.parametrize("published", WEEK, ids=lambda d: d.strftime("%A"))
@pytest.mark.parametrize("weekday", WEEKDAYS)
def test_a_weekday_in_the_past_is_the_most_recent_one_on_or_before_publication(weekday: str, published: date) -> None:
    first, last, precision = only(f"The minister said on {weekday.title()} that talks would go on.", published)
    assert first == last and precision == "day" and first is not None
    assert first.strftime("%A").lower() == weekday
    assert timedelta(0) <= published - first < timedelta(days=7)


@pytest.mark.parametrize("published", WEEK, ids=lambda d: d.strftime("%A"))
@pytest.mark.parametrize("weekday", WEEKDAYS)
def test_a_weekday_in_the_future_is_the_first_one_on_or_after_publication(weekday: str, published: date) -> None:
    first, _, _ = only(f"The minister will travel to the capital on {weekday.title()}.", published)
    assert first is not None and first.strftime("%A").lower() == weekday
    assert timedelta(0) <= first - published < timedelta(days=7)


@pytest.mark.parametrize("published", WEEK, ids=lambda d: d.strftime("%A"))
@pytest.mark.parametrize("weekday", WEEKDAYS)
def test_last_next_and_this_weekday(weekday: str, published: date) -> None:
    name = weekday.title()
    last = only(f"They met last {name}.", published)[0]
    following = only(f"They meet next {name}.", published)[0]
    this = only(f"They meet this {name}.", published)[0]
    assert last is not None and following is not None and this is not None
    assert timedelta(days=1) <= published - last <= timedelta(days=7)       # strictly before
    assert timedelta(days=1) <= following - published <= timedelta(days=7)  # strictly after
    monday = published - timedelta(days=published.weekday())
    assert monday <= this <= monday + timedelta(days=6)                     # in the publication week
    assert {d.strftime("%A").lower() for d in (last, following, this)} == {weekday}


def test_the_issue_example_friday_before_a_saturday() -> None:
    assert only("After a meeting on Friday, he spoke.", date(2025, 7, 19))[:2] == (date(2025, 7, 18), date(2025, 7, 18))
    assert only("The election on Sunday is ahead.", date(2025, 7, 19))[0] == date(2025, 7, 20)


@pytest.mark.parametrize(("sentence", "published", "first", "last", "precision"), [
    # weeks run Monday to Sunday; "this week" in the past ends at publication
    ("She will visit next week.", date(2025, 7, 19), date(2025, 7, 21), date(2025, 7, 27), "week"),
    ("He announced this week a new tariff.", date(2025, 7, 11), date(2025, 7, 7), date(2025, 7, 11), "week"),
    ("Talks resume this week.", date(2025, 7, 9), date(2025, 7, 7), date(2025, 7, 13), "week"),
    ("They met last week.", date(2025, 1, 1), date(2024, 12, 23), date(2024, 12, 29), "week"),
    ("They meet next week.", date(2024, 12, 30), date(2025, 1, 6), date(2025, 1, 12), "week"),
    # months, across the year's edge, and February of a leap year
    ("Talks were held last month.", date(2025, 1, 15), date(2024, 12, 1), date(2024, 12, 31), "month"),
    ("Talks resume next month.", date(2024, 12, 15), date(2025, 1, 1), date(2025, 1, 31), "month"),
    ("Talks resume next month.", date(2024, 1, 31), date(2024, 2, 1), date(2024, 2, 29), "month"),
    ("It rose earlier this month.", date(2025, 7, 11), date(2025, 7, 1), date(2025, 7, 10), "interval"),
    ("It rises later this month.", date(2025, 7, 11), date(2025, 7, 12), date(2025, 7, 31), "interval"),
    ("The deal was struck last year.", date(2025, 3, 1), date(2024, 1, 1), date(2024, 12, 31), "year"),
    # days of the year: of publication, or the year written
    ("Tariffs rise on Aug. 1.", date(2025, 7, 19), date(2025, 8, 1), date(2025, 8, 1), "day"),
    ("Tariffs rise on 1 August.", date(2025, 7, 19), date(2025, 8, 1), date(2025, 8, 1), "day"),
    ("It was signed on Jan. 5, 2024.", date(2025, 7, 19), date(2024, 1, 5), date(2024, 1, 5), "day"),
    ("It passed on Feb. 29.", date(2024, 3, 3), date(2024, 2, 29), date(2024, 2, 29), "day"),
    # months alone; a past month after the publication's is of the year before
    ("Since April, he has travelled.", date(2025, 7, 11), date(2025, 4, 1), None, "interval"),
    ("Since November, he has travelled.", date(2025, 2, 11), date(2024, 11, 1), None, "interval"),
    ("It was agreed in December.", date(2025, 1, 10), date(2024, 12, 1), date(2024, 12, 31), "month"),
    ("Yesterday he resigned.", date(2025, 3, 1), date(2025, 2, 28), date(2025, 2, 28), "day"),
    ("They will meet tomorrow.", date(2024, 12, 31), date(2025, 1, 1), date(2025, 1, 1), "day"),
])
def test_expressions_are_intervals_or_days_never_more_precise_than_the_text(
        sentence: str, published: date, first: date, last: date | None, precision: str) -> None:
    assert only(sentence, published) == (first, last, precision)


def test_every_resolution_says_its_rule_and_keeps_the_words() -> None:
    found = find_dates("He said Tuesday that talks resume next week, before Aug. 1.", date(2025, 7, 11))
    assert [e.text for e in found] == ["Tuesday", "next week", "Aug. 1"]
    assert all(e.how for e in found)
    assert found[1].when() == {"from": "2025-07-14", "to": "2025-07-20", "precision": "week", "text": "next week",
                               "how": found[1].how}
    assert found[0].when()["date"] == "2025-07-08"


def test_an_impossible_day_is_no_date() -> None:
    assert find_dates("It happened on Feb. 30.", date(2025, 3, 1)) == []

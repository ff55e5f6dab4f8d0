"""Dated events: day-precise dates resolved to a year, with the clause they belong to."""

from __future__ import annotations

from datetime import date

import pytest

from flows.extract.events import extract_dated_events


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("3月11日，主任带队调研。", date(2024, 9, 1), [date(2024, 3, 11)]),
        ("2023年3月11日，会议召开。", date(2024, 9, 1), [date(2023, 3, 11)]),  # explicit year
        ("会议于2024-03-11召开。", None, [date(2024, 3, 11)]),
        ("会议于2024/3/11召开。", None, [date(2024, 3, 11)]),
        # more than a month after publishing: last year's December
        ("12月20日，代表视察。", date(2024, 1, 5), [date(2023, 12, 20)]),
        ("7月 17日，召开推进会。", date(2023, 11, 27), [date(2023, 7, 17)]),  # space kept
        ("三月十一日，主任调研。", date(2024, 9, 1), [date(2024, 3, 11)]),  # Chinese numerals
        ("10月12日，是赶场日。", None, []),  # no publish date, no year: skipped
        # no publish date: the year written in the same clause
        ("2月1日，会议作出决定:自2024年起设立企业家日。", None, [date(2024, 2, 1)]),
        ("将每年的2月20日设立为企业家日。", date(2024, 2, 4), []),  # recurring
        ("(新华社北京10月29日电)", date(2024, 10, 30), []),  # dateline
        ("截至今年6月底，入驻企业84家。", date(2024, 9, 1), []),  # month only
        ("原文链接:https://example.gov.cn/2024/08-29/200224.html", None, []),  # URL path
    ],
)
def test_extract_dated_events_resolves_the_year(
    text: str, published: date | None, expected: list[date]
) -> None:
    assert expected == [event.event_date for event in extract_dated_events(text, published)]


def test_extract_dated_events_carries_the_year_to_later_dates() -> None:
    text = "2月1日，会议决定自2024年起设立企业家日。2月20日，举行首个企业家日。"
    assert [date(2024, 2, 1), date(2024, 2, 20)] == [
        event.event_date for event in extract_dated_events(text, None)
    ]


def test_extract_dated_events_returns_the_clause_with_offsets() -> None:
    text = "近日召开会议。3月11日，主任带队到街道调研；随后座谈。"
    (event,) = extract_dated_events(text, date(2024, 9, 1))
    assert "3月11日，主任带队到街道调研" == event.text
    assert event.text == text[event.start : event.end]
    assert "3月11日" == event.date_text


@pytest.mark.parametrize(
    ("expected", "text"),
    [
        # Two dates, one clause: one event (the staging key is the clause), dated by the first.
        ([date(2024, 3, 3)], "3月3日至3月25日，开展集中视察。"),
        ([date(2024, 2, 8)], "2月8日，7月5日，该公司负责人两次来到服务站。"),
        # Two dates in two clauses stay two events.
        ([date(2024, 3, 3), date(2024, 3, 25)], "3月3日召开会议。3月25日开展视察。"),
    ],
)
def test_extract_dated_events_gives_one_event_per_clause(expected, text) -> None:
    events = extract_dated_events(text, date(2024, 9, 1))

    assert expected == [event.event_date for event in events]
    assert len(events) == len({(event.start, event.end) for event in events})

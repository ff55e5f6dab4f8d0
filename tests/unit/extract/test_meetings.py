"""Meetings: body, term and session numbers of People's Congress meetings."""

from __future__ import annotations

import pytest

from flows.extract.meetings import extract_meetings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8月19日，市十二届人大常委会第十三次会议召开", [("人大常委会", 12, 13)]),
        ("第十四届全国人民代表大会第二次会议开幕", [("人民代表大会", 14, 2)]),
        ("对市十二届人大二次会议代表议案建议", [("人民代表大会", 12, 2)]),  # no 第
        ("在十九届人大常委会第43次主任会议上", [("主任会议", 19, 43)]),  # Arabic session
        ("通过主任会议成员领办", [("主任会议", None, None)]),
        ("锦州市委十三届七次全会召开", []),  # a party plenum, not a congress meeting
    ],
)
def test_extract_meetings_parses_term_and_session(
    text: str, expected: list[tuple[str, int | None, int | None]]
) -> None:
    meetings = extract_meetings(text)
    assert expected == [(m.body_name, m.term_number, m.session_number) for m in meetings]
    for meeting in meetings:
        assert meeting.text == text[meeting.start : meeting.end]


def test_extract_meetings_includes_the_place_that_owns_the_meeting() -> None:
    text = "7月29日，丹江口市十九届人大常委会第二十三次会议听取报告。"
    assert ["丹江口市十九届人大常委会第二十三次会议"] == [m.text for m in extract_meetings(text)]

"""Meetings of People's Congress bodies, with their term and session numbers.

    市十五届人大常委会第八次会议          -> 人大常委会, term 15, session 8
    第十四届全国人民代表大会第二次会议    -> 人民代表大会, term 14, session 2
    市十五届人大三次会议                  -> 人民代表大会, term 15, session 3
    十六届人大常委会第27次主任会议        -> 主任会议, term 16, session 27
    主任会议                              -> 主任会议 (no numbers)

The place before the meeting (市, 某某市) is part of the text when jieba reads it as a place.
Party meetings (十一届五次全会) are not People's Congress meetings and are left out.
"""

from __future__ import annotations

import re

from flows.extract.numerals import parse_numeral
from flows.records import Meeting
from flows.segment import get_segmenter

_NUMERAL = r"(?:\d+|[零〇一二三四五六七八九十百两]+)"
_BODY = (
    r"全国人民代表大会常务委员会|全国人民代表大会|全国人大常委会|全国人大"
    r"|人民代表大会常务委员会|人民代表大会|人大常务委员会|人大常委会|常委会|人大"
)
_MEETING_RE = re.compile(
    rf"(?:第?(?P<term>{_NUMERAL})届)?(?P<body>{_BODY})"
    rf"第?(?P<session>{_NUMERAL})次(?P<kind>主任会议|全体会议|会议)"
)
_DIRECTOR_MEETING_RE = re.compile(r"主任会议")
_PLACE_POS = {"ns"}
_PLACE_ABBREVIATIONS = {"省", "市", "县", "区", "州", "乡", "镇"}


def _body_name(body: str, kind: str) -> str:
    if kind == "主任会议":
        return "主任会议"
    if "常委会" in body or "常务委员会" in body:
        return "人大常委会"
    return "人民代表大会"


def _place_start(text: str, start: int) -> int:
    """Extend the meeting back over the place that owns it (某某市, 市)."""
    window = text[max(0, start - 10) : start]
    tokens = get_segmenter().tag(window) if window else []
    if tokens and (tokens[-1].pos in _PLACE_POS or tokens[-1].text in _PLACE_ABBREVIATIONS):
        return start - len(tokens[-1].text)
    return start


def _number(group: str | None) -> int | None:
    return None if group is None else int(parse_numeral(group))


def _numbered_meetings(text: str) -> list[Meeting]:
    meetings = []
    for match in _MEETING_RE.finditer(text):
        if match.group("term") is None and match.group("body") in {"人大", "常委会"}:
            continue  # 常委会第三次会议 alone is too vague to say whose meeting it is
        start = _place_start(text, match.start())
        meetings.append(
            Meeting(
                text=text[start : match.end()],
                start=start,
                end=match.end(),
                body_name=_body_name(match.group("body"), match.group("kind")),
                term_number=_number(match.group("term")),
                session_number=_number(match.group("session")),
            )
        )
    return meetings


def extract_meetings(text: str) -> list[Meeting]:
    """Every People's Congress meeting named in `text`, in order."""
    meetings = _numbered_meetings(text)
    for match in _DIRECTOR_MEETING_RE.finditer(text):
        if not any(meeting.start <= match.start() < meeting.end for meeting in meetings):
            meetings.append(
                Meeting(
                    text=match.group(0), start=match.start(), end=match.end(), body_name="主任会议"
                )
            )
    return sorted(meetings, key=lambda meeting: meeting.start)

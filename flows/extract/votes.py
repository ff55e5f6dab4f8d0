"""Recorded votes: 赞成45票，反对1票，弃权2票 -> for 45, against 1, abstain 2.

Only votes with counts are records. 全票通过 / 满票通过 ("passed unanimously") are left out: the
page does not say how many voted, and a vote with no count would read as a vote of zero.
A count may be missing from a statement (赞成45票，弃权1票): that side is None.
"""

from __future__ import annotations

import re

from flows.extract.numerals import parse_numeral
from flows.records import Vote

_COUNT = r"(\d+|[零〇一二三四五六七八九十百两]+)"
_SEPARATOR = r"[，,、;；\s]*"
_VOTE_RE = re.compile(
    rf"(?:赞成|同意){_COUNT}票"
    rf"(?:{_SEPARATOR}反对{_COUNT}票)?"
    rf"(?:{_SEPARATOR}弃权{_COUNT}票)?"
)


def _count(group: str | None) -> int | None:
    return None if group is None else int(parse_numeral(group))


def extract_votes(text: str) -> list[Vote]:
    """Every vote tally in `text`, in order."""
    return [
        Vote(
            text=match.group(0),
            start=match.start(),
            end=match.end(),
            votes_for=_count(match.group(1)),
            votes_against=_count(match.group(2)),
            votes_abstain=_count(match.group(3)),
        )
        for match in _VOTE_RE.finditer(text)
    ]

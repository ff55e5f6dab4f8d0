"""Votes: for / against / abstain counts from a tally."""

from __future__ import annotations

import pytest

from flows.extract.votes import extract_votes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“赞成58票,反对0票,弃权0票,通过!”", [(58, 0, 0)]),  # half-width punctuation
        ("赞成58票，反对0票，弃权0票，通过！", [(58, 0, 0)]),
        ("以赞成45票、弃权1票获得通过", [(45, None, 1)]),  # no 反对: that side unknown
        ("赞成五十票，反对一票", [(50, 1, None)]),  # Chinese numerals
        ("会议全票通过了决议", []),  # unanimous without counts is not a vote record
    ],
)
def test_extract_votes_reads_the_tally(
    text: str, expected: list[tuple[int | None, int | None, int | None]]
) -> None:
    votes = extract_votes(text)
    assert expected == [(v.votes_for, v.votes_against, v.votes_abstain) for v in votes]
    for vote in votes:
        assert vote.text == text[vote.start : vote.end]

"""Day-precise dates in an article and the clause each belongs to.

    2023年5月3日, 2023-05-03, 2023/5/3, 2023.5.3   explicit year: taken as written
    5月3日, 五月三日                               year missing: resolved as below

A date without a year is resolved against the publish date: its year, or the year before when
the month/day would fall more than 31 days after publishing (a January article recalling
12月20日). Without a publish date the year must come from the text itself: a year written in the
same clause (6月1日，会议决定：自2023年起……), else the year of the previous resolved date in the
article, else the last year written earlier in the article (2023年……9月8日). With none of these
the date is skipped: a guessed year would be a wrong fact.

Not events: recurring dates (每年的9月1日), datelines (新华社北京5月3日电), month-only or
vague dates (6月底, 近日). The clause runs from the previous 。；!? (or line break) to the next;
a clause with several dates is one event, dated by its first.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from flows.extract.numerals import parse_numeral
from flows.records import DatedEvent

_CN = r"[零〇一二三四五六七八九十]{1,3}"
_MONTH_DAY = rf"(?P<month>\d{{1,2}}|{_CN})月\s*(?P<day>\d{{1,2}}|{_CN})[日号]"
_DATE_RE = re.compile(
    rf"(?:(?P<year>\d{{4}})年\s*)?{_MONTH_DAY}"
    # 2024-03-11, 2024/3/11: one separator throughout, and not inside a URL path (/2024/08-29/).
    r"|(?<![/A-Za-z0-9])(?P<iso_year>\d{4})(?P<sep>[-/.])(?P<iso_month>\d{1,2})(?P=sep)"
    r"(?P<iso_day>\d{1,2})(?![\d/])"
)
_YEAR_RE = re.compile(r"(?<!\d)(?P<year>(?:19|20)\d{2})年")
_CLAUSE_END = "。；;!！?？\n"
_RECURRING_BEFORE = ("每年", "每年的", "每月", "每月的")
_LOOKAHEAD = timedelta(days=31)


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = max((text.rfind(mark, 0, start) for mark in _CLAUSE_END), default=-1) + 1
    rights = [position for mark in _CLAUSE_END if (position := text.find(mark, end)) != -1]
    right = min(rights, default=len(text))
    while left < right and text[left].isspace():
        left += 1
    return left, right


def _is_not_an_event(text: str, match: re.Match[str]) -> bool:
    before = text[max(0, match.start() - 3) : match.start()]
    if before.endswith(_RECURRING_BEFORE):
        return True
    return text.startswith("电", match.end())  # 新华社北京5月3日电: a dateline


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _resolve_with_publish_date(month: int, day: int, published: date) -> date | None:
    candidate = _safe_date(published.year, month, day)
    if candidate is not None and candidate - published > _LOOKAHEAD:
        return _safe_date(published.year - 1, month, day)
    return candidate


def _year_from_text(
    text: str, clause: tuple[int, int], start: int, carried: int | None
) -> int | None:
    in_clause = _YEAR_RE.search(text, clause[0], clause[1])
    if in_clause is not None:
        return int(in_clause.group("year"))
    if carried is not None:
        return carried
    earlier = list(_YEAR_RE.finditer(text, 0, start))
    return int(earlier[-1].group("year")) if earlier else None


def _explicit(match: re.Match[str]) -> date | None:
    if match.group("iso_year"):
        return _safe_date(
            int(match.group("iso_year")), int(match.group("iso_month")), int(match.group("iso_day"))
        )
    month, day = int(parse_numeral(match.group("month"))), int(parse_numeral(match.group("day")))
    return _safe_date(int(match.group("year")), month, day)


def _resolve(
    text: str,
    match: re.Match[str],
    clause: tuple[int, int],
    published: date | None,
    carried: int | None,
) -> date | None:
    if match.group("iso_year") or match.group("year"):
        return _explicit(match)
    month, day = int(parse_numeral(match.group("month"))), int(parse_numeral(match.group("day")))
    if published is not None:
        return _resolve_with_publish_date(month, day, published)
    year = _year_from_text(text, clause, match.start(), carried)
    return None if year is None else _safe_date(year, month, day)


def extract_dated_events(text: str, published: date | None) -> list[DatedEvent]:
    """Every day-precise date in `text` that resolves to a calendar day, with its clause."""
    events: list[DatedEvent] = []
    carried: int | None = None
    for match in _DATE_RE.finditer(text):
        if _is_not_an_event(text, match):
            continue
        clause = _clause_bounds(text, match.start(), match.end())
        event_date = _resolve(text, match, clause, published, carried)
        if event_date is None:
            continue
        carried = event_date.year
        start, end = clause
        if events and (events[-1].start, events[-1].end) == clause:
            continue  # one event per clause (the staging grain): 3月3日至3月25日 starts on 3月3日
        events.append(
            DatedEvent(
                text=text[start:end],
                start=start,
                end=end,
                event_date=event_date,
                date_text=match.group(0),
            )
        )
    return events

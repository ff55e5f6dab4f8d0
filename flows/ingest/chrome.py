"""Recognising page chrome: the lines a site or a newspaper page wraps around the story.

Each normalised line gets a kind. CHROME lines (navigation, widgets, disclaimers, footers) and
META lines (发布时间/来源/作者 rows) are not article text; both are reported as page chrome, and
META lines are also parsed for metadata. CONTINUATION lines ("（上接第一版）") mark where a story
continues from another page. BANNER lines (a column head with its pinyin, "新闻快览 XINWEN")
are chrome that also separates stories. The vocabularies live in seeds/dictionaries/ingest_*.txt.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache

from flows.ingest.normalize import HANZI, has_hanzi
from flows.vocabulary import lines, rows

SHORT_CHROME_LINE = 40
MAX_META_LINE = 160
CONTINUATION = re.compile(
    r"^[（(【\[]?\s*(?:上接|下转|接上|转下|续上|接第|转第|紧接)[^）)】\]]{0,12}[）)】\]]?$"
)
TRAILING_CONTINUATION = re.compile(r"[（(](?:下转|转下|转第|接下)[^（）()]{0,12}[）)]$")
BREADCRUMB = re.compile(r"\S\s*(?:>|》|»|＞|→|/)\s*\S.*(?:>|》|»|＞|→)")
BANNER = re.compile(rf"^[{HANZI}]{{2,10}}\s*[A-Z]{{4,}}$")
PHONE_FOOTER = re.compile(r"(?:电话|热线|传真|联系方式|邮编|Tel|TEL)[：:]?\s*[\d\-—()（）\s]{7,}")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
BARE_DATE = re.compile(
    r"^\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
)


class LineKind(StrEnum):
    TEXT = "text"
    CHROME = "chrome"
    META = "meta"
    CONTINUATION = "continuation"
    BANNER = "banner"


def classify_line(line: str) -> LineKind:
    """The kind of one normalised, non-empty line."""
    if CONTINUATION.match(line):
        return LineKind.CONTINUATION
    if is_meta_line(line):
        return LineKind.META
    if BANNER.match(line):
        return LineKind.BANNER
    if is_chrome_line(line):
        return LineKind.CHROME
    return LineKind.TEXT


def is_meta_line(line: str) -> bool:
    """A row of metadata fields: starts with a label, or holds two labels, or is a bare date."""
    if len(line) > MAX_META_LINE:
        return False
    if BARE_DATE.match(line) and len(BARE_DATE.sub("", line)) < 30:
        return True
    labels = meta_labels_in(line)
    if not labels:
        return False
    return line.startswith(labels[0][0]) or len(labels) >= 2


def meta_labels_in(line: str) -> list[tuple[str, str, int]]:
    """(label, field, position) of every "label:" in the line, in reading order."""
    found: list[tuple[str, str, int]] = []
    if "：" not in line and ":" not in line:
        return found  # most lines: no label can follow
    taken: set[int] = set()
    for label, field in _meta_labels(rows("ingest_meta_labels")):
        if label not in line:
            continue
        for match in re.finditer(re.escape(label) + r"\s*[：:]", line):
            if match.start() not in taken and not _inside_longer_label(line, match.start()):
                found.append((label, field, match.start()))
                taken.update(range(match.start(), match.end()))
    return sorted(found, key=lambda item: item[2])


@lru_cache(maxsize=4)
def _meta_labels(labels: tuple[tuple[str, ...], ...]) -> list[tuple[str, ...]]:
    """(label, field) rows, longest label first: 文章来源 must be taken before 来源. Keyed by
    the vocabulary itself, so another dictionary folder gets its own labels."""
    return sorted(labels, key=lambda row: len(row[0]), reverse=True)


def _inside_longer_label(line: str, position: int) -> bool:
    """ "时间" in "发布时间" is not a label of its own: the character before it is a hanzi."""
    return position > 0 and has_hanzi(line[position - 1]) and line[position - 1] not in "|｜"


def is_chrome_line(line: str) -> bool:
    if _has_phrase(line, anywhere=True):
        return True
    short = len(line) <= SHORT_CHROME_LINE
    if short and _has_phrase(line, anywhere=False):
        return True
    if short and (BREADCRUMB.search(line) and "首页" in line):
        return True
    if short and (PHONE_FOOTER.search(line) or EMAIL.search(line)):
        return True
    # A short line with no Chinese at all is a widget ("X", "|", "English", "Top"), not prose.
    return len(line) <= 20 and not has_hanzi(line) and not re.search(r"\d{3,}", line)


def _has_phrase(line: str, *, anywhere: bool) -> bool:
    return any(
        phrase in line for phrase in _chrome_phrases(lines("ingest_chrome_phrases"), anywhere)
    )


@lru_cache(maxsize=4)
def _chrome_phrases(phrases: tuple[str, ...], strong: bool) -> tuple[str, ...]:
    """The vocabulary's chrome phrases of one strength, picked out once rather than on every
    line of every page. Keyed by the vocabulary itself, so another dictionary folder gets its
    own phrases.

    A leading "!" marks a phrase strong enough to mark chrome anywhere in a line.
    """
    return tuple(phrase.lstrip("!") for phrase in phrases if phrase.startswith("!") == strong)


def split_trailing_continuation(line: str) -> tuple[str, str | None]:
    """ "...（下转第二版）" at the end of a paragraph: the paragraph and the marker apart."""
    match = TRAILING_CONTINUATION.search(line)
    if not match:
        return line, None
    return line[: match.start()].rstrip(), match.group(0)

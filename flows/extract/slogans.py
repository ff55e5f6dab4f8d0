"""Policy slogans: quoted policy phrases such as “三大工程”, “5+2”, “抓项目、优服务、促发展”.

Chinese government news quotes three kinds of things: slogans, direct speech, and names or
figures of speech (“路线图”, “企业家日”). Only slogans are kept. The rules, in order:
- reject speech: sentence punctuation inside, first or second person, questions, over 30 chars;
- reject names: a quoted string ending with a name suffix (站, 系统, 日, 局 ...), from
  seeds/dictionaries/slogan_name_suffixes.txt, unless it is a + / 、 parallel phrase;
- accept parallel phrases (、 , + · or a space between 2+ parts of 2 to 18 characters);
- accept numbered phrases (三大工程, 六个一, 5+2) up to 12 characters, but not idioms (一石二鸟)
  nor session words (二次审议);
- accept other phrases of 4 to 12 characters; three-character ones only where some occurrence is
  followed by a policy word (“微改革”试点), because most three-character quotes are figures of
  speech (“指挥棒”). Two-character quotes are slogans only when numbered (“双减”, “三农”).
Every occurrence is returned, in order; the text is the quote without its quote marks.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from flows.records import Slogan
from flows.segment import get_segmenter
from flows.settings import get_settings
from flows.vocabulary import lines

_QUOTE_PATTERNS = (
    re.compile(r"“([^“”\n]{1,40})”"),
    re.compile(r"‘([^‘’\n]{1,40})’"),
    re.compile(r"「([^「」\n]{1,40})」"),
    re.compile(r'"([^"\n]{1,40})"'),
)
_NUMERAL_CHARS = "一二三四五六七八九十两双百千0123456789"
_PARALLEL_SPLIT = re.compile(r"[、,，+＋·\s]+")
_SPEECH_MARKS = re.compile(r"[。!！?？…]|[我你您]|如何|哪些|是否|吗|呢")
_SESSION_NUMERAL = re.compile(rf"[{_NUMERAL_CHARS}]次")
_MAX_LENGTH = 30
_MAX_SHORT_LENGTH = 12


def _name_suffixes() -> tuple[str, ...]:
    return lines("slogan_name_suffixes")


def _policy_heads() -> tuple[str, ...]:
    return lines("slogan_policy_heads")


def _is_speech(phrase: str) -> bool:
    return len(phrase) > _MAX_LENGTH or bool(_SPEECH_MARKS.search(phrase))


def _parallel_parts(phrase: str) -> list[str]:
    return [part for part in _PARALLEL_SPLIT.split(phrase) if part]


def _is_parallel(phrase: str) -> bool:
    parts = _parallel_parts(phrase)
    return len(parts) >= 2 and all(2 <= len(part) <= 18 for part in parts)


def _is_name(phrase: str) -> bool:
    return phrase.endswith(_name_suffixes())


def _is_idiom(phrase: str) -> bool:
    tokens = get_segmenter().tag(phrase)
    return len(tokens) == 1 and tokens[0].pos in {"i", "l"}


def _is_numbered(phrase: str) -> bool:
    return (
        any(char in _NUMERAL_CHARS for char in phrase)
        and len(phrase) <= _MAX_SHORT_LENGTH
        and not _SESSION_NUMERAL.search(phrase)
        and not _is_idiom(phrase)
    )


def _is_policy_phrase(phrase: str, followers: set[str]) -> bool:
    if len(phrase) == 3:
        return any(follower.startswith(_policy_heads()) for follower in followers)
    return 4 <= len(phrase) <= _MAX_SHORT_LENGTH and not _is_idiom(phrase)


def is_slogan(phrase: str, followers: set[str] | None = None) -> bool:
    """Whether a quoted phrase is a slogan; `followers` are the texts right after its quotes."""
    phrase = phrase.strip()
    if len(phrase) < 2 or _is_speech(phrase):
        return False
    if "+" in phrase or "＋" in phrase:
        return _is_parallel(phrase)
    if _is_name(phrase):
        return False
    if _is_parallel(phrase) or _is_numbered(phrase):
        return True
    if _parallel_parts(phrase) != [phrase]:
        return False  # 查、改、治: single characters are not a parallel slogan
    return _is_policy_phrase(phrase, followers or set())


def _quotes(text: str) -> list[re.Match[str]]:
    matches = [match for pattern in _QUOTE_PATTERNS for match in pattern.finditer(text)]
    return sorted(matches, key=lambda match: match.start())


def _followers(quotes: list[re.Match[str]], text: str) -> dict[str, set[str]]:
    followers: dict[str, set[str]] = {}
    for match in quotes:
        followers.setdefault(match.group(1).strip(), set()).add(text[match.end() : match.end() + 4])
    return followers


def extract_slogans(text: str) -> list[Slogan]:
    """Every quoted slogan in `text`, in order of appearance."""
    return list(_slogans_of(text, get_settings().dictionary_dir))


@lru_cache(maxsize=4)
def _slogans_of(text: str, dictionary_dir: Path) -> tuple[Slogan, ...]:
    # Cached: quantities skip numbers inside slogans, so each article's are asked for twice.
    # The dictionary folder is part of the key because the slogan vocabulary comes from it.
    quotes = _quotes(text)
    followers = _followers(quotes, text)
    decided: dict[str, bool] = {}
    slogans = []
    for match in quotes:
        phrase = match.group(1).strip()
        if phrase not in decided:
            decided[phrase] = is_slogan(phrase, followers[phrase])
        if decided[phrase]:
            start = match.start(1) + match.group(1).index(phrase)
            slogans.append(Slogan(text=phrase, start=start, end=start + len(phrase)))
    return tuple(slogans)

"""Text normalisation: one canonical form of the same words, whatever site or encoding they used.

What changes: full-width ASCII letters and digits are folded to ASCII; half-width punctuation in
Chinese text becomes the full-width form Chinese typesetting uses; control characters, zero-width
characters and NUL go; runs of spaces collapse; spaces inside numbers ("8 个", "7 月") go;
traditional characters become simplified (opencc). What does not: line structure (the splitter
needs it) and spaces between Chinese words (they separate names in bylines and halves of titles).
"""

from __future__ import annotations

import re
from functools import lru_cache

import opencc

from flows.ingest.decode import common_simplified

FULL_WIDTH_ALNUM = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}
FULL_WIDTH_ALNUM |= {code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)}
FULL_WIDTH_ALNUM |= {code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)}
FULL_WIDTH_ALNUM |= {ord("％"): ord("%")}
SPACE_LIKE = "\u00a0\u2002\u2003\u2009\u3000\t\x0b\x0c"
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f\x80-\x9f]")
HANZI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_BEFORE = f"[{HANZI}”’」』》）〕】]"  # what may precede punctuation that belongs to Chinese text
# "8 个", "7 月", "7月 17日": typesetting spaces inside a quantity or a date. A number that ends a
# date or time ("2024-09-01 作者") keeps its space: it separates metadata fields.
SPACE_IN_NUMBER = re.compile(rf"(?<![-/:.\d])(\d+(?:\.\d+)?) +(?=[{HANZI}])|(?<=[年月]) +(?=\d)")
HALF_TO_FULL = {",": "，", ";": "；", "?": "？", "!": "！", ":": "："}
HALF_AFTER_HANZI = re.compile(rf"(?<={CJK_BEFORE})([,;?!:])(?!//)")
HALF_BEFORE_HANZI = re.compile(rf"(?<!\d)([,;?!])(?=[{HANZI}“‘「《（])")
PAREN_WITH_HANZI = re.compile(rf"\(([^()\n]*[{HANZI}][^()\n]*)\)")
TRADITIONAL_SHARE = 0.01
MANY_SPACES = re.compile(" {2,}")


def normalize_text(text: str) -> str:
    """The whole normalisation; keeps one output line per input line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Character-level steps on the whole text at once (none of them touches a line break);
    # what depends on a line's ends or content, line by line.
    text = _fold_characters(text)
    return "\n".join(_normalize_folded_line(line) for line in text.split("\n"))


def normalize_line(line: str) -> str:
    return _normalize_folded_line(_fold_characters(line))


def _fold_characters(text: str) -> str:
    text = INVISIBLE.sub("", CONTROL.sub("", text))
    text = text.translate(FULL_WIDTH_ALNUM)
    for char in SPACE_LIKE:
        text = text.replace(char, " ")
    return MANY_SPACES.sub(" ", text)


def _normalize_folded_line(line: str) -> str:
    line = SPACE_IN_NUMBER.sub(lambda match: match.group(1) or "", line.strip())
    return unify_punctuation(line)


def unify_punctuation(line: str) -> str:
    """Chinese text gets full-width punctuation; numbers, URLs and times keep theirs."""
    if not re.search(f"[{HANZI}]", line):
        return line
    line = PAREN_WITH_HANZI.sub(r"（\1）", line)
    line = HALF_AFTER_HANZI.sub(lambda match: HALF_TO_FULL[match.group(1)], line)
    line = HALF_BEFORE_HANZI.sub(lambda match: HALF_TO_FULL[match.group(1)], line)
    return _pair_straight_quotes(line)


def _pair_straight_quotes(line: str) -> str:
    """Straight double quotes become “ ” only when they pair up; an odd count is left alone."""
    count = line.count('"')
    if count == 0 or count % 2:
        return line
    parts = line.split('"')
    pieces = [parts[0]]
    for index, part in enumerate(parts[1:]):
        pieces.append("“" if index % 2 == 0 else "”")
        pieces.append(part)
    return "".join(pieces)


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional text converted to simplified; simplified text returned untouched.

    t2s also rewrites characters that are valid simplified ones (乾 in 乾县 becomes 干), so only
    characters outside the simplified set (GB2312) count as evidence, and a stray quoted one in
    a long simplified page is not enough.
    """
    converted = _converter().convert(text)
    if converted == text:  # most pages: nothing to weigh character by character
        return text
    if len(converted) != len(text):
        return text  # never let conversion shift character offsets
    simplified = common_simplified()
    traditional = sum(
        1
        for before, after in zip(text, converted, strict=True)
        if before != after and before not in simplified
    )
    hanzi = len(re.findall(f"[{HANZI}]", text))
    return converted if traditional and traditional >= TRADITIONAL_SHARE * hanzi else text


def has_hanzi(text: str) -> bool:
    return re.search(f"[{HANZI}]", text) is not None

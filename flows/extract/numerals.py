"""Read Chinese and Arabic numerals: 三万 -> 30000, 二百七十三 -> 273, 3.5万 -> 35000, 两 -> 2.

Extractors find numeral groups with `NUMBER_PATTERN` and read only the captured groups here.
cn2an is never run over whole sentences: its `transform()` rewrites fixed phrases (五大行动 ->
5大行动), so it only ever sees a group that is already known to be a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cn2an

CHINESE_DIGITS = "零〇一二三四五六七八九两"
CHINESE_MAGNITUDES = "十百千万亿"
_ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CHINESE = f"[{CHINESE_DIGITS}{CHINESE_MAGNITUDES}]+"

# mantissa, then 多/余 inside the number (20多万, 百余), then 万/亿 scaling, then 多/余 after it
# (3万余). "以上", "近" and the like sit outside the number and are read by the caller.
NUMBER_PATTERN = (
    rf"(?P<mantissa>{_ARABIC}|{_CHINESE})"
    r"(?P<inner_approx>[多余])?"
    r"(?P<magnitude>[万亿]{1,2})?"
    r"(?P<outer_approx>[多余])?"
)
NUMBER_RE = re.compile(NUMBER_PATTERN)

_MAGNITUDE_VALUES = {"万": 10_000, "亿": 100_000_000}


@dataclass(frozen=True, slots=True)
class NumberReading:
    value: float
    approx: str | None  # 多 or 余 when written inside the number, else None
    is_chinese: bool  # written in Chinese numerals (一 then means "a", not "one")


def parse_numeral(numeral: str) -> float:
    """The value of one numeral group, Arabic or Chinese; raises ValueError if it is not one."""
    numeral = numeral.strip()
    if not numeral:
        raise ValueError("empty numeral")
    if numeral[0].isdigit():
        return _parse_arabic(numeral)
    return _parse_chinese(numeral)


def _parse_arabic(numeral: str) -> float:
    number_part = re.match(_ARABIC, numeral)
    if number_part is None:
        raise ValueError(f"not an Arabic numeral: {numeral!r}")
    value = float(number_part.group(0).replace(",", ""))
    rest = numeral[number_part.end() :]
    return value * _magnitude_of(rest)


def _magnitude_of(suffix: str) -> float:
    factor = 1.0
    for char in suffix:
        if char not in _MAGNITUDE_VALUES:
            raise ValueError(f"not a magnitude: {suffix!r}")
        factor *= _MAGNITUDE_VALUES[char]
    return factor


def _parse_chinese(numeral: str) -> float:
    # 百/千/万/亿 written alone mean one of them (近千家, 近亿元); cn2an wants the 一.
    if numeral[0] in "百千万亿":
        numeral = "一" + numeral
    try:
        return float(cn2an.cn2an(numeral, "smart"))
    except (ValueError, KeyError, IndexError) as error:
        raise ValueError(f"not a Chinese numeral: {numeral!r}") from error


def read_number(match: re.Match[str]) -> NumberReading:
    """Value and inner approximation of a `NUMBER_RE` match (20多万 -> 200000, 多)."""
    value = parse_numeral(match.group("mantissa")) * _magnitude_of(match.group("magnitude") or "")
    approx = match.group("inner_approx") or match.group("outer_approx")
    return NumberReading(
        value=value, approx=approx, is_chinese=not match.group("mantissa")[0].isdigit()
    )


def as_number(value: float) -> int | float:
    """Whole numbers as int (273, not 273.0) so that records and reports read naturally."""
    return int(value) if float(value).is_integer() else value

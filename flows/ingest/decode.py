"""Turning raw bytes into text: BOMs first, then strict UTF-8, then a real detector.

Nothing is ever decoded with errors='replace': bytes that no candidate encoding decodes cleanly
and plausibly raise `RejectedFile(UNDECODABLE)`. charset-normalizer proposes candidates, but on
short Chinese text it happily answers cp949 (Korean) or mistakes Big5 for GBK, so every candidate
is re-scored by how many of its characters are common in that encoding's own script: common
simplified characters (GB2312) for GB18030, common traditional ones (Big5 level 1) for Big5.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import lru_cache

import charset_normalizer

from flows.ingest.sources import QuarantineReason, RejectedFile

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# GBK is a subset of GB18030: decoding as GB18030 never loses a GBK file and also reads the rest.
GB_FAMILY = frozenset({"gb2312", "gbk", "gb18030", "cp936", "hz", "iso2022_cn"})
CHINESE_CANDIDATES = ("gb18030", "big5", "utf_16_le", "utf_16_be")
BINARY_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\x7fELF",
    b"\x1f\x8b",
)
MIN_PLAUSIBILITY = 0.6
MAX_CONTROL_SHARE = 0.05


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


def decode_bytes(data: bytes) -> Decoded:
    """Decodes or raises `RejectedFile` with BINARY or UNDECODABLE."""
    if data.startswith(BINARY_MAGIC):
        raise RejectedFile(QuarantineReason.BINARY, "starts with a binary file signature")
    decoded = _decode(data)
    if _control_share(decoded.text) > MAX_CONTROL_SHARE:
        raise RejectedFile(QuarantineReason.BINARY, "too many control characters for text")
    # Strict UTF-8 practically never succeeds by accident; every other guess must look like text.
    score = plausibility(decoded.text, decoded.encoding)
    if not decoded.encoding.startswith("utf-8") and score < MIN_PLAUSIBILITY:
        raise RejectedFile(
            QuarantineReason.UNDECODABLE, f"{decoded.encoding} gives noise ({score:.2f} plausible)"
        )
    return decoded


def _decode(data: bytes) -> Decoded:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return _strict(data, encoding)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        return utf16
    if _control_share(data.decode("latin-1")) > MAX_CONTROL_SHARE:
        raise RejectedFile(QuarantineReason.BINARY, "too many control bytes for text")
    return _best_candidate(data)


def _strict(data: bytes, encoding: str) -> Decoded:
    try:
        return Decoded(data.decode(encoding), encoding)
    except UnicodeDecodeError as error:
        raise RejectedFile(QuarantineReason.UNDECODABLE, f"invalid {encoding}: {error}") from error


# Below 0x20, every character but tab, newline, form feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _control_share(text: str) -> float:
    return len(_CONTROL.findall(text)) / max(len(text), 1)


def _bomless_utf16(data: bytes) -> Decoded | None:
    """UTF-16 without a BOM, accepted only when nearly every character decodes to common text.

    Random or GBK bytes read as UTF-16 land all over the BMP (Hangul, rare hanzi, private use),
    so a 0.9 share of ordinary characters does not happen by accident.
    """
    if len(data) < 4 or len(data) % 2:
        return None
    for encoding in ("utf_16_le", "utf_16_be"):
        decoded = _try(data, encoding)
        if decoded is not None and plausibility(decoded, encoding) >= 0.9:
            return Decoded(decoded, encoding)
    return None


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _best_candidate(data: bytes) -> Decoded:
    scored: list[tuple[float, int, str, str]] = []
    for rank, encoding in enumerate(_candidate_encodings(data)):
        text = _try(data, encoding)
        if text is not None:
            scored.append((plausibility(text, encoding), -rank, encoding, text))
    if not scored:
        raise RejectedFile(QuarantineReason.UNDECODABLE, "no candidate encoding decodes the bytes")
    _, _, encoding, text = max(scored)
    return Decoded(text, encoding)


def _candidate_encodings(data: bytes) -> list[str]:
    """Chinese encodings first (the corpus is Chinese), then whatever the detector adds."""
    found = [_canonical(match.encoding) for match in charset_normalizer.from_bytes(data)]
    ordered = list(CHINESE_CANDIDATES) + found
    return list(dict.fromkeys(ordered))


def _canonical(encoding: str) -> str:
    return "gb18030" if encoding.lower() in GB_FAMILY else encoding


def plausibility(text: str, encoding: str) -> float:
    """Share of characters that are ordinary text: ASCII, CJK punctuation, common hanzi."""
    if not text:
        return 0.0
    # A set lookup per character, in C: a Python test per character was a third of ingest.
    good = sum(map(_plausible_characters(_script_of(encoding)).__contains__, text))
    return good / len(text)


@lru_cache(maxsize=2)
def _plausible_characters(script: str) -> frozenset[str]:
    """Every character `plausibility` counts as ordinary text for the script."""
    ordinary = (chr(code) for code in range(0x10000) if _is_ordinary(chr(code)))
    return frozenset(ordinary) | _common_hanzi(script)


def _script_of(encoding: str) -> str:
    # GBK also encodes traditional characters, so GB18030 text may legitimately use both sets;
    # Big5 has no simplified characters, so simplified ones decoded from Big5 are noise.
    if encoding in {"big5", "big5hkscs", "cp950"}:
        return "traditional"
    return "both"


def _is_ordinary(char: str) -> bool:
    code = ord(char)
    return (
        (0x20 <= code < 0x7F)
        or char in "\t\n\r\f"
        or 0x3000 <= code <= 0x303F  # CJK punctuation
        or 0xFF01 <= code <= 0xFF5E  # full-width ASCII variants (not half-width katakana)
        or char in "“”‘’—…·"
    )


@lru_cache(maxsize=3)
def _common_hanzi(script: str) -> frozenset[str]:
    if script == "simplified":
        return _gb2312_hanzi()  # also the "is this simplified?" test of normalize.to_simplified
    if script == "traditional":
        return _big5_common_hanzi()
    return _gb2312_hanzi() | _big5_common_hanzi()


def common_simplified() -> frozenset[str]:
    """The 6763 hanzi of GB2312: the everyday simplified character set."""
    return _common_hanzi("simplified")


def _gb2312_hanzi() -> frozenset[str]:
    """GB2312 rows 0xB0-0xF7 hold its 6763 hanzi, the everyday simplified character set."""
    return _decode_range("gb2312", range(0xB0, 0xF8), range(0xA1, 0xFF))


def _big5_common_hanzi() -> frozenset[str]:
    """Big5 0xA440-0xC67E is its level-1 block of 5401 frequently used traditional characters."""
    return _decode_range("big5", range(0xA4, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)])


def _decode_range(encoding: str, leads: range, trails: list[int] | range) -> frozenset[str]:
    chars: set[str] = set()
    for lead in leads:
        for trail in trails:
            char = _try(bytes((lead, trail)), encoding)
            if char is not None and len(char) == 1:
                chars.add(char)
    return frozenset(chars)

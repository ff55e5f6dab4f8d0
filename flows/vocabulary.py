"""The one reader of the domain vocabulary in seeds/dictionaries/<name>.txt.

Domain words live in versioned text files, not in code, so that adding a role title, a unit or a
site's widget label is a data change a reviewer can read. Every file follows the same rules:
UTF-8, one entry per line; blank lines, lines starting with '#' and trailing " # comments" are
ignored. What an entry means (one phrase, several words, tab-separated columns) is up to the
caller, which picks the reader.

Results are cached per (dictionary folder, name), so callers may ask on every use and tests that
point RENDA_DICTIONARY_DIR elsewhere still read their own files.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from flows.settings import get_settings

# "word  # why it is here": a '#' after whitespace starts a comment; one inside a word (C#)
# does not.
_TRAILING_COMMENT = re.compile(r"\s+#.*$")


def lines(name: str, *, longest_first: bool = False) -> tuple[str, ...]:
    """Whole entries (one phrase a line, inner spaces kept), without duplicates.

    File order by default; `longest_first` puts longer entries first, for callers that take the
    first match and must prefer 文章来源 over 来源.
    """
    return _lines(get_settings().dictionary_dir, name, longest_first)


def word_list(name: str) -> tuple[str, ...]:
    """Every whitespace-separated word of every entry, in file order, without duplicates."""
    return _word_list(get_settings().dictionary_dir, name)


def word_set(name: str) -> frozenset[str]:
    """`word_list` as a set for membership tests: the same object on every call, so it is cheap
    to hash and to compare as a cache key."""
    return _word_set(get_settings().dictionary_dir, name)


def rows(name: str) -> tuple[tuple[str, ...], ...]:
    """Tab-separated columns of every entry, each cell stripped; for "word<TAB>value" files."""
    return _rows(get_settings().dictionary_dir, name)


@cache
def _entries(folder: Path, name: str) -> tuple[str, ...]:
    text = (folder / f"{name}.txt").read_text(encoding="utf-8")
    stripped = (_TRAILING_COMMENT.sub("", line).strip() for line in text.splitlines())
    return tuple(line for line in stripped if line and not line.startswith("#"))


@cache
def _lines(folder: Path, name: str, longest_first: bool) -> tuple[str, ...]:
    unique = tuple(dict.fromkeys(_entries(folder, name)))
    # sorted() is stable, so entries of equal length keep their file order.
    return tuple(sorted(unique, key=len, reverse=True)) if longest_first else unique


@cache
def _word_list(folder: Path, name: str) -> tuple[str, ...]:
    words = (word for entry in _entries(folder, name) for word in entry.split())
    return tuple(dict.fromkeys(words))


@cache
def _rows(folder: Path, name: str) -> tuple[tuple[str, ...], ...]:
    return tuple(
        tuple(cell.strip() for cell in entry.split("\t")) for entry in _entries(folder, name)
    )


@cache
def _word_set(dictionary_dir: Path, name: str) -> frozenset[str]:
    return frozenset(_word_list(dictionary_dir, name))

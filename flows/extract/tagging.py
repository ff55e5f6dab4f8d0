"""Part-of-speech tags only where an extractor can use them.

Tagging (jieba.posseg) costs about 6x plain segmentation, yet places, organisations and people
are found only in clauses that hold one of their trigger words: a division name, an organisation
suffix, a role title, a verb of saying. Each of those extractors names its triggers
(`tag_triggers()`); a clause holding none of them is left untagged, one token with no part of
speech, which no extractor reads as anything. The facts are the same as with the whole article
tagged (tests/unit/extract/test_tagging.py checks it on the samples and a generated corpus).
"""

from __future__ import annotations

from functools import lru_cache

from flows.extract import organizations, people, places
from flows.segment import Token, get_segmenter


def tag_for_extraction(text: str) -> list[Token]:
    """Tokens of `text`, part-of-speech tagged in every clause an extractor may read."""
    return get_segmenter().tag_clauses(text, needs_tags)


def needs_tags(clause: str) -> bool:
    """Whether `clause` holds a trigger word of any extractor that reads tags."""
    lengths_by_first = _triggers_by_first_character()
    triggers = _triggers()
    for start, char in enumerate(clause):
        for length in lengths_by_first.get(char, ()):
            if clause[start : start + length] in triggers:
                return True
    return False


@lru_cache(maxsize=1)
def _triggers() -> frozenset[str]:
    return places.tag_triggers() | organizations.tag_triggers() | people.tag_triggers()


@lru_cache(maxsize=1)
def _triggers_by_first_character() -> dict[str, tuple[int, ...]]:
    """Trigger lengths per first character: a clause is scanned once, not once per trigger."""
    lengths: dict[str, set[int]] = {}
    for word in _triggers():
        lengths.setdefault(word[0], set()).add(len(word))
    return {char: tuple(sorted(found)) for char, found in lengths.items()}

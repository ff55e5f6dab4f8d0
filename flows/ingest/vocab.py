"""Loading the ingest vocabularies from seeds/dictionaries/ingest_*.txt.

Domain words live in versioned text files, not in code, so that adding a site's widget label or a
new byline role is a data change that a reviewer can read.
"""

from __future__ import annotations

from functools import cache

from flows.settings import get_settings


@cache
def words(name: str) -> tuple[str, ...]:
    """Non-comment lines of seeds/dictionaries/ingest_<name>.txt, longest first."""
    path = get_settings().dictionary_dir / f"ingest_{name}.txt"
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = line.strip()
        if entry and not entry.startswith("#"):
            entries.append(entry)
    return tuple(sorted(dict.fromkeys(entries), key=len, reverse=True))


@cache
def pairs(name: str) -> tuple[tuple[str, str], ...]:
    """Two-column entries ("<word> <value>") of ingest_<name>.txt, longest word first."""
    return tuple(tuple(entry.split(maxsplit=1)) for entry in words(name))  # type: ignore[misc]


@cache
def tokens(name: str) -> frozenset[str]:
    """Whitespace-separated entries of ingest_<name>.txt (for long lists such as surnames)."""
    return frozenset(token for entry in words(name) for token in entry.split())

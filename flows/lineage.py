"""Lineage stamped on every fact: which code and which vocabulary produced it."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from flows.settings import get_settings


@lru_cache(maxsize=1)
def extractor_version() -> str:
    """`<package version>+<hash of seeds/dictionaries>`: a dictionary edit changes the version."""
    return f"{_package_version()}+{_dictionary_digest(get_settings().dictionary_dir)}"


def _package_version() -> str:
    try:
        return version("renda-warehouse")
    except PackageNotFoundError:
        return "0+unknown"


def _dictionary_digest(dictionary_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(dictionary_dir.glob("*.txt")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:8]

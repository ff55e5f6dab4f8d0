"""The ingest stage: files on disk -> clean, split, de-duplicated articles, or quarantine.

Public API (what the flow calls):
- discover_files(source) -> (root, paths): everything to account for, special files included.
- fingerprint(path) -> sha256 of the raw bytes, for skipping unchanged files.
- ingest_file(path, root, max_bytes=...) -> IngestOutcome: articles or a quarantine record.
- find_duplicates(articles) -> DuplicateLink list (exact and near duplicates), in two steps
  when earlier runs' articles come as stored fingerprints: fingerprint_articles(articles) for
  the new ones, then link_duplicates(new and stored fingerprints, body lookup).
"""

from __future__ import annotations

from flows.ingest.dedup import find_duplicates, fingerprint_articles, link_duplicates
from flows.ingest.pipeline import IngestOutcome, ingest_file
from flows.ingest.sources import QuarantineReason, discover_files, fingerprint

__all__ = [
    "IngestOutcome",
    "QuarantineReason",
    "discover_files",
    "find_duplicates",
    "fingerprint",
    "fingerprint_articles",
    "ingest_file",
    "link_duplicates",
]

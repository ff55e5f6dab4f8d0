"""The ingest stage: files on disk -> clean, split, de-duplicated articles, or quarantine.

Public API (what the flow calls):
- discover_files(source) -> (root, paths): everything to account for, special files included.
- fingerprint(path) -> sha256 of the raw bytes, for skipping unchanged files.
- ingest_file(path, root, max_bytes=...) -> IngestOutcome: articles or a quarantine record.
- find_duplicates(articles) -> DuplicateLink list (exact and near duplicates).
"""

from __future__ import annotations

from flows.ingest.dedup import find_duplicates
from flows.ingest.pipeline import IngestOutcome, ingest_file
from flows.ingest.sources import QuarantineReason, discover_files, fingerprint

__all__ = [
    "IngestOutcome",
    "QuarantineReason",
    "discover_files",
    "find_duplicates",
    "fingerprint",
    "ingest_file",
]

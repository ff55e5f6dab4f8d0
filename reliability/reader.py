"""A reader process for the readers-during-loads scenario: query the snapshot until told to stop.

    python -m reliability.reader PUBLISHED STOP_FILE

Each read opens the published snapshot read-only (as `renda query` and any SQL client do), takes
the article count from three places that one load changes together, and notes whether they
agree. Prints one JSON line at the end: reads, errors, inconsistent reads, counts seen.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

READ = """
select
    (select count(*) from core.dim_articles),
    (select count(*) from core.fct_articles),
    (select coalesce(sum(article_count), 0) from raw.file_ledger where status = 'loaded'),
    (select count(distinct article_sk) from core.fct_term_mentions)
"""


def read_once(published: Path) -> tuple[int, ...]:
    with duckdb.connect(str(published), read_only=True) as connection:
        return tuple(connection.execute(READ).fetchone())


def main(published: Path, stop_file: Path) -> dict:
    summary = {"reads": 0, "errors": [], "inconsistent": [], "counts": []}
    while not stop_file.exists():
        try:
            dim, fct, ledger, with_terms = read_once(published)
        except duckdb.Error as error:
            summary["errors"].append(str(error)[:200])
            continue
        summary["reads"] += 1
        if not dim == fct == ledger or with_terms > dim:
            summary["inconsistent"].append([dim, fct, ledger, with_terms])
        if dim not in summary["counts"]:
            summary["counts"].append(dim)
        time.sleep(0.01)
    return summary


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]))))

"""The README's "Ask the warehouse" queries run on the sample warehouse and give the columns and
first rows the README shows, so the documentation cannot drift from the warehouse."""

from __future__ import annotations

import csv
import io
import re

import duckdb
import pytest

from flows.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow


def readme_examples() -> list[tuple[str, list[list[str]]]]:
    """(query, expected csv rows) pairs: each query block is followed by its output block."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Ask the warehouse", 1)[1].split("\n## ", 1)[0]
    blocks = [block for block in re.split(r"\n\s*\n", section) if block.startswith("    ")]
    pairs = []
    for query, output in zip(blocks[::2], blocks[1::2], strict=True):
        sql = " ".join(line.strip() for line in query.splitlines())
        rows = list(csv.reader(io.StringIO("\n".join(line[4:] for line in output.splitlines()))))
        pairs.append((sql, rows))
    return pairs


EXAMPLES = readme_examples()


def test_readme_has_at_least_five_examples():
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize(("sql", "shown"), EXAMPLES, ids=lambda value: str(value)[:40])
def test_readme_query_gives_what_the_readme_shows(sample_warehouse, sql, shown):
    with duckdb.connect(str(sample_warehouse), read_only=True) as connection:
        cursor = connection.execute(sql)
        header = [column[0] for column in cursor.description]
        rows = cursor.fetchall()

    assert shown[0] == header
    assert len(shown) - 1 == len(rows)
    shown_first_cells = [row[0] for row in shown[1:]]
    assert shown_first_cells == ["" if row[0] is None else str(row[0]) for row in rows]

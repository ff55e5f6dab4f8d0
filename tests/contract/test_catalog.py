"""A snapshot of the whole warehouse catalog, so every schema change shows up in review.

After an intended change, refresh it with: RENDA_UPDATE_CATALOG=1 .venv/bin/python -m pytest
tests/contract/test_catalog.py, and commit tests/contract/catalog.txt with the change.
"""

from __future__ import annotations

import os

import duckdb

from flows.settings import PROJECT_ROOT
from flows.warehouse import migrate

SNAPSHOT = PROJECT_ROOT / "tests" / "contract" / "catalog.txt"


def describe_catalog() -> str:
    with duckdb.connect() as connection:
        migrate(connection, PROJECT_ROOT / "warehouse")
        columns = connection.execute(
            "select table_schema, table_name, column_name, data_type "
            "from information_schema.columns "
            "where table_schema in ('raw', 'staging', 'core', 'reporting', 'ops') "
            "order by table_schema, table_name, ordinal_position"
        ).fetchall()
    return "".join(f"{schema}.{table}.{column} {kind}\n" for schema, table, column, kind in columns)


def test_catalog_matches_the_reviewed_snapshot():
    current = describe_catalog()
    if os.environ.get("RENDA_UPDATE_CATALOG") == "1":
        SNAPSHOT.write_text(current, encoding="utf-8")

    assert SNAPSHOT.read_text(encoding="utf-8") == current

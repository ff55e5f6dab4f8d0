"""Warehouse audits (warehouse/checks/assert_*.sql): silent on the sample, loud on each fault.

Each fault is injected into a private copy of the sample warehouse; the check written to catch
it must return the offending rows, so a check that can never fire would fail here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.warehouse import checks, connect

SQL_DIR = Path(__file__).resolve().parents[2] / "warehouse"
CHECKS = {check.name: check for check in checks(SQL_DIR)}

pytestmark = pytest.mark.slow  # builds the sample warehouse with the whole pipeline

# a quantity row and the article it belongs to, picked once by each fault that needs one
SOME_QUANTITY = "(select quantity_sk from core.fct_quantities order by quantity_sk limit 1)"
SOME_ARTICLE = "(select article_sk from core.fct_quantities order by quantity_sk limit 1)"

FAULTS = {
    "assert_no_orphan_facts": f"delete from core.dim_articles where article_sk = {SOME_ARTICLE}",
    "assert_dimension_keys_resolve": (
        f"delete from core.dim_units where unit_sk = "
        f"(select unit_sk from core.fct_quantities where quantity_sk = {SOME_QUANTITY})"
    ),
    "assert_unique_surrogate_keys": (
        f"insert into core.fct_quantities select * from core.fct_quantities "
        f"where quantity_sk = {SOME_QUANTITY}"
    ),
    "assert_batch_counts_reconcile": (
        f"delete from core.fct_quantities where quantity_sk = {SOME_QUANTITY}"
    ),
    "assert_articles_have_one_fact_row": (
        f"delete from core.fct_articles where article_sk = {SOME_ARTICLE}"
    ),
    # a chain: the canonical article of the reprint becomes a duplicate of some other article
    "assert_duplicates_point_to_canonical": (
        "insert into core.fct_article_duplicates select canonical_article_sk, "
        "(select min(article_sk) from core.dim_articles where article_sk <> canonical_article_sk), "
        "method, similarity, run_id, extractor_version from core.fct_article_duplicates"
    ),
    "assert_offsets_inside_articles": (
        f"update core.fct_quantities set start_offset = start_offset + 1 "
        f"where quantity_sk = {SOME_QUANTITY}"
    ),
    "assert_articles_have_fingerprints": (
        "delete from core.fct_article_fingerprints where article_sk = "
        "(select sk(article_id) from staging.stg_articles order by article_id limit 1)"
    ),
    "assert_files_accounted_once": (
        "delete from raw.file_ledger where path = (select min(path) from staging.stg_files)"
    ),
}


@pytest.fixture
def faulty_copy(sample_warehouse: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(sample_warehouse, copy)
    return copy


def offending_rows(warehouse: Path, check_name: str, fault: str | None = None) -> list[tuple]:
    with connect(warehouse) as connection:
        if fault:
            connection.execute(fault)
        return connection.execute(CHECKS[check_name].body).fetchall()


def test_every_check_has_a_fault_that_trips_it():
    assert sorted(CHECKS) == sorted(FAULTS)


@pytest.mark.parametrize("check_name", sorted(CHECKS))
def test_check_says_what_it_catches(check_name):
    assert CHECKS[check_name].header.get("catches")


@pytest.mark.parametrize("check_name", sorted(CHECKS))
def test_check_passes_on_the_sample(sample_warehouse, check_name):
    with connect(sample_warehouse, read_only=True) as connection:
        offending = connection.execute(CHECKS[check_name].body).fetchall()

    assert [] == offending


@pytest.mark.parametrize("check_name", sorted(FAULTS))
def test_check_returns_the_rows_of_its_fault(faulty_copy, check_name):
    offending = offending_rows(faulty_copy, check_name, FAULTS[check_name])

    assert offending


def test_batch_counts_reconcile_names_the_table_that_lost_a_row(faulty_copy):
    offending = offending_rows(
        faulty_copy, "assert_batch_counts_reconcile", FAULTS["assert_batch_counts_reconcile"]
    )

    assert ["fct_quantities"] == [row[0] for row in offending]

"""The whole flow on the sample articles, through Prefect's test harness, checked with SQL."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from flows.gates import GateFailed
from flows.pipeline import renda_etl
from flows.settings import PROJECT_ROOT, Settings
from flows.warehouse import StoredFingerprints, table_counts
from tests.conftest import suites_with_quantity_cap

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

SQL_DIR = PROJECT_ROOT / "warehouse"


def query(warehouse: Path, sql: str, parameters: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql, parameters or []).fetchall()


def data_counts(warehouse: Path) -> dict[str, int]:
    """Row counts of what a run publishes (ops history grows on every run by design)."""
    counts = table_counts(warehouse, SQL_DIR)
    return {name: rows for name, rows in counts.items() if not name.startswith("ops.")}


def test_pipeline_loads_the_liaison_station_count_with_its_article(seed_copy, tmp_path):
    warehouse = tmp_path / "w.duckdb"

    renda_etl(source=str(seed_copy), warehouse=str(warehouse))

    rows = query(
        warehouse,
        "select title, cast(published_date as varchar), unit, subject "
        "from reporting.rpt_quantities where value = 273",
    )
    expected = ("以实干向时代作答 凭实绩向人民交卷", "2024-02-04", "个", "代表联络站")
    assert expected in rows


def test_pipeline_accounts_for_every_file_and_records_the_run(seed_copy, tmp_path):
    warehouse = tmp_path / "w.duckdb"

    summary = renda_etl(source=str(seed_copy), warehouse=str(warehouse))

    ledger = query(warehouse, "select path, status from raw.file_ledger order by path")
    assert [(path.name, "loaded") for path in sorted(seed_copy.iterdir())] == ledger
    runs = query(warehouse, "select run_id, status from reporting.rpt_runs")
    assert [(summary.run_id, "completed")] == runs
    failed_checks = query(
        warehouse, "select count(*) from reporting.rpt_data_quality where not success"
    )
    assert [(0,)] == failed_checks


def test_rerun_of_the_same_input_leaves_identical_row_counts(seed_copy, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    renda_etl(source=str(seed_copy), warehouse=str(warehouse))
    first = data_counts(warehouse)

    summary = renda_etl(source=str(seed_copy), warehouse=str(warehouse))

    assert first == data_counts(warehouse)
    assert summary.nothing_to_do


def test_changed_file_replaces_its_old_rows(seed_copy, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    renda_etl(source=str(seed_copy), warehouse=str(warehouse))
    first = data_counts(warehouse)
    changed = sorted(seed_copy.iterdir())[2]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")

    summary = renda_etl(source=str(seed_copy), warehouse=str(warehouse))

    assert 1 == summary.stage_counts["ingest"]["files_loaded"]
    assert first == data_counts(warehouse)  # same content once normalised: same facts


@pytest.mark.parametrize("loaded_before_fingerprints_were_kept", [False, True])
def test_a_reprint_arriving_later_is_linked_to_the_story_loaded_before(
    seed_copy, tmp_path, monkeypatch, loaded_before_fingerprints_were_kept
):
    # The reprint (it carries a 原文链接) of a newspaper story comes a run after the story: the
    # search finds the story from its stored fingerprint, or from its body if it has none.
    warehouse = tmp_path / "w.duckdb"
    reprint = seed_copy / "000_54f3899849c6cafd.txt"
    held_back = reprint.rename(tmp_path / reprint.name)
    renda_etl(source=str(seed_copy), warehouse=str(warehouse))
    if loaded_before_fingerprints_were_kept:
        live = Settings(warehouse_path=warehouse).live_warehouse_path
        with duckdb.connect(str(live)) as connection:
            connection.execute("drop table core.fct_article_fingerprints")
    else:  # the stored fingerprints serve: none is made again (the search's process inherits this)
        monkeypatch.setattr(StoredFingerprints, "_fingerprint_again", _refuse_to_fingerprint)
    held_back.rename(reprint)

    renda_etl(source=str(seed_copy), warehouse=str(warehouse))

    assert [(reprint.name, "001_4ca2f901b2fa3bdc.txt", "near")] == _duplicate_links(warehouse)
    # every article keeps its fingerprint, those loaded before included: none is made again
    [(articles, fingerprinted)] = query(
        warehouse,
        "select count(*), count(fingerprints.article_sk) from core.dim_articles "
        "left join core.fct_article_fingerprints as fingerprints using (article_sk)",
    )
    assert articles == fingerprinted > 1


def _refuse_to_fingerprint(self, rows, workers):
    assert 0 == rows.num_rows, "a stored article was fingerprinted again"
    return []


def _duplicate_links(warehouse: Path) -> list[tuple]:
    return query(
        warehouse,
        "select duplicate.file_path, canonical.file_path, method "
        "from core.fct_article_duplicates "
        "join core.dim_articles as duplicate using (article_sk) "
        "join core.dim_articles as canonical on canonical.article_sk = canonical_article_sk "
        "order by all",
    )


STORY = """某县人大常委会召开主任会议

日前，某县人大常委会召开主任会议，听取县政府关于农村公路建设和养护情况的报告。
会议要求，要加强农村公路养护管理，落实管护责任，确保群众出行安全便捷。
"""
LATER_STORY = """某区人大代表视察城区污水处理工作

近日，某区部分市人大代表视察城区污水处理厂提标改造和管网建设情况。
代表们建议，加快补齐污水收集管网短板，提升运行监管水平，改善河道水质。
"""


def test_a_later_run_keeps_a_verified_reprint_link_without_reading_either_body(
    seed_copy, tmp_path, monkeypatch
):
    # A story and its reprint, verified on both bodies by the first run. A later run that finds
    # the story again as the reprint's only match keeps the link without reading either stored
    # body (the search's process inherits the patch). The samples' own reprint matches two
    # articles of its newspaper page, so it is verified again, as before.
    warehouse = tmp_path / "w.duckdb"
    (seed_copy / "story.txt").write_text(STORY, encoding="utf-8")
    (seed_copy / "reprint.txt").write_text(STORY + "（转载自某县人大网）\n", encoding="utf-8")
    renda_etl(source=str(seed_copy), warehouse=str(warehouse))
    links = _duplicate_links(warehouse)
    pair = query(
        warehouse,
        "select article_id from core.dim_articles where file_path in ('story.txt', 'reprint.txt')",
    )
    monkeypatch.setattr(StoredFingerprints, "bodies", _refusing_bodies({id for (id,) in pair}))
    (seed_copy / "later.txt").write_text(LATER_STORY, encoding="utf-8")

    summary = renda_etl(source=str(seed_copy), warehouse=str(warehouse))

    assert 1 == summary.stage_counts["ingest"]["files_loaded"]
    # Neither carries a date or a link to an original: which is canonical follows the file ids.
    assert [("near",)] == [
        (method,) for *files, method in links if set(files) == {"story.txt", "reprint.txt"}
    ]
    assert links == _duplicate_links(warehouse)


def _refusing_bodies(refused: set[str]):
    """StoredFingerprints.bodies, failing the run if it is asked for one of `refused`."""
    bodies = StoredFingerprints.bodies

    @contextmanager
    def refusing(self):
        with bodies(self) as body:

            def checked(article_id: str) -> str:
                assert article_id not in refused, f"the stored body of {article_id} was read"
                return body(article_id)

            yield checked

    return refusing


def test_gate_failure_publishes_nothing_and_carries_the_result(seed_copy, tmp_path, settings_env):
    warehouse = tmp_path / "w.duckdb"
    renda_etl(source=str(seed_copy), warehouse=str(warehouse))
    before = data_counts(warehouse)
    strict = suites_with_quantity_cap(tmp_path / "expectations", cap=100)
    settings_env(expectations_dir=str(strict))
    changed = sorted(seed_copy.iterdir())[2]  # holds 273 代表联络站, above the cap
    changed.write_text(changed.read_text(encoding="utf-8") + "\n补记。\n", encoding="utf-8")

    with pytest.raises(GateFailed) as failure:
        renda_etl(source=str(seed_copy), warehouse=str(warehouse))

    assert "stg_quantities" == failure.value.result.suite_name
    assert any(outcome.column == "value" for outcome in failure.value.result.failures)
    assert before == data_counts(warehouse)
    statuses = query(warehouse, "select status from ops.runs order by started_at")
    assert [("completed",), ("failed",)] == statuses


def test_bad_files_are_quarantined_with_reasons_and_good_ones_still_load(
    seed_copy, tmp_path, settings_env
):
    import os

    settings_env(max_file_bytes="30000")  # the largest sample is 24 kB
    (seed_copy / "empty.txt").write_bytes(b"")
    (seed_copy / "blank.txt").write_text(" \n\t\n", encoding="utf-8")
    (seed_copy / "image.txt").write_bytes(bytes(range(256)) * 8)
    (seed_copy / "huge.txt").write_text("人大" * 20_000, encoding="utf-8")
    os.mkfifo(seed_copy / "pipe.txt")
    (tmp_path / "outside.txt").write_text("根目录之外的文件。", encoding="utf-8")
    (seed_copy / "escape.txt").symlink_to(tmp_path / "outside.txt")
    warehouse = tmp_path / "w.duckdb"

    renda_etl(source=str(seed_copy), warehouse=str(warehouse))

    reasons = dict(query(warehouse, "select path, reason from raw.quarantine"))
    expected = {
        "empty.txt": "empty",
        "blank.txt": "whitespace_only",
        "image.txt": "binary",
        "huge.txt": "oversize",
        "pipe.txt": "not_regular_file",
        "escape.txt": "symlink_outside_root",
    }
    assert expected == reasons
    statuses = dict(query(warehouse, "select path, status from raw.file_ledger"))
    assert len(list(seed_copy.iterdir())) == len(statuses)  # every file accounted for once
    assert {"quarantined"} == {statuses[path] for path in expected}
    assert 20 == query(warehouse, "select count(*) from core.dim_articles")[0][0]


def test_pipeline_builds_the_report_of_what_it_published(seed_copy, tmp_path):
    """The report is built in a fresh interpreter (its queries' memory stays out of the flow's
    peak); the page must still come from the warehouse this run published."""
    warehouse = tmp_path / "w.duckdb"

    renda_etl(source=str(seed_copy), warehouse=str(warehouse))

    page = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert "代表联络站" in page
    assert str(warehouse) in page

"""The project checks itself: SQL headers and names, suites for gated tables, README truth."""

from __future__ import annotations

import re

import pytest

from flows.pipeline import EXTRACT_SUITES, INGEST_SUITES, SEGMENT_SUITES
from flows.settings import PROJECT_ROOT
from flows.stage_io import staging_schemas
from flows.warehouse import catalog

SQL_DIR = PROJECT_ROOT / "warehouse"
REQUIRED_HEADER = ("object", "purpose", "grain", "keys", "upstreams", "materialized")
PREFIXES = {
    "core": ("dim_", "fct_"),
    "staging": ("stg_",),
    "reporting": ("rpt_",),
    "checks": ("assert_",),
}
OBJECTS = catalog(SQL_DIR)


@pytest.mark.parametrize("obj", OBJECTS, ids=lambda obj: obj.path.name)
def test_sql_object_declares_its_header(obj):
    missing = [key for key in REQUIRED_HEADER if not obj.header.get(key)]
    assert [] == missing


@pytest.mark.parametrize("obj", OBJECTS, ids=lambda obj: obj.path.name)
def test_sql_object_is_named_after_its_file_with_its_layer_prefix(obj):
    declared = obj.header["object"].split()[-1]
    assert obj.qualified_name == declared or obj.name == declared
    layer = obj.path.parent.name
    assert obj.name.startswith(PREFIXES.get(layer, ("",)))


@pytest.mark.parametrize("obj", [o for o in OBJECTS if o.schema == "core"], ids=lambda o: o.name)
def test_core_models_follow_import_ctes_then_final(obj):
    assert obj.materialized in {"append_new_keys", "by_article", "upsert_by_article", "replace_all"}
    assert re.search(r"select \* from final\s*$", obj.body)
    assert obj.header.get("unique_key")


@pytest.mark.parametrize(
    "obj", [o for o in OBJECTS if o.schema == "reporting"], ids=lambda o: o.name
)
def test_reporting_views_are_documented_in_the_database(obj):
    assert f"comment on view reporting.{obj.name}" in obj.body


@pytest.mark.parametrize("suite", [*INGEST_SUITES, *SEGMENT_SUITES, *EXTRACT_SUITES])
def test_every_gated_table_has_a_suite_for_a_staging_table(suite):
    assert (PROJECT_ROOT / "expectations" / f"{suite}.json").exists()
    assert suite in staging_schemas()


def test_every_suite_guards_a_staging_table():
    suites = {path.stem for path in (PROJECT_ROOT / "expectations").glob("*.json")}
    assert set() == suites - set(staging_schemas())


def test_readme_gives_exactly_the_two_commands_and_ci_runs_the_test_one():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^\s*(make \w+)\s*$", quick_start, flags=re.MULTILINE)
    assert ["make run", "make test"] == commands
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run:", makefile, re.MULTILINE)
    assert re.search(r"^test:", makefile, re.MULTILINE)
    assert "make test" in (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_only_the_segment_module_imports_jieba():
    importers = [
        path.relative_to(PROJECT_ROOT).as_posix()
        for path in (PROJECT_ROOT / "flows").rglob("*.py")
        if re.search(r"^\s*(import jieba|from jieba)", path.read_text(encoding="utf-8"), re.M)
    ]
    assert ["flows/segment.py"] == importers


def test_deployment_points_at_the_parent_flow():
    import importlib

    import yaml

    spec = yaml.safe_load((PROJECT_ROOT / "deployments" / "prefect.yaml").read_text())
    deployment = spec["deployments"][0]
    module_path, function_name = deployment["entrypoint"].split(":")
    module = importlib.import_module(module_path.removesuffix(".py").replace("/", "."))
    assert "renda-etl" == getattr(module, function_name).name
    assert "Asia/Shanghai" == deployment["schedules"][0]["timezone"]
    assert 1 == deployment["concurrency_limit"]["limit"]

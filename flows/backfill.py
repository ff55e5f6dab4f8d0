"""Re-run the pipeline over files it has already loaded: after a rule or dictionary change.

Reprocessing is "forget, then run": the chosen files lose their content hash in raw.file_ledger
(the live warehouse), so the ordinary run treats them as changed and replaces their rows in one
transaction. Nothing is deleted up front, so a reprocess that fails leaves the warehouse as it
was, and the next run picks the forgotten files up again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flows import ops
from flows.settings import Settings


@dataclass(frozen=True)
class ReprocessPlan:
    source: str
    paths: list[str]  # ledger paths (relative to the source root) to forget


def plan_for_source(source: str) -> ReprocessPlan:
    """Every file a folder or glob matches, named as the ledger names them."""
    from flows.ingest.sources import discover_files

    root, files = discover_files(source)
    return ReprocessPlan(source, sorted(_ledger_name(path, root) for path in files))


def plan_for_dates(settings: Settings, first: date, last: date, source: str) -> ReprocessPlan:
    """Files holding an article published between `first` and `last` (inclusive)."""
    if first > last:
        raise ValueError(f"the date range is empty: {first} is after {last}")
    return ReprocessPlan(source, ops.paths_published_between(settings, first, last))


def _ledger_name(path: Path, root: Path) -> str:
    """The same relative name ingest records (flows.stages), so the ledger rows match."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def reprocess(
    source: str | None = None,
    first: date | None = None,
    last: date | None = None,
    warehouse: str | None = None,
):
    """Re-run the chosen files: a glob or folder, or a publish-date range within `source`.

    With dates, `source` is where the files live (default: the configured source folder).
    Returns the run's summary (flows.pipeline.RunSummary).
    """
    from flows.pipeline import etl_flow, settings_for

    settings = settings_for(warehouse)
    folder = source or str(settings.source_dir)
    if first or last:
        plan = plan_for_dates(settings, first or date.min, last or date.max, folder)
    else:
        plan = plan_for_source(folder)
    forgotten = ops.forget_files(settings, plan.paths)
    print(f"reprocessing {forgotten} of {len(plan.paths)} matching files from {plan.source}")
    return etl_flow(settings)(source=plan.source, warehouse=warehouse)

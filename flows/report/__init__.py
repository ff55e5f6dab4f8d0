"""`renda report`: a static HTML report of the published warehouse, readable offline.

Everything the page needs (styles, the sortable-table script, plotly.js) is inlined into one
index.html, so it opens from a file share or an e-mail attachment with no network at all.
"""

from __future__ import annotations

from flows.report.build import build_report

__all__ = ["build_report"]

"""Saved web pages: the main text and the page's own metadata, extracted by trafilatura.

trafilatura drops navigation and widgets far better than tag stripping. Its title and date are
put back above the text as a title line and a metadata row, so that an HTML page flows through
the same splitter and metadata readers as a plain-text page. When the extracted text already holds
the title and a metadata row, nothing is added.
"""

from __future__ import annotations

import trafilatura

from flows.ingest.chrome import is_meta_line

TITLE_WINDOW = 10  # the title, when the extractor kept it in the text, is near the top


def html_to_text(html: str) -> str:
    """The page as text: title, a 发布时间/来源/作者 row when known, then the main content."""
    document = trafilatura.bare_extraction(
        html, include_comments=False, include_tables=True, with_metadata=True
    )
    if document is None:
        return ""
    fields = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    lines = (fields.get("text") or "").split("\n")
    title = (fields.get("title") or "").strip()
    meta = (
        ""
        if any(is_meta_line(line.strip()) for line in lines[:TITLE_WINDOW])
        else _meta_row(fields)
    )
    position = next(
        (i for i, line in enumerate(lines[:TITLE_WINDOW]) if line.strip() == title), None
    )
    if position is None:
        return "\n".join([line for line in (title, meta) if line] + ["", *lines])
    return "\n".join([*lines[: position + 1], *([meta] if meta else []), *lines[position + 1 :]])


def _meta_row(fields: dict) -> str:
    parts = []
    if fields.get("date"):
        parts.append(f"发布时间:{fields['date']}")
    if fields.get("sitename"):
        parts.append(f"来源:{fields['sitename']}")
    if fields.get("author"):
        parts.append(f"作者:{fields['author']}")
    return " ".join(parts)
